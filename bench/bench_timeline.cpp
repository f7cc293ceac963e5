// Timeline at scale: 10,000 exchanges (about 100,000 events) into the workbench's models and views,
// offscreen: time to add them, to select one and draw its timeline, the overview's replot time
// (QCustomPlot::replotTime()) and the memory it takes. Uses MainWindow's public API only.
//
//   bench_timeline [COUNT]      exchanges (default 10000)

#include "benchutil.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "exchangeoutcome.h"
#include "exchangerunner.h"
#include "mainwindow.h"
#include "overviewplot.h"
#include "serverhost.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTableView>

#include <qcustomplot.h>

#include <cstdio>

using namespace bench;
using namespace expectlab;

namespace {

// One real exchange (client events, 100, body, 200) to copy: the records look like a real session's.
ExchangeSummary templateExchange()
{
    ServerHost server;
    server.listen(QHostAddress::LocalHost, 0);
    QEventLoop wait;
    QObject::connect(&server, &ServerHost::stateChanged, &wait, &QEventLoop::quit);
    if (!server.isListening())
        wait.exec();
    ClientRequest req;
    req.url = QUrl(QStringLiteral("http://127.0.0.1:%1/upload").arg(server.port()));
    req.method = "POST";
    req.body.kind = BodySpec::Kind::Generated;
    req.body.generatedSize = 1024;
    req.expect = ClientRequest::ExpectMode::On;
    ExchangeRunner runner(1, req);
    runToEnd(runner);
    return runner.exchange().summary();
}

double msSince(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QCoreApplication::setOrganizationName(QStringLiteral("ExpectLab"));
    QCoreApplication::setApplicationName(QStringLiteral("ExpectLab"));
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    const int count = qMax(1, app.arguments().value(1, QStringLiteral("10000")).toInt());
    printHeader(QStringLiteral("Timeline at scale: %1 exchanges into the workbench, offscreen").arg(count));

    const qint64 pid = QCoreApplication::applicationPid();
    MainWindow window;
    window.show();
    QApplication::processEvents();
    const ExchangeSummary sample = templateExchange();
    QApplication::processEvents();
    const qint64 rssBeforeKb = procStatusKb(pid, "VmRSS");

    ExchangeListModel *model = window.session()->model();
    QList<ExchangeRecord> records;
    records.reserve(count);
    const int first = model->nextNumber();
    qint64 events = 0;
    for (int i = 0; i < count; ++i) {
        ExchangeRecord r;
        r.number = first + i;
        r.started = QDateTime::currentDateTime();
        r.summary = sample;
        r.summary.id = r.number;
        // Spread the expect waits so the overview has a real cloud of points, not one.
        const qint64 shift = qint64(i) * 1'000'000;
        for (TimelineEvent &e : r.summary.events) {
            e.tNs += shift;
            e.conn = r.number;
        }
        r.summary.startNs += shift;
        if (r.summary.endNs)
            *r.summary.endNs += shift;
        if (r.summary.expectWaitNs)
            *r.summary.expectWaitNs += (i % 97) * 10'000;
        r.running = false;
        r.outcome = classifyOutcome(r.summary, false);
        events += r.summary.events.size();
        records << r;
    }

    Table t({QStringLiteral("step"), QStringLiteral("ms"), QStringLiteral("target")});
    QElapsedTimer timer;
    timer.start();
    model->appendRecords(records);
    const double appendMs = msSince(timer);
    records.clear();
    // The views rebuild on a timer (batched replots): wait for the overview to hold every point.
    OverviewPlot *overview = window.overview();
    QElapsedTimer settle;
    settle.start();
    while (overview->pointCount() < count && settle.elapsed() < 30000)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    QApplication::processEvents();
    const double addedMs = msSince(timer);
    t.add({QStringLiteral("append %1 exchanges (%2 events) to the model").arg(count).arg(events), fmt(appendMs, 1),
           QStringLiteral("< 1000")});
    t.add({QStringLiteral("... until the overview plots them all (incl. its 60 ms batching timer)"), fmt(addedMs, 1),
           QStringLiteral("< 1000")});

    QCustomPlot *plot = overview->plot();
    std::vector<double> replots;
    for (int i = 0; i < 20; ++i) {
        plot->replot(QCustomPlot::rpImmediateRefresh);
        replots.push_back(plot->replotTime());
    }
    t.add({QStringLiteral("overview replot, median of 20 (replotTime)"), fmt(percentile(replots, 50), 2),
           QStringLiteral("< 16")});
    t.add({QStringLiteral("overview replot, worst of 20"), fmt(percentile(replots, 100), 2), QStringLiteral("< 16")});
    // What-ifs for the view's owner, through QCustomPlot's public API; restored afterwards.
    const auto whatIf = [&](const QString &label, auto &&apply, auto &&undo) {
        apply();
        std::vector<double> times;
        for (int i = 0; i < 20; ++i) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            times.push_back(plot->replotTime());
        }
        undo();
        t.add({QStringLiteral("  what-if: %1, median of 20").arg(label), fmt(percentile(times, 50), 2), QString()});
    };
    const QCP::AntialiasedElements aa = plot->antialiasedElements();
    whatIf(
        QStringLiteral("vector discs, as in a PDF export (before: every replot)"),
        [&] { overview->setVectorScatters(true); }, [&] { overview->setVectorScatters(false); });
    whatIf(
        QStringLiteral("nothing antialiased"), [&] { plot->setNotAntialiasedElements(QCP::aeAll); },
        [&] { plot->setAntialiasedElements(aa); });
    whatIf(
        QStringLiteral("graphs hidden (axes, grid, legend only)"),
        [&] {
            for (int i = 0; i < plot->graphCount(); ++i)
                plot->graph(i)->setVisible(false);
        },
        [&] {
            for (int i = 0; i < plot->graphCount(); ++i)
                plot->graph(i)->setVisible(true);
        });
    std::printf("overview plot: %d x %d px\n", plot->width(), plot->height());

