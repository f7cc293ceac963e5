// Limits and misbehaviours on real loopback sockets: each limit answers with its status and leaves
// an event; our client, facing each misbehaving server, records what happened and always finishes.
#include "exchangerunner.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace expectlab;

namespace {
// Collects the server's events and answers questions about them.
class ServerWatch : public QObject
{
public:
    explicit ServerWatch(TestServer *server)
    {
        connect(server, &TestServer::eventRecorded, this, [this](const TimelineEvent &e) { events << e; });
    }
    bool has(EventKind kind, int status = 0, const QString &detailPart = {}) const
    {
        for (const auto &e : events) {
            if (e.kind == kind && (status == 0 || e.status == status) &&
                (detailPart.isEmpty() || e.detail.contains(detailPart)))
                return true;
        }
        return false;
    }
    QList<TimelineEvent> events;
};

// A raw client driven by the event loop (the server runs in the same thread, so no blocking
// waits): sends bytes once connected and collects the reply until the server closes.
class RawClient : public QObject
{
public:
    RawClient(quint16 port, const QByteArray &bytes)
    {
        connect(&socket, &QTcpSocket::connected, this, [this, bytes] { socket.write(bytes); });
        connect(&socket, &QTcpSocket::readyRead, this, [this] { reply += socket.readAll(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
        connect(&socket, &QTcpSocket::errorOccurred, this, [this] { closed = true; });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }
    QTcpSocket socket;
    QByteArray reply;
    bool closed = false;
};

ExchangeSummary runClient(const ClientRequest &request)
{
    ExchangeRunner runner(1, request);
    QSignalSpy finished(&runner, &ExchangeRunner::finished);
    runner.start();
    if (!runner.isFinished())
        finished.wait(request.timeoutMs + 5000);
    return runner.exchange().summary();
}
} // namespace

class TestLimits : public QObject
{
    Q_OBJECT
private slots:
    void serverLimits_data();
    void serverLimits();
    void connectionCap();
    void idleKeepAliveClose();
    void clientAgainstMisbehaviour_data();
    void clientAgainstMisbehaviour();
    void clientAgainstHugeResponseHead();
};

void TestLimits::serverLimits_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("eventDetail");
    QTest::newRow("head over 64 KiB: 431")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + QByteArray(70000, 'a') + "\r\n\r\n") << 431
        << "request head larger";
    QTest::newRow("Content-Length over the body limit: 413 before the body")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n") << 413
        << "exceeds the body limit";
    QTest::newRow("chunked body crossing the limit: 413 at the crossing")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" +
                      QByteArray(1024, 'b') + "\r\n400\r\n" + QByteArray(1024, 'b') + "\r\n0\r\n\r\n")
        << 413 << "crossed the limit";
    QTest::newRow("slow head: 408") << QByteArray("POST / HTTP/1.1\r\nHost: slow") << 408 << "not complete within";
    QTest::newRow("bad request line: 400") << QByteArray("NONSENSE\r\n\r\n") << 400 << "malformed request";
    QTest::newRow("CL with TE: 400")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        << 400 << "malformed request";
    QTest::newRow("bad chunk size: 400")
        << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400
        << "malformed request";
}

void TestLimits::serverLimits()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, eventDetail);
    TestServer server;
    ServerLimits limits;
    limits.maxBodyBytes = 1500;
    limits.headTimeoutMs = 300;
    server.setLimits(limits);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ServerWatch watch(&server);
    QElapsedTimer timer;
    timer.start();
    RawClient client(server.port(), request);
    QTRY_VERIFY_WITH_TIMEOUT(client.closed, 5000);
    const QByteArray reply = client.reply;
    QVERIFY2(reply.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), reply.left(200).constData());
    QVERIFY(reply.contains("\r\nConnection: close\r\n"));
    QTRY_VERIFY_WITH_TIMEOUT(watch.has(EventKind::FinalSent, status, eventDetail), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(watch.has(EventKind::Closed), 5000);
    if (status == 408)
        QVERIFY2(timer.elapsed() >= 290, qPrintable(QString::number(timer.elapsed())));
}

