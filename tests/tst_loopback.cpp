// Loopback integration: the real TestServer and the real ExchangeRunner in one process, over real
// sockets on 127.0.0.1:0. Both sides stamp their events with monotonicNowNs(), so the client's and
// the server's events of one exchange can be compared on one time axis.
#include "exchangerunner.h"
#include "monotonicclock.h"
#include "pump.h"
#include "serverpolicy.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>

#include <memory>

using namespace expectlab;

namespace {

constexpr qint64 kBodySize = 64 * 1024;
constexpr int kWaitMs = 10000; // bound for any one exchange; the slowest row takes ~300 ms

// "kind" or "kind:status" for interim and final events: the golden event logs of the table.
QString token(const TimelineEvent &e)
{
    const QString name = kindName(e.kind);
    const bool withStatus = e.kind == EventKind::Interim || e.kind == EventKind::Final ||
                            e.kind == EventKind::InterimSent || e.kind == EventKind::FinalSent;
    return withStatus ? QStringLiteral("%1:%2").arg(name).arg(e.status) : name;
}

QString tokens(const QList<TimelineEvent> &events)
{
    QStringList list;
    for (const TimelineEvent &e : events)
        list << token(e);
    return list.join(QLatin1Char(' '));
}

QList<TimelineEvent> ofConnection(const QList<TimelineEvent> &events, int conn)
{
    QList<TimelineEvent> out;
    for (const TimelineEvent &e : events) {
        if (e.conn == conn)
            out << e;
    }
    return out;
}

const TimelineEvent *firstOf(const QList<TimelineEvent> &events, EventKind kind, int nth = 0)
{
    for (const TimelineEvent &e : events) {
        if (e.kind == kind && nth-- == 0)
            return &e;
    }
    return nullptr;
}

int countOf(const QList<TimelineEvent> &events, EventKind kind)
{
    int n = 0;
    for (const TimelineEvent &e : events)
        n += e.kind == kind ? 1 : 0;
    return n;
}

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

// One server, one exchange, everything recorded. The server outlives the exchange so that its
// closing events are recorded too.
struct Loopback
{
    TestServer server;
    QList<TimelineEvent> serverEvents;
    std::unique_ptr<ExchangeRunner> runner;

    bool listen(const ServerPolicy &policy)
    {
        server.setPolicy(policy);
        QObject::connect(&server, &TestServer::eventRecorded, &server,
                         [this](const TimelineEvent &e) { serverEvents << e; });
        return server.listen(QHostAddress::LocalHost, 0);
    }

    ClientRequest request() const
    {
        ClientRequest r;
        r.url = QUrl(server.url());
        r.timeoutMs = kWaitMs;
        return r;
    }

    bool allServerConnectionsClosed() const
    {
        const int accepted = countOf(serverEvents, EventKind::Accepted);
        return accepted > 0 && countOf(serverEvents, EventKind::Closed) == accepted && server.connectionCount() == 0;
    }

    const ExchangeSummary &summary() const { return runner->exchange().summary(); }
};

// Runs the request to the end and waits until the server closed every connection it accepted.
// Check QTest::currentTestFailed() afterwards.
void runExchange(Loopback &lb, const ClientRequest &request)
{
    lb.runner = std::make_unique<ExchangeRunner>(1, request);
    QString error;
    QVERIFY2(lb.runner->prepare(&error), qPrintable(error));
    QSignalSpy finished(lb.runner.get(), &ExchangeRunner::finished);
    lb.runner->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(lb.runner->isFinished());
    QTRY_VERIFY_WITH_TIMEOUT(lb.allServerConnectionsClosed(), kWaitMs);
}

QJsonObject responseJson(const ExchangeSummary &s)
{
    return QJsonDocument::fromJson(s.responseBodyPreview).object();
}

} // namespace