    std::vector<double> selects, timelineReplots;
    for (int k = 0; k < 20; ++k) {
        const int number = first + (k * 7919) % count;
        timer.restart();
        window.selectExchange(number);
        QApplication::processEvents();
        selects.push_back(msSince(timer));
        QCustomPlot *timeline = window.detail()->timeline()->plot();
        timeline->replot(QCustomPlot::rpImmediateRefresh);
        timelineReplots.push_back(timeline->replotTime());
    }
    t.add({QStringLiteral("select one exchange and show its detail, median of 20"), fmt(percentile(selects, 50), 2),
           QString()});
    t.add({QStringLiteral("select one exchange and show its detail, worst of 20"), fmt(percentile(selects, 100), 2),
           QString()});
    t.add({QStringLiteral("its timeline replot, worst of 20 (replotTime)"), fmt(percentile(timelineReplots, 100), 2),
           QStringLiteral("< 16")});
    // Scrolling the list to the end forces the table to draw rows from the far end of the model.
    timer.restart();
    window.exchangeTable()->scrollToBottom();
    window.exchangeTable()->viewport()->repaint();
    t.add({QStringLiteral("scroll the exchange list to the end and repaint it"), fmt(msSince(timer), 2),
           QStringLiteral("< 16")});
    const qint64 rssAfterKb = procStatusKb(pid, "VmRSS");
    t.print();
    std::printf("\nMemory: RSS %.1f MiB with the window and %d exchanges (+%.1f MiB for the exchanges), peak %.1f MiB; "
                "target < 300 MiB.\n",
                double(rssAfterKb) / 1024, count, double(rssAfterKb - rssBeforeKb) / 1024,
                double(procStatusKb(pid, "VmHWM")) / 1024);
    return 0;
}
