// The Pump driving the real cores over an in-memory stream pair: the transport seam, tested without
// the kernel. The same client and server cores as over TCP; only the ByteStream differs.
#include "bodyfeeder.h"
#include "clientexchange.h"
#include "memorystream.h"
#include "monotonicclock.h"
#include "partythread.h"
#include "pump.h"
#include "serverconnection.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>

using namespace expectlab;

namespace {

QStringList kinds(const QList<TimelineEvent> &events)
{
    QStringList out;
    for (const auto &e : events)
        out << (e.hasStatus() ? QStringLiteral("%1:%2").arg(kindName(e.kind)).arg(e.status) : kindName(e.kind));
    return out;
}

// One client exchange against the server core, each attempt over a fresh MemoryStream pair with a
// Pump on each end: what ExchangeRunner and the server do over TCP.
class PumpedExchange : public QObject
{
    Q_OBJECT
public:
    PumpedExchange(const ServerPolicy &policy, ClientRequest request)
        : m_policy(policy)
    {
        QString error;
        ClientUpload upload = makeClientUpload(1, std::move(request), &error);
        client = std::move(upload.exchange);
        feeder = std::move(upload.feeder);
    }
    ~PumpedExchange() override
    {
        // Pumps refer to the cores: they go first.
        delete m_clientPump;
        qDeleteAll(m_serverPumps);
    }

    void start() { attempt(); }

    std::unique_ptr<ClientExchange> client;
    std::unique_ptr<BodyFeeder> feeder; // the adapter's half: the body into client
    std::vector<std::unique_ptr<ServerConnection>> servers;
    QList<TimelineEvent> clientEvents;
    QList<TimelineEvent> serverEvents;
    bool done = false;

private:
    void attempt()
    {
        feeder->startAttempt(monotonicNowNs());
        auto [clientEnd, serverEnd] = MemoryStream::pair();
        servers.push_back(std::make_unique<ServerConnection>(int(servers.size()) + 1, m_policy, monotonicNowNs(),
                                                             ServerLimits{}, serverEnd->endpoints()));
        auto *serverPump = new Pump(serverEnd, servers.back().get(), this);
        m_serverPumps.push_back(serverPump);
        connect(serverPump, &Pump::eventRecorded, this, [this](const TimelineEvent &e) { serverEvents << e; });
        m_clientPump = new Pump(clientEnd, feeder.get(), this);
        connect(m_clientPump, &Pump::eventRecorded, this, [this](const TimelineEvent &e) { clientEvents << e; });
        connect(m_clientPump, &Pump::finished, this, &PumpedExchange::attemptFinished, Qt::QueuedConnection);
        serverPump->start();
        clientEnd->connectTo(QString(), 0);
        m_clientPump->start();
    }
    void attemptFinished()
    {
        delete std::exchange(m_clientPump, nullptr);
        if (client->wantsReconnect())
            attempt();
        else
            done = true;
    }

    ServerPolicy m_policy;
    Pump *m_clientPump = nullptr;
    QList<Pump *> m_serverPumps;
};

ClientRequest upload(qint64 size, bool expect)
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:8080/upload"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = size;
    request.expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    return request;
}

} // namespace

class TestPump : public QObject
{
    Q_OBJECT
private slots:
    void policies_data();
    void policies();
    void largeBodyKeepsTheWriteWindow();
    void partyThreadEndsWithItsExitHook();
};

void TestPump::policies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("expect");
    QTest::addColumn<QStringList>("client");
    QTest::addColumn<QStringList>("server");
    QTest::addColumn<int>("finalStatus");
    QTest::addColumn<bool>("retried");

    QTest::newRow("continue, expect (R3)")
        << "continue" << true << QStringList{"connect",   "connected", "head_sent",         "interim:100", "body_start",
                                             "body_done", "final:200", "response_done:200", "closed"}
        << QStringList{"accepted", "head", "interim_sent:100", "body_start", "body_done", "final_sent:200", "closed"}
        << 200 << false;
    QTest::newRow("continue, no expect") << "continue" << false
                                         << QStringList{"connect",   "connected", "head_sent",         "body_start",
                                                        "body_done", "final:200", "response_done:200", "closed"}
                                         << QStringList{"accepted",  "head",           "body_start",
                                                        "body_done", "final_sent:200", "closed"}
                                         << 200 << false;
    QTest::newRow("reject, expect: retried without Expect on a new stream (R6)")
        << "reject" << true
        << QStringList{"connect",    "connected", "head_sent", "final:417",         "response_done:417",
                       "closed",     "retry",     "connect",   "connected",         "head_sent",
                       "body_start", "body_done", "final:200", "response_done:200", "closed"}
        << QStringList{"accepted", "head",       "final_sent:417", "closed",         "accepted",
                       "head",     "body_start", "body_done",      "final_sent:200", "closed"}
        << 200 << true;
    QTest::newRow("final:413, expect: the body never goes (R21)")
        << "final:413" << true
        << QStringList{"connect", "connected", "head_sent", "final:413", "response_done:413", "closed"}
        << QStringList{"accepted", "head", "final_sent:413", "closed"} << 413 << false;
    QTest::newRow("close, expect: no answer is an error")
        << "close" << true << QStringList{"connect", "connected", "head_sent", "error", "closed"}
        << QStringList{"accepted", "head", "closed"} << 0 << false;
}