class TestLoopback : public QObject
{
    Q_OBJECT

private slots:
    void policies_data();
    void policies();
    void delayedContinueIsWaitedFor();
    void ignoredExpectationTimesOut();
    void bodies_data();
    void bodies();
    void largeGeneratedBodyIsStreamedCompletely();
    void earlyFinalStopsALargeUpload();
    void keepAliveRequestsEachGetTheirOwn100();
    void forcedExpectWithoutBody();
    void requestsWithoutBodySendNoExpect_data();
    void requestsWithoutBodySendNoExpect();
    void otherExpectations_data();
    void otherExpectations();
    void http10ExpectGetsNo100_data();
    void http10ExpectGetsNo100();
};

void TestLoopback::policies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("expect");
    QTest::addColumn<int>("expectTimeoutMs");
    QTest::addColumn<bool>("retry");
    QTest::addColumn<QString>("clientLog");
    QTest::addColumn<QStringList>("serverLogs"); // one entry per server connection
    QTest::addColumn<QList<int>>("interims");
    QTest::addColumn<int>("finalStatus"); // 0: none
    QTest::addColumn<qint64>("bodySent");
    QTest::addColumn<qint64>("bytesSaved"); // -1: not checked
    QTest::addColumn<bool>("retried");
    QTest::addColumn<bool>("error");
    QTest::addColumn<int>("waitMinMs"); // expect wait bounds; -1: expect_wait must be null
    QTest::addColumn<int>("waitMaxMs");

    const qint64 K = kBodySize;
    const QString okNoExpect =
        QStringLiteral("connect connected head_sent body_start body_done final:200 response_done closed");
    const QString serverNoExpect = QStringLiteral("accepted head body_start body_done final_sent:200 closed");
    const QString okAfter100 =
        QStringLiteral("connect connected head_sent interim:100 body_start body_done final:200 response_done closed");
    const QString serverAfter100 =
        QStringLiteral("accepted head interim_sent:100 body_start body_done final_sent:200 closed");
    auto addNoExpectRow = [&](const char *name, const QString &policy) {
        QTest::newRow(name) << policy << false << 1000 << true << okNoExpect << QStringList{serverNoExpect}
                            << QList<int>{} << 200 << K << qint64(0) << false << false << -1 << -1;
    };

    QTest::newRow("continue, Expect") << "continue" << true << 1000 << true << okAfter100 << QStringList{serverAfter100}
                                      << QList<int>{100} << 200 << K << qint64(0) << false << false << 0 << 200;
    addNoExpectRow("continue, no Expect", QStringLiteral("continue"));

    // The client's expect timeout is above the delay, so the delayed 100 is what releases the body.
    QTest::newRow("delay:300, Expect") << "delay:300" << true << 2000 << true << okAfter100
                                       << QStringList{serverAfter100} << QList<int>{100} << 200 << K << qint64(0)
                                       << false << false << 300 << 400;
    addNoExpectRow("delay:300, no Expect", QStringLiteral("delay:300"));
    // The client gives up first (R5); the server then sees the body arrive and drops its 100 (R4, R8).
    QTest::newRow("delay:500, Expect, client waits 200")
        << "delay:500" << true << 200 << true
        << "connect connected head_sent expect_timeout body_start body_done final:200 response_done closed"
        << QStringList{serverNoExpect} << QList<int>{} << 200 << K << qint64(0) << false << false << 200 << 400;

    // R5: the client stops waiting and sends the body anyway; the server never sends a 100.
    QTest::newRow("ignore, Expect")
        << "ignore" << true << 200 << true
        << "connect connected head_sent expect_timeout body_start body_done final:200 response_done closed"
        << QStringList{serverNoExpect} << QList<int>{} << 200 << K << qint64(0) << false << false << 200 << 400;
    addNoExpectRow("ignore, no Expect", QStringLiteral("ignore"));

    // R6: retry without Expect on a second connection. The first attempt's body was never sent.
    QTest::newRow("reject, Expect, retry")
        << "reject" << true << 1000 << true
        << "connect connected head_sent final:417 response_done closed retry "
           "connect connected head_sent body_start body_done final:200 response_done closed"
        << QStringList{QStringLiteral("accepted head final_sent:417 closed"), serverNoExpect} << QList<int>{} << 200
        << K << qint64(0) << true << false << 0 << 200; // the retry sent the body: nothing saved (case 20)
    // Without retry the 417 is the answer: an exchange that ended with a final response, no error.
    QTest::newRow("reject, Expect, no retry")
        << "reject" << true << 1000 << false << "connect connected head_sent final:417 response_done closed"
        << QStringList{QStringLiteral("accepted head final_sent:417 closed")} << QList<int>{} << 417 << qint64(0) << K
        << false << false << 0 << 200;
    addNoExpectRow("reject, no Expect", QStringLiteral("reject"));

    // An early final response stops the body: every byte is saved (R11, R21).
    for (int status : {413, 401}) {
        const QString policy = QStringLiteral("final:%1").arg(status);
        QTest::addRow("%s, Expect", qPrintable(policy))
            << policy << true << 1000 << true
            << QStringLiteral("connect connected head_sent final:%1 response_done closed").arg(status)
            << QStringList{QStringLiteral("accepted head final_sent:%1 closed").arg(status)} << QList<int>{} << status
            << qint64(0) << K << false << false << 0 << 200;
        // Without Expect the whole (small) body is already on its way when the answer comes.
        QTest::addRow("%s, no Expect", qPrintable(policy))
            << policy << false << 1000 << true
            << QStringLiteral("connect connected head_sent body_start body_done final:%1 response_done closed")
                   .arg(status)
            << QStringList{QStringLiteral("accepted head final_sent:%1 closed").arg(status)} << QList<int>{} << status
            << K << qint64(0) << false << false << -1 << -1;
    }

    // No response at all: an error, no final status.
    QTest::newRow("close, Expect") << "close" << true << 1000 << true << "connect connected head_sent error closed"
                                   << QStringList{QStringLiteral("accepted head closed")} << QList<int>{} << 0
                                   << qint64(0) << qint64(-1) << false << true << -1 << -1;
    QTest::newRow("close, no Expect") << "close" << false << 1000 << true
                                      << "connect connected head_sent body_start body_done error closed"
                                      << QStringList{QStringLiteral("accepted head closed")} << QList<int>{} << 0 << K
                                      << qint64(-1) << false << true << -1 << -1;
}

