// Timing fidelity: with the server policy delay:D, the expect wait our client and our server record
// against the same interval in a live tshark capture of the loopback port (client head packet to
// 100 packet), in the three setups users run:
//   send + serve   two processes, as `expectlab send` and `expectlab serve` run alone;
//   workbench      the window's setup: WorkbenchSession, the server on its ServerHost thread, the
//                  client on its own PartyThread (issue 13: each party on its own thread);
//   in-process     the server on its thread, the client on the benchmark's main thread.
// Then a foreign client: curl against `expectlab serve --events`, the intervals head -> 100,
// head -> body and head -> final as serve's events say, against the capture (issue 12, case 16:
// event times are when bytes reach or leave the kernel).
//
//   bench_fidelity [COUNT]      exchanges per delay and setup (default 200; 50 for D = 100 ms)

#include "benchutil.h"
#include "exchangelistmodel.h"
#include "exchangerunner.h"
#include "loopbackcapture.h"
#include "partythread.h"
#include "platformlatency.h"
#include "serverhost.h"
#include "workbenchsession.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

using namespace bench;
using namespace expectlab;
using testsupport::LoopbackCapture;
using testsupport::WireMoments;

namespace {

// One exchange's expect wait as each side recorded it, ms; -1 where that side recorded none.
struct Recorded
{
    double clientMs = -1;
    double serverMs = -1;
};
using ByPort = QHash<quint16, Recorded>; // by the client's local port, as the capture names it

// Spins this thread's event loop until done() holds or timeoutMs passes.
bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    tick.start(1);
    if (!done())
        loop.exec();
    return done();
}

quint16 localPort(const ExchangeSummary &s)
{
    for (const TimelineEvent &e : s.events)
        if (e.kind == EventKind::Connected && e.endpoints)
            return e.endpoints->localPort;
    return 0;
}

// The server's head -> 100 per client port, from a ServerHost's events (values queued to this
// thread, timestamps as the server thread took them).
class ServerWaits
{
public:
    explicit ServerWaits(ServerHost &server, ByPort &into)
    {
        m_connections << QObject::connect(
            &server, &ServerHost::connectionAccepted, &server,
            [this](int conn, const QHostAddress &, quint16 port) { m_port[conn] = port; });
        m_connections << QObject::connect(
            &server, &ServerHost::eventRecorded, &server, [this, &into](const TimelineEvent &e) {
                if (e.kind == EventKind::Head)
                    m_head.insert(e.conn, e.tNs);
                else if (e.kind == EventKind::InterimSent && e.status == 100 && m_head.contains(e.conn))
                    into[m_port.value(e.conn)].serverMs = double(e.tNs - m_head.take(e.conn)) / 1e6;
            });
    }
    ~ServerWaits()
    {
        for (const auto &c : std::as_const(m_connections))
            QObject::disconnect(c);
    }

private:
    QList<QMetaObject::Connection> m_connections;
    QHash<int, quint16> m_port;
    QHash<int, qint64> m_head;
};

// The client on this thread.
void runInProcess(const QString &url, int n, ByPort &out)
{
    for (int i = 0; i < n; ++i) {
        ExchangeRunner runner(i + 1, helloRequest(url + QStringLiteral("upload")));
        runToEnd(runner);
        const ExchangeSummary &s = runner.exchange().summary();
        if (s.expectWaitNs)
            out[localPort(s)].clientMs = double(*s.expectWaitNs) / 1e6;
    }
}

// The window's setup: the session runs the client on its own thread.
void runWorkbench(ServerHost &server, PartyThread &clientThread, int n, ByPort &out)
{
    WorkbenchSession session;
    session.setClientThread(&clientThread);
    session.attachServer(&server);
    int finished = 0;
    QObject::connect(&session, &WorkbenchSession::exchangeFinished, &session, [&finished] { ++finished; });
    for (int i = 0; i < n; ++i) {
        session.send(helloRequest(server.url() + QStringLiteral("upload")));
        spinUntil([&] { return finished > i; }, 10000);
    }
    session.flush();
    for (int row = 0; row < session.model()->rowCount(); ++row) {
        const ExchangeRecord &r = session.model()->recordAt(row);
        if (r.summary.expectWaitNs)
            out[localPort(r.summary)].clientMs = double(*r.summary.expectWaitNs) / 1e6;
    }
    session.shutdown();
}