void TestLimits::connectionCap()
{
    TestServer server;
    ServerLimits limits;
    limits.maxConnections = 2;
    server.setLimits(limits);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ServerWatch watch(&server);
    RawClient a(server.port(), QByteArray());
    RawClient b(server.port(), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, 3000);
    RawClient c(server.port(), QByteArray());
    // The kernel accepts the third; the server closes it at once, with an event saying why.
    QTRY_VERIFY_WITH_TIMEOUT(c.closed, 3000);
    QVERIFY(c.reply.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(watch.has(EventKind::Closed, 0, QStringLiteral("limit of 2 open connections")), 3000);
    QCOMPARE(server.connectionCount(), 2);
    a.socket.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(a.reply.startsWith("HTTP/1.1 200 OK"), 3000);
    QVERIFY(!a.closed && !b.closed);
}

void TestLimits::idleKeepAliveClose()
{
    TestServer server;
    ServerLimits limits;
    limits.idleTimeoutMs = 200;
    server.setLimits(limits);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ServerWatch watch(&server);
    RawClient client(server.port(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(client.reply.contains("}"), 3000);
    QElapsedTimer timer;
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(watch.has(EventKind::Closed, 0, QStringLiteral("idle keep-alive")), 3000);
    QVERIFY(timer.elapsed() >= 150);
    QTRY_VERIFY_WITH_TIMEOUT(client.closed, 3000);
}

void TestLimits::clientAgainstMisbehaviour_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("finalStatus"); // 0: none
    QTest::addColumn<QList<int>>("interims");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("continue-twice") << "continue-twice" << 200 << QList<int>{100, 100} << "";
    QTest::newRow("continue-after-body") << "continue-after-body" << 200 << QList<int>{100} << "";
    QTest::newRow("interim:102") << "interim:102" << 200 << QList<int>{100, 102} << "";
    QTest::newRow("interim:103") << "interim:103" << 200 << QList<int>{100, 103} << "";
    QTest::newRow("reject-after-body") << "reject-after-body" << 417 << QList<int>{100} << "";
    QTest::newRow("garbage") << "garbage" << 0 << QList<int>{} << "malformed response";
    QTest::newRow("close-mid-body") << "close-mid-body" << 0 << QList<int>{100} << "";
    QTest::newRow("silent") << "silent" << 0 << QList<int>{} << "timed out after 1500 ms";
}

void TestLimits::clientAgainstMisbehaviour()
{
    QFETCH(QString, policy);
    QFETCH(int, finalStatus);
    QFETCH(QList<int>, interims);
    QFETCH(QString, errorPart);
    TestServer server;
    server.setPolicy(*ServerPolicy::parse(policy));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ClientRequest request;
    request.url = QUrl(server.url());
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 300000;
    request.expectTimeoutMs = 200;
    request.timeoutMs = 1500;
    const ExchangeSummary s = runClient(request);
    QVERIFY(s.finished());
    QCOMPARE(s.finalStatus.value_or(0), finalStatus);
    // A 417 is retried without Expect: the 100 belonged to the first attempt, kept apart (case 6).
    const QList<int> got = s.retried ? s.earlierAttempts.first().interimStatuses() : s.interimStatuses();
    QCOMPARE(got.mid(0, interims.size()), interims);
    if (finalStatus == 0)
        QVERIFY(!s.error.isEmpty());
    if (!errorPart.isEmpty())
        QVERIFY2(s.error.contains(errorPart), qPrintable(s.error));
}

void TestLimits::clientAgainstHugeResponseHead()
{
    QTcpServer raw;
    QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
    connect(&raw, &QTcpServer::newConnection, this, [&raw] {
        QTcpSocket *s = raw.nextPendingConnection();
        QByteArray huge = "HTTP/1.1 200 OK\r\n";
        for (int i = 0; i < 2000; ++i)
            huge += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(100, 'f') + "\r\n";
        s->write(huge);
    });
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(raw.serverPort()));
    request.timeoutMs = 5000;
    const ExchangeSummary s = runClient(request);
    QVERIFY(s.finished());
    QVERIFY(!s.finalStatus);
    QVERIFY2(s.error.contains(QStringLiteral("larger than 65536 bytes")), qPrintable(s.error));
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