void TestLoopback::policies()
{
    QFETCH(QString, policy);
    QFETCH(bool, expect);
    QFETCH(int, expectTimeoutMs);
    QFETCH(bool, retry);
    QFETCH(QString, clientLog);
    QFETCH(QStringList, serverLogs);
    QFETCH(QList<int>, interims);
    QFETCH(int, finalStatus);
    QFETCH(qint64, bodySent);
    QFETCH(qint64, bytesSaved);
    QFETCH(bool, retried);
    QFETCH(bool, error);
    QFETCH(int, waitMinMs);
    QFETCH(int, waitMaxMs);

    const auto parsed = ServerPolicy::parse(policy);
    QVERIFY(parsed);
    Loopback lb;
    QVERIFY2(lb.listen(*parsed), qPrintable(lb.server.errorString()));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = kBodySize;
    request.expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    request.expectTimeoutMs = expectTimeoutMs;
    request.retryWithoutExpect = retry;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    const QList<TimelineEvent> &client = s.events;
    const QList<TimelineEvent> &server = lb.serverEvents;

    // The golden logs, per side and per server connection.
    QCOMPARE(tokens(client), clientLog);
    QStringList actualServerLogs;
    for (int conn = 1; conn <= serverLogs.size() + 1; ++conn) {
        QList<TimelineEvent> events = ofConnection(server, conn);
        // A body that arrives after an early answer is noted (not read, R19) where it falls: before
        // or after the answer left, as the segments go. Its bytes are checked below instead.
        const qsizetype before = events.size();
        events.removeIf(
            [](const TimelineEvent &e) { return e.kind == EventKind::BodyStart && e.rule == QLatin1String("R19"); });
        if (before != events.size()) {
            const TimelineEvent *closed = firstOf(events, EventKind::Closed);
            QVERIFY(closed);
            QVERIFY2(closed->bytes > 0, qPrintable(tokens(events))); // the unread bytes, counted
        }
        if (!events.isEmpty())
            actualServerLogs << tokens(events);
    }
    QCOMPARE(actualServerLogs, serverLogs);

    // The summary.
    QCOMPARE(s.interimStatuses(), interims);
    QCOMPARE(s.finalStatus.value_or(0), finalStatus);
    QCOMPARE(s.bodyBytes, kBodySize);
    QCOMPARE(s.bodyBytesSent, bodySent);
    if (bytesSaved >= 0)
        QCOMPARE(s.bytesSaved, bytesSaved);
    QCOMPARE(s.retried, retried);
    QCOMPARE(!s.error.isEmpty(), error);
    QCOMPARE(s.expectSent, expect);
    QCOMPARE(s.requestHeaders.contains(HttpHeader("Expect", "100-continue")), expect);
    if (waitMinMs < 0) {
        QVERIFY2(!s.expectWaitNs, qPrintable(QString::number(ms(s.expectWaitNs.value_or(0)))));
    } else {
        QVERIFY(s.expectWaitNs);
        QVERIFY2(ms(*s.expectWaitNs) >= waitMinMs && ms(*s.expectWaitNs) < waitMaxMs,
                 qPrintable(QStringLiteral("expect wait %1 ms, expected [%2, %3)")
                                .arg(ms(*s.expectWaitNs))
                                .arg(waitMinMs)
                                .arg(waitMaxMs)));
    }
    // What the server reports about the body it read matches what the client says it sent.
    if (finalStatus == 200) {
        const QJsonObject report = responseJson(s);
        QCOMPARE(report.value(QStringLiteral("received_bytes")).toInteger(), kBodySize);
        QCOMPARE(report.value(QStringLiteral("interim_sent")).toBool(), !interims.isEmpty());
        QCOMPARE(report.value(QStringLiteral("body_before_interim")).toBool(),
                 expect && interims.isEmpty() && !retried);
    }

    // One time axis: causes come before their effects, across the two sides.
    const TimelineEvent *clientConnect = firstOf(client, EventKind::Connect);
    const TimelineEvent *clientHead = firstOf(client, EventKind::HeadSent);
    const TimelineEvent *serverAccepted = firstOf(server, EventKind::Accepted);
    const TimelineEvent *serverHead = firstOf(server, EventKind::Head);
    QVERIFY(clientConnect && clientHead && serverAccepted && serverHead);
    QVERIFY(clientConnect->tNs <= serverAccepted->tNs);
    QVERIFY(clientHead->tNs <= serverHead->tNs);
    if (const TimelineEvent *sent = firstOf(server, EventKind::InterimSent)) {
        const TimelineEvent *got = firstOf(client, EventKind::Interim);
        QVERIFY(got);
        QVERIFY(sent->tNs <= got->tNs);
        const TimelineEvent *bodyStart = firstOf(client, EventKind::BodyStart);
        QVERIFY(bodyStart && got->tNs <= bodyStart->tNs);
    }
    for (int i = 0; const TimelineEvent *sent = firstOf(server, EventKind::FinalSent, i); ++i) {
        const TimelineEvent *got = firstOf(client, EventKind::Final, i);
        QVERIFY(got);
        QCOMPARE(got->status, sent->status);
        QVERIFY(sent->tNs <= got->tNs);
    }
    for (int i = 0; const TimelineEvent *serverBody = firstOf(server, EventKind::BodyStart, i); ++i) {
        const TimelineEvent *clientBody = firstOf(client, EventKind::BodyStart, i);
        QVERIFY(clientBody);
        QVERIFY(clientBody->tNs <= serverBody->tNs);
    }
    // Every client event carries the exchange's id, every server event its connection's.
    for (const TimelineEvent &e : client) {
        QCOMPARE(e.side, Side::Client);
        QCOMPARE(e.conn, 1);
        QVERIFY(e.tNs >= s.startNs && e.tNs <= s.endNs.value_or(0));
    }
    for (const TimelineEvent &e : server)
        QCOMPARE(e.side, Side::Server);
}

