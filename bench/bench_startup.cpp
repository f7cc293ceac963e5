// Start-up: from main() to the workbench window's first paint, offscreen, the way app/guiapp.cpp
// starts it (QApplication, MainWindow, show). Exits after that first paint, so that hyperfine can time
// the whole process too (bench/run-bench.sh): this program is bench-only, the app's CLI is unchanged.
//
//   bench_startup [--quiet]

#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QIcon>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

namespace {
class FirstPaint : public QObject
{
public:
    explicit FirstPaint(QElapsedTimer *clock)
        : m_clock(clock)
    {}
    double ms = -1;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && ms < 0) {
            ms = double(m_clock->nsecsElapsed()) / 1e6;
            QTimer::singleShot(0, qApp, &QCoreApplication::quit);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QElapsedTimer *m_clock;
};
} // namespace

int main(int argc, char **argv)
{
    QElapsedTimer clock;
    clock.start();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QCoreApplication::setOrganizationName(QStringLiteral("ExpectLab"));
    QCoreApplication::setApplicationName(QStringLiteral("ExpectLab"));
    // Settings of a test profile, not the user's: every run starts the same.
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    const bool quiet = app.arguments().contains(QStringLiteral("--quiet"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/expectlab.svg")));
    const double appMs = double(clock.nsecsElapsed()) / 1e6;
    expectlab::MainWindow window;
    const double builtMs = double(clock.nsecsElapsed()) / 1e6;
    FirstPaint paint(&clock);
    window.installEventFilter(&paint);
    window.show();
    QTimer::singleShot(10000, &app, &QCoreApplication::quit);
    QApplication::exec();
    if (!quiet)
        std::printf("QApplication %.1f ms, MainWindow built %.1f ms, first paint %.1f ms (from main())\n", appMs,
                    builtMs, paint.ms);
    return paint.ms < 0 ? 1 : 0;
}