void TestPump::policies()
{
    QFETCH(QString, policy);
    QFETCH(bool, expect);
    QFETCH(QStringList, client);
    QFETCH(QStringList, server);
    QFETCH(int, finalStatus);
    QFETCH(bool, retried);

    PumpedExchange exchange(*ServerPolicy::parse(policy), upload(10000, expect));
    exchange.start();
    QTRY_VERIFY_WITH_TIMEOUT(exchange.done, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(exchange.servers.back()->isClosed(), 5000);
    QCOMPARE(kinds(exchange.clientEvents), client);
    QCOMPARE(kinds(exchange.serverEvents), server);
    const ExchangeSummary &s = exchange.client->summary();
    QCOMPARE(s.finalStatus.value_or(0), finalStatus);
    QCOMPARE(s.retried, retried);
    QVERIFY(exchange.client->isFinished());
    // Every event of ours has a time, in order: the pump stamps when bytes moved.
    for (qsizetype i = 1; i < exchange.clientEvents.size(); ++i)
        QVERIFY(exchange.clientEvents.at(i).tNs >= exchange.clientEvents.at(i - 1).tNs);
}

void TestPump::largeBodyKeepsTheWriteWindow()
{
    // 24 MiB through the pump: it arrives whole, and the stream never holds more than the window
    // and one slice (memory stays flat, a cancel acts at once).
    const qint64 size = 24 << 20;
    PumpedExchange exchange(*ServerPolicy::parse(QStringLiteral("continue")), upload(size, true));
    qint64 mostQueued = 0;
    QTimer watch;
    connect(&watch, &QTimer::timeout, this, [&] {
        for (QObject *child : exchange.children())
            if (auto *pump = qobject_cast<Pump *>(child))
                mostQueued = qMax(mostQueued, pump->stream()->bytesQueued());
    });
    watch.start(0);
    exchange.start();
    QTRY_VERIFY_WITH_TIMEOUT(exchange.done, 20000);
    QCOMPARE(exchange.client->summary().finalStatus.value_or(0), 200);
    QCOMPARE(exchange.client->summary().bodyBytesSent, size);
    QVERIFY2(mostQueued <= Pump::kWriteWindow + Pump::kSliceSize, qPrintable(QString::number(mostQueued)));
}

namespace {
// What the exit hook saw, written in the party thread before its owner's wait() returned.
struct ExitSeen
{
    QThread *thread = nullptr;
    bool adoptedGone = false;
};
ExitSeen g_exitSeen;
QPointer<QObject> g_adopted;
} // namespace

// A party thread's last act is its exit hook, in that thread, after the objects it adopted are
// deleted and before the owner's wait() returns: the TLS engine frees the thread's OpenSSL state
// there, which a process exiting at once would otherwise leak (Qt 6.4's wait() returns before the
// thread's TLS destructors run; LeakSanitizer caught it on CI under load).
void TestPump::partyThreadEndsWithItsExitHook()
{
    PartyThread::setExitHook([] {
        g_exitSeen.thread = QThread::currentThread();
        g_exitSeen.adoptedGone = g_adopted.isNull();
    });
    QThread *worker = nullptr;
    {
        PartyThread thread(QStringLiteral("exit-hook"));
        worker = thread.worker();
        auto *object = new QObject;
        g_adopted = object;
        thread.adopt(object);
    }
    PartyThread::setExitHook(nullptr);
    QCOMPARE(g_exitSeen.thread, worker);
    QVERIFY(g_exitSeen.adoptedGone);
    QVERIFY(g_adopted.isNull());
}

QTEST_GUILESS_MAIN(TestPump)
#include "tst_pump.moc"