void TestLoopback::delayedContinueIsWaitedFor()
{
    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(QStringLiteral("delay:300"))));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "delayed";
    request.expectTimeoutMs = 2000;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QVERIFY(s.expectWaitNs);
    QVERIFY2(*s.expectWaitNs >= 300'000'000 && *s.expectWaitNs < 400'000'000,
             qPrintable(QString::number(ms(*s.expectWaitNs))));
    // The server held the 100 for its delay, and the client sent nothing in the meantime.
    const TimelineEvent *head = firstOf(lb.serverEvents, EventKind::Head);
    const TimelineEvent *interim = firstOf(lb.serverEvents, EventKind::InterimSent);
    const TimelineEvent *clientBody = firstOf(s.events, EventKind::BodyStart);
    QVERIFY(head && interim && clientBody);
    QVERIFY2(interim->tNs - head->tNs >= 300'000'000, qPrintable(QString::number(ms(interim->tNs - head->tNs))));
    QVERIFY(clientBody->tNs >= interim->tNs);
    QCOMPARE(countOf(s.events, EventKind::ExpectTimeout), 0);
}

void TestLoopback::ignoredExpectationTimesOut()
{
    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(QStringLiteral("ignore"))));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "ignored";
    request.expectTimeoutMs = 200;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    const TimelineEvent *head = firstOf(s.events, EventKind::HeadSent);
    const TimelineEvent *timeout = firstOf(s.events, EventKind::ExpectTimeout);
    QVERIFY(head && timeout);
    QVERIFY2(timeout->tNs - head->tNs >= 200'000'000, qPrintable(QString::number(ms(timeout->tNs - head->tNs))));
    QCOMPARE(timeout->rule, QStringLiteral("R5"));
    QCOMPARE(s.finalStatus.value_or(0), 200);
    QVERIFY(s.interimStatuses().isEmpty());
    QCOMPARE(countOf(lb.serverEvents, EventKind::InterimSent), 0);
    // The server saw the body arrive without any 100 from it.
    const TimelineEvent *serverBody = firstOf(lb.serverEvents, EventKind::BodyStart);
    QVERIFY(serverBody && serverBody->tNs >= timeout->tNs);
}