// `expectlab serve --events` and one `expectlab send --json` per exchange.
bool runProcesses(int d, int n, bool precise, LoopbackCapture &capture, ByPort &out, quint16 *serverPort)
{
    ExpectlabServe serve;
    QString error;
    QStringList args{QStringLiteral("--events"), QStringLiteral("--policy"), QStringLiteral("delay:%1").arg(d)};
    if (precise)
        args << QStringLiteral("--precise-timing");
    if (!serve.start(args, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    *serverPort = quint16(QUrl(serve.url()).port());
    if (!capture.start(*serverPort, &error)) {
        std::fprintf(stderr, "capture: %s\n", qPrintable(error));
        return false;
    }
    for (int i = 0; i < n; ++i) {
        QStringList sendArgs{QStringLiteral("send"),  serve.url(QStringLiteral("/upload")), QStringLiteral("--data"),
                             QStringLiteral("hello"), QStringLiteral("--expect"),           QStringLiteral("--json")};
        if (precise)
            sendArgs << QStringLiteral("--precise-timing");
        const RunResult r = run(expectlabBin(), sendArgs, 30000);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        quint16 port = 0;
        for (const QJsonValue &v : o.value(QStringLiteral("events")).toArray())
            if (v.toObject().value(QStringLiteral("kind")).toString() == QLatin1String("connected"))
                port = quint16(
                    v.toObject().value(QStringLiteral("local")).toString().section(QLatin1Char(':'), -1).toUInt());
        if (port && o.value(QStringLiteral("expect_wait_ms")).isDouble())
            out[port].clientMs = o.value(QStringLiteral("expect_wait_ms")).toDouble();
        // Nothing else reads the pipes while send runs: empty them, or serve and tshark block.
        serve.peer().drain();
        capture.poll();
    }
    serve.peer().drain();
    QHash<int, quint16> portOfConn;
    QHash<int, double> headAt;
    for (const QString &line : serve.peer().output().split(QLatin1Char('\n'))) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        const int conn = o.value(QStringLiteral("conn")).toInt();
        const double ms = o.value(QStringLiteral("t_ms")).toDouble();
        if (kind == QLatin1String("accepted"))
            portOfConn.insert(
                conn, quint16(o.value(QStringLiteral("peer")).toString().section(QLatin1Char(':'), -1).toUInt()));
        else if (kind == QLatin1String("head") && !headAt.contains(conn))
            headAt.insert(conn, ms);
        else if (kind == QLatin1String("interim_sent") && o.value(QStringLiteral("status")).toInt() == 100 &&
                 headAt.contains(conn))
            out[portOfConn.value(conn)].serverMs = ms - headAt.take(conn);
    }
    return true;
}

// Waits until the capture holds a final for every recorded exchange, then compares.
void addRow(Table &t, const QString &setup, bool precise, int d, LoopbackCapture &capture, quint16 serverPort,
            const ByPort &recorded)
{
    capture.waitFor(
        [&](const QList<testsupport::Packet> &packets) {
            const auto wire = testsupport::wireMoments(packets, serverPort);
            return std::all_of(recorded.keyBegin(), recorded.keyEnd(),
                               [&](quint16 port) { return wire.value(port).final >= 0; });
        },
        10000);
    const QHash<quint16, WireMoments> wire = testsupport::wireMoments(capture.packets(), serverPort);
    std::vector<double> client, server, captured, clientErr, serverErr;
    for (auto it = recorded.begin(); it != recorded.end(); ++it) {
        const WireMoments w = wire.value(it.key());
        const double cap = w.head >= 0 && w.interim >= 0 ? (w.interim - w.head) * 1e3 : -1;
        if (it->clientMs >= 0)
            client.push_back(it->clientMs);
        if (it->serverMs >= 0)
            server.push_back(it->serverMs);
        if (cap < 0)
            continue;
        captured.push_back(cap);
        if (it->clientMs >= 0)
            clientErr.push_back(std::abs(it->clientMs - cap));
        if (it->serverMs >= 0)
            serverErr.push_back(std::abs(it->serverMs - cap));
    }
    t.add({setup, precise ? QStringLiteral("precise") : QStringLiteral("default"), QString::number(d),
           QString::number(client.size()), fmt(percentile(client, 50), 3), fmt(percentile(server, 50), 3),
           QString::number(captured.size()), fmt(percentile(captured, 50), 3), fmt(percentile(clientErr, 50), 3),
           fmt(percentile(clientErr, 99), 3), fmt(percentile(serverErr, 50), 3), fmt(percentile(serverErr, 99), 3)});
}

void fidelityRows(Table &t, int d, int n, bool precise)
{
    {
        LoopbackCapture capture;
        ByPort recorded;
        quint16 port = 0;
        if (runProcesses(d, n, precise, capture, recorded, &port))
            addRow(t, QStringLiteral("send + serve"), precise, d, capture, port, recorded);
    }
    ServerHost server;
    server.setPolicy(*ServerPolicy::parse(QStringLiteral("delay:%1").arg(d)));
    ServerLimits limits;
    limits.maxConnections = 0;
    server.setLimits(limits);
    server.listen(QHostAddress::LocalHost, 0);
    if (!spinUntil([&] { return server.isListening(); }, 5000)) {
        std::fprintf(stderr, "the server did not start\n");
        return;
    }
    PartyThread clientThread(QStringLiteral("expectlab-client"));
    if (precise) {
        server.partyThread()->setRealtime(true);
        clientThread.setRealtime(true);
    }
    for (const bool workbench : {true, false}) {
        LoopbackCapture capture;
        QString error;
        if (!capture.start(server.port(), &error)) {
            std::fprintf(stderr, "capture: %s\n", qPrintable(error));
            return;
        }
        ByPort recorded;
        {
            ServerWaits waits(server, recorded);
            if (workbench)
                runWorkbench(server, clientThread, n, recorded);
            else
                runInProcess(server.url(), n, recorded);
            // The last exchange's server events are queued to this thread: take them in.
            spinUntil(
                [&] {
                    return std::all_of(recorded.cbegin(), recorded.cend(),
                                       [](const Recorded &r) { return r.serverMs >= 0; });
                },
                2000);
        }
        addRow(t, workbench ? QStringLiteral("workbench") : QStringLiteral("in-process"), precise, d, capture,
               server.port(), recorded);
    }
}

// curl against `expectlab serve --events`: serve's recorded intervals against the capture's.
void foreignClientRows(Table &t, int count, bool precise)
{
    const QString curl = findProgram(QStringLiteral("curl"));
    if (curl.isEmpty()) {
        std::fprintf(stderr, "curl missing: no foreign-client rows\n");
        return;
    }
    QTemporaryDir dir;
    const QString body = dir.filePath(QStringLiteral("body"));
    {
        QFile f(body);
        if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(2 << 20, 'b')) < 0)
            return;
    }
    ExpectlabServe serve;
    QString error;
    QStringList args{QStringLiteral("--events")};
    if (precise)
        args << QStringLiteral("--precise-timing");
    if (!serve.start(args, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return;
    }
    const quint16 port = QUrl(serve.url()).port();
    LoopbackCapture capture;
    if (!capture.start(port, &error)) {
        std::fprintf(stderr, "capture: %s\n", qPrintable(error));
        return;
    }
    for (int i = 0; i < count; ++i) {
        run(curl,
            {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("--data-binary"),
             QLatin1Char('@') + body, serve.url()},
            30000);
        serve.peer().drain(); // as above: keep the pipes empty
        capture.poll();
    }
    serve.peer().drain();
    QHash<int, quint16> portOfConn;
    QHash<quint16, WireMoments> recorded; // serve's events, in seconds on serve's clock
    for (const QString &line : serve.peer().output().split(QLatin1Char('\n'))) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        const int conn = o.value(QStringLiteral("conn")).toInt();
        const double s = o.value(QStringLiteral("t_ms")).toDouble() / 1e3;
        if (kind == QLatin1String("accepted"))
            portOfConn.insert(
                conn, quint16(o.value(QStringLiteral("peer")).toString().section(QLatin1Char(':'), -1).toUInt()));
        WireMoments &m = recorded[portOfConn.value(conn)];
        if (kind == QLatin1String("head") && m.head < 0)
            m.head = s;
        else if (kind == QLatin1String("interim_sent") && m.interim < 0)
            m.interim = s;
        else if (kind == QLatin1String("body_start") && m.body < 0)
            m.body = s;
        else if (kind == QLatin1String("final_sent") && m.final < 0)
            m.final = s;
    }
    capture.waitFor(
        [&](const QList<testsupport::Packet> &packets) {
            const auto wire = testsupport::wireMoments(packets, port);
            return std::all_of(recorded.keyBegin(), recorded.keyEnd(),
                               [&](quint16 p) { return p == 0 || wire.value(p).final >= 0; });
        },
        10000);
    const QHash<quint16, WireMoments> captured = testsupport::wireMoments(capture.packets(), port);
    std::vector<double> toInterim, toBody, toFinal;
    for (auto it = recorded.begin(); it != recorded.end(); ++it) {
        const WireMoments &r = it.value();
        const WireMoments c = captured.value(it.key());
        auto diff = [](double rs, double re, double cs, double ce, std::vector<double> &into) {
            if (rs >= 0 && re >= 0 && cs >= 0 && ce >= 0)
                into.push_back(std::abs((re - rs) - (ce - cs)) * 1e3);
        };
        diff(r.head, r.interim, c.head, c.interim, toInterim);
        diff(r.head, r.body, c.head, c.body, toBody);
        diff(r.head, r.final, c.head, c.final, toFinal);
    }
    t.add({precise ? QStringLiteral("--precise-timing") : QStringLiteral("default"), QString::number(toInterim.size()),
           fmt(percentile(toInterim, 50), 3), fmt(percentile(toInterim, 99), 3), fmt(percentile(toBody, 50), 3),
           fmt(percentile(toBody, 99), 3), fmt(percentile(toFinal, 50), 3), fmt(percentile(toFinal, 99), 3)});
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int count = qMax(1, app.arguments().value(1, QStringLiteral("200")).toInt());
    printHeader(QStringLiteral("Timing fidelity: policy delay:D, recorded expect wait vs tshark capture, ms"));
    if (LoopbackCapture::program().isEmpty())
        std::fprintf(stderr, "tshark not installed: capture columns stay empty\n");

    Table t({QStringLiteral("setup"), QStringLiteral("timing"), QStringLiteral("D ms"), QStringLiteral("n"),
             QStringLiteral("client wait p50"), QStringLiteral("server wait p50"), QStringLiteral("captured"),
             QStringLiteral("capture wait p50"), QStringLiteral("|client - capture| p50"),
             QStringLiteral("|client - capture| p99"), QStringLiteral("|server - capture| p50"),
             QStringLiteral("|server - capture| p99")});
    // Each delay as the tool runs by default, then with --precise-timing (CPUs kept out of deep idle,
    // the party threads real-time).
    for (const bool precise : {false, true})
        for (const int d : {0, 1, 10, 100}) {
            platform::PreciseTiming timing;
            QString timingError;
            if (precise && (!timing.acquire(&timingError) || !platform::setThreadRealtime(true, &timingError))) {
                std::fprintf(stderr, "--precise-timing rows skipped: %s\n", qPrintable(timingError));
                break;
            }
            fidelityRows(t, d, d >= 100 ? qMin(count, 50) : count, precise);
            if (precise)
                platform::setThreadRealtime(false, nullptr);
        }
    t.print();
    std::printf("\nTarget: recorded times within 0.5 ms of the capture at p99, the workbench as close as send + "
                "serve.\n--precise-timing holds /dev/cpu_dma_latency at 0 (as cyclictest does) for the whole "
                "system.\n");

    printHeader(QStringLiteral("curl -> expectlab serve --events (2 MiB, policy continue): |serve's interval - "
                               "capture's interval|, ms"));
    Table foreign({QStringLiteral("timing"), QStringLiteral("n"), QStringLiteral("head->100 p50"),
                   QStringLiteral("head->100 p99"), QStringLiteral("head->body p50"), QStringLiteral("head->body p99"),
                   QStringLiteral("head->final p50"), QStringLiteral("head->final p99")});
    for (const bool precise : {false, true})
        foreignClientRows(foreign, qMax(10, count / 2), precise);
    foreign.print();
    return 0;
}