void TestLoopback::bodies_data()
{
    QTest::addColumn<QString>("kind"); // text, file, generated
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<bool>("expect");

    for (bool chunked : {false, true}) {
        for (bool expect : {true, false}) {
            const char *framing = chunked ? "chunked" : "length";
            const char *e = expect ? "Expect" : "no Expect";
            QTest::addRow("text, %s, %s", framing, e) << "text" << qint64(11) << chunked << expect;
            QTest::addRow("file, %s, %s", framing, e) << "file" << qint64(300'001) << chunked << expect;
            QTest::addRow("generated, %s, %s", framing, e) << "generated" << qint64(100'000) << chunked << expect;
        }
    }
    // A chunked empty body still has content framing: only the last chunk goes out.
    QTest::newRow("empty text, chunked, Expect") << "text" << qint64(0) << true << true;
}

void TestLoopback::bodies()
{
    QFETCH(QString, kind);
    QFETCH(qint64, size);
    QFETCH(bool, chunked);
    QFETCH(bool, expect);

    Loopback lb;
    QVERIFY(lb.listen(ServerPolicy{}));
    ClientRequest request = lb.request();
    request.chunked = chunked;
    request.expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;

    QByteArray content(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        content[i] = char('A' + i % 23);
    QTemporaryFile file;
    if (kind == QLatin1String("text")) {
        request.body.kind = BodySpec::Kind::Text;
        request.body.text = content;
    } else if (kind == QLatin1String("file")) {
        QVERIFY(file.open());
        QCOMPARE(file.write(content), size);
        QVERIFY(file.flush());
        request.body.kind = BodySpec::Kind::File;
        request.body.filePath = file.fileName();
    } else {
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = size;
    }
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QCOMPARE(s.finalStatus.value_or(0), 200);
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    QCOMPARE(s.bodyBytes, size);
    QCOMPARE(s.bodyBytesSent, size);
    QCOMPARE(s.interimStatuses(), expect ? QList<int>{100} : QList<int>{});
    const auto framingHeader =
        chunked ? HttpHeader("Transfer-Encoding", "chunked") : HttpHeader("Content-Length", QByteArray::number(size));
    QVERIFY(s.requestHeaders.contains(framingHeader));

    const QJsonObject report = responseJson(s);
    QCOMPARE(report.value(QStringLiteral("received_bytes")).toInteger(), size);
    const TimelineEvent *serverDone = firstOf(lb.serverEvents, EventKind::BodyDone);
    QVERIFY(serverDone);
    QCOMPARE(serverDone->bytes, size);
    const TimelineEvent *clientDone = firstOf(s.events, EventKind::BodyDone);
    QVERIFY(clientDone);
    QCOMPARE(clientDone->bytes, size);
    QVERIFY(clientDone->tNs <= serverDone->tNs);
}

// More than the runner's write window: the body must keep flowing after the first window drains.
void TestLoopback::largeGeneratedBodyIsStreamedCompletely()
{
    const qint64 size = 5 * Pump::kWriteWindow + 12345;
    Loopback lb;
    QVERIFY(lb.listen(ServerPolicy{}));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = size;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    QCOMPARE(s.finalStatus.value_or(0), 200);
    QCOMPARE(s.bodyBytesSent, size);
    QCOMPARE(responseJson(s).value(QStringLiteral("received_bytes")).toInteger(), size);
}

// R21: an early final response while uploading without Expect stops the upload; the server
// discards what was already on its way instead of reading it as a next request (R19).
void TestLoopback::earlyFinalStopsALargeUpload()
{
    const qint64 size = 64LL * 1024 * 1024;
    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(QStringLiteral("final:413"))));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = size;
    request.expect = ClientRequest::ExpectMode::Off;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
    QCOMPARE(s.finalStatus.value_or(0), 413);
    QVERIFY2(s.bodyBytesSent < size, qPrintable(QString::number(s.bodyBytesSent)));
    QCOMPARE(s.bodyBytesSent + s.bytesSaved, size);
    QCOMPARE(countOf(s.events, EventKind::BodyDone), 0);
    const TimelineEvent *final = firstOf(s.events, EventKind::Final);
    QVERIFY(final);
    QCOMPARE(final->rule, QStringLiteral("R21"));
    const TimelineEvent *closed = firstOf(lb.serverEvents, EventKind::Closed);
    QVERIFY(closed);
    QCOMPARE(countOf(lb.serverEvents, EventKind::Head), 1); // nothing of the body parsed as a request
}

// Keep-alive: every request on one connection gets its own decision; a request without content
// gets no 100 even when it carries Expect (R8).
void TestLoopback::keepAliveRequestsEachGetTheirOwn100()
{
    Loopback lb;
    QVERIFY(lb.listen(ServerPolicy{}));
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, lb.server.port());
    QVERIFY(socket.waitForConnected(kWaitMs));

    const QByteArray interim = "HTTP/1.1 100 Continue\r\n\r\n";
    for (int i = 1; i <= 3; ++i) {
        const QByteArray body(i * 7, 'k');
        received.clear();
        socket.write("PUT /item HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(received, interim, kWaitMs);
        socket.write(body);
        QTRY_VERIFY_WITH_TIMEOUT(received.endsWith("}"), kWaitMs);
        QVERIFY2(received.mid(interim.size()).startsWith("HTTP/1.1 200 "), received.constData());
        QVERIFY(!received.contains("Connection: close"));
        const QJsonObject report =
            QJsonDocument::fromJson(received.mid(received.indexOf("\r\n\r\n", interim.size()) + 4)).object();
        QCOMPARE(report.value(QStringLiteral("request")).toInt(), i);
        QCOMPARE(report.value(QStringLiteral("received_bytes")).toInteger(), body.size());
        QCOMPARE(report.value(QStringLiteral("connection")).toInt(), 1);
    }
    received.clear();
    socket.write("GET /nobody HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(received.endsWith("}"), kWaitMs);
    QVERIFY2(received.startsWith("HTTP/1.1 200 "), received.constData());
    QCOMPARE(countOf(lb.serverEvents, EventKind::InterimSent), 3);
    QCOMPARE(countOf(lb.serverEvents, EventKind::FinalSent), 4);
    QCOMPARE(countOf(lb.serverEvents, EventKind::Accepted), 1);
    socket.disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(lb.allServerConnectionsClosed(), kWaitMs);
}

// ExpectMode::On sends Expect without content, against R2, to test servers: the client records
// the breach and does not wait; our server needs no 100 for it (R8).
void TestLoopback::forcedExpectWithoutBody()
{
    Loopback lb;
    QVERIFY(lb.listen(ServerPolicy{}));
    ClientRequest request = lb.request();
    request.expect = ClientRequest::ExpectMode::On;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QVERIFY(s.expectSent);
    QCOMPARE(s.finalStatus.value_or(0), 200);
    QVERIFY(s.interimStatuses().isEmpty());
    QCOMPARE(tokens(s.events), QStringLiteral("connect connected head_sent final:200 response_done closed"));
    QCOMPARE(firstOf(s.events, EventKind::HeadSent)->rule, QStringLiteral("R2"));
    QCOMPARE(tokens(lb.serverEvents), QStringLiteral("accepted head final_sent:200 closed"));
}

void TestLoopback::requestsWithoutBodySendNoExpect_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("policy");

    for (const char *method : {"GET", "HEAD"}) {
        for (const char *policy : {"continue", "delay:300", "ignore", "reject"})
            QTest::addRow("%s, %s", method, policy) << QByteArray(method) << QString::fromLatin1(policy);
    }
}

// R2: no Expect on a request without content, so no policy has anything to wait for or reject.
void TestLoopback::requestsWithoutBodySendNoExpect()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, policy);

    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(policy)));
    ClientRequest request = lb.request();
    request.method = method;
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QCOMPARE(s.method, method);
    QVERIFY(!s.expectSent);
    for (const HttpHeader &h : s.requestHeaders) {
        QVERIFY2(h.first.compare("Expect", Qt::CaseInsensitive) != 0, h.second.constData());
        QVERIFY(h.first.compare("Content-Length", Qt::CaseInsensitive) != 0);
    }
    QVERIFY(!s.expectWaitNs);
    QCOMPARE(tokens(s.events), QStringLiteral("connect connected head_sent final:200 response_done closed"));
    QCOMPARE(tokens(lb.serverEvents), QStringLiteral("accepted head final_sent:200 closed"));
    const TimelineEvent *head = firstOf(lb.serverEvents, EventKind::Head);
    QVERIFY(head && !head->detail.contains(QLatin1String("Expect")));
    QCOMPARE(s.bodyBytesSent, 0);
    if (method == "HEAD")
        QCOMPARE(s.responseBodyBytes, 0);
    else
        QVERIFY(s.responseBodyBytes > 0);
}

void TestLoopback::otherExpectations_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("finalStatus");
    QTest::addColumn<QList<int>>("interims");

    // R1: an expectation other than 100-continue gets 417 under every policy, even close.
    for (const char *policy : {"continue", "delay:300", "ignore", "reject", "final:413", "final:401", "close"})
        QTest::addRow("x-unknown, %s", policy)
            << QString::fromLatin1(policy) << QByteArray("x-unknown") << 417 << QList<int>{};
    // 100-continue has no parameters: with one it is another expectation.
    QTest::newRow("100-continue with a parameter")
        << "continue" << QByteArray("100-continue; foo=bar") << 417 << QList<int>{};
    // ...but it is case-insensitive.
    QTest::newRow("100-Continue") << "continue" << QByteArray("100-Continue") << 200 << QList<int>{100};
    QTest::newRow("100-CONTINUE") << "continue" << QByteArray("100-CONTINUE") << 200 << QList<int>{100};
}

void TestLoopback::otherExpectations()
{
    QFETCH(QString, policy);
    QFETCH(QByteArray, value);
    QFETCH(int, finalStatus);
    QFETCH(QList<int>, interims);

    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(policy)));
    ClientRequest request = lb.request();
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "custom expectation";
    request.expect = ClientRequest::ExpectMode::Custom;
    request.expectValue = value;
    request.retryWithoutExpect = false; // the 417 itself is what is checked
    runExchange(lb, request);
    if (QTest::currentTestFailed())
        return;

    const ExchangeSummary &s = lb.summary();
    QVERIFY(s.requestHeaders.contains(HttpHeader("Expect", value)));
    QCOMPARE(s.finalStatus.value_or(0), finalStatus);
    QCOMPARE(s.interimStatuses(), interims);
    QVERIFY(!s.retried);
    const TimelineEvent *final = firstOf(lb.serverEvents, EventKind::FinalSent);
    QVERIFY(final);
    QCOMPARE(final->status, finalStatus);
    if (finalStatus == 417) {
        QCOMPARE(tokens(lb.serverEvents), QStringLiteral("accepted head final_sent:417 closed"));
        QCOMPARE(final->rule, QStringLiteral("R1"));
        QCOMPARE(s.bodyBytesSent, 0);
        QCOMPARE(s.bytesSaved, request.body.text.size());
        // The 417's body names the expectation that failed.
        const QJsonObject body = responseJson(s);
        QCOMPARE(body.value(QStringLiteral("error")).toString(), QStringLiteral("expectation_failed"));
        QCOMPARE(body.value(QStringLiteral("expect")).toString(), QString::fromLatin1(value));
    }
}

void TestLoopback::http10ExpectGetsNo100_data()
{
    QTest::addColumn<QString>("policy");
    for (const char *policy : {"continue", "ignore", "reject"})
        QTest::newRow(policy) << QString::fromLatin1(policy);
}

// R7 / R15: the server ignores 100-continue in an HTTP/1.0 request and never sends it a 1xx.
// Sent raw, because our own client only speaks HTTP/1.1.
void TestLoopback::http10ExpectGetsNo100()
{
    QFETCH(QString, policy);

    Loopback lb;
    QVERIFY(lb.listen(*ServerPolicy::parse(policy)));
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, lb.server.port());
    QVERIFY(socket.waitForConnected(kWaitMs));

    const QByteArray body = "0123456789";
    socket.write("POST /old HTTP/1.0\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n\r\n");
    // Once the server has decided on the head, any 100 it was going to send is already written.
    QTRY_VERIFY_WITH_TIMEOUT(firstOf(lb.serverEvents, EventKind::Head), kWaitMs);
    socket.write(body);
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, kWaitMs);
    received += socket.readAll();

    QVERIFY2(received.startsWith("HTTP/1.1 200 "), received.constData());
    QVERIFY2(!received.contains(" 100 "), received.constData());
    QVERIFY(received.contains("\r\nConnection: close\r\n")); // HTTP/1.0 without keep-alive
    const QJsonObject report = QJsonDocument::fromJson(received.mid(received.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(report.value(QStringLiteral("received_bytes")).toInteger(), body.size());
    QCOMPARE(report.value(QStringLiteral("interim_sent")).toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(lb.allServerConnectionsClosed(), kWaitMs);
    QCOMPARE(tokens(lb.serverEvents), QStringLiteral("accepted head body_start body_done final_sent:200 closed"));
}

QTEST_GUILESS_MAIN(TestLoopback)
#include "tst_loopback.moc"
