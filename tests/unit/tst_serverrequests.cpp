// The server connection against requests that real and hostile peers send (issue 12, cases 7-12):
// framing and head checks as a table, Upgrade and CONNECT, the body timeout, bounded memory and
// backpressure, huge Content-Length, messages in words, and times taken when bytes leave.
#include "httpparser.h"
#include "serverconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;

struct Server
{
    explicit Server(const QString &policy, const ServerLimits &limits = {})
        : conn(1, *ServerPolicy::parse(policy), 0, limits)
    {}
    QByteArray feed(const QByteArray &bytes, qint64 ms = 0)
    {
        conn.receive(bytes, ms * kMs);
        return handOver(ms);
    }
    QByteArray at(qint64 ms)
    {
        conn.advanceTime(ms * kMs);
        return handOver(ms);
    }
    QByteArray handOver(qint64 ms)
    {
        const QByteArray out = conn.takeOutgoing();
        if (!holdOutput)
            conn.sent(out.size(), ms * kMs);
        events += conn.takeEvents();
        return out;
    }
    void close(qint64 ms, bool reset = false)
    {
        conn.peerClosed(ms * kMs, reset);
        conn.transportClosed(ms * kMs);
        events += conn.takeEvents();
    }
    // The statuses of the responses in our output, read as a client reads them.
    QList<int> statuses(const QByteArray &out) const
    {
        struct Reader : HttpParser::Sink
        {
            HttpParser::HeadAction onHead(const MessageHead &head) override
            {
                statuses << head.status;
                return HttpParser::HeadAction::Continue;
            }
            void onBody(QByteArrayView) override {}
            void onMessageComplete() override {}
            QList<int> statuses;
        } reader;
        HttpParser parser(HttpParser::Kind::Response, &reader);
        parser.feed(out);
        return reader.statuses;
    }
    const TimelineEvent *find(EventKind kind) const
    {
        for (const TimelineEvent &e : events) {
            if (e.kind == kind)
                return &e;
        }
        return nullptr;
    }
    ServerConnection conn;
    QList<TimelineEvent> events;
    bool holdOutput = false;
};

const QByteArray kHost = "Host: h\r\n";
} // namespace

class TestServerRequests : public QObject
{
    Q_OBJECT
private slots:
    void requests_data();
    void requests();
    void transferEncodingRefusedAtOnce();
    void headLimitIsExact();
    void bodyTimeout();
    void bodyTimeoutWaitsForDelayedContinue();
    void unreadOutputStopsReading();
    void unreadOutputClosesAfterSendTimeout();
    void wireLogStaysBounded();
    void pipelinedFloodIsHeldInTheCore();
    void oneAnswerWhenABodyIsRefused();
    void trailersAreBounded();
    void nonAsciiIsNotDoubleEncoded();
    void interimTimeIsWhenItLeft();
    void whoClosedFirst_data();
    void whoClosedFirst();
    void earlyAnswerCountsBytesBeforeAndAfter();
    void garbageIsItsOwnKind();
};

void TestServerRequests::requests_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QList<int>>("statuses"); // every status we answer, in order
    QTest::addColumn<bool>("closes");
    QTest::addColumn<QString>("reason"); // a word the error event or the body must have ("" for none)

    const QByteArray get2 = "GET /2 HTTP/1.1\r\n" + kHost + "\r\n";
    // Case 7: no 101 was sent, so the connection stays HTTP/1.1 (RFC 9110 7.8).
    QTest::newRow("Upgrade: h2c, then a request")
        << "continue"
        << "GET /1 HTTP/1.1\r\n" + kHost +
               "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n" + get2
        << QList<int>{200, 200} << false << "";
    QTest::newRow("Upgrade: websocket, then a request")
        << "continue"
        << "GET /ws HTTP/1.1\r\n" + kHost +
               "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: "
               "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" +
               get2
        << QList<int>{200, 200} << false << "";
    QTest::newRow("CONNECT is refused (RFC 9110 9.3.6)")
        << "continue" << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n") + get2
        << QList<int>{501} << true << "proxy";
    // Case 10: 2^63-1 is a number; 2^63 .. 2^64-1 cannot be counted; 2^64 is not a Content-Length.
    QTest::newRow("Content-Length 2^63") << "continue"
                                         << "POST / HTTP/1.1\r\n" + kHost +
                                                "Expect: 100-continue\r\nContent-Length: 9223372036854775808\r\n\r\n"
                                         << QList<int>{413} << true << "2^63";
    QTest::newRow("Content-Length 2^64-1")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 18446744073709551615\r\n\r\n"
        << QList<int>{413} << true << "2^63";
    QTest::newRow("Content-Length 2^64") << "continue"
                                         << "POST / HTTP/1.1\r\n" + kHost +
                                                "Content-Length: 18446744073709551616\r\n\r\n"
                                         << QList<int>{400} << true << "Content-Length";
    // Case 11: RFC 9112 3.2, Host.
    QTest::newRow("HTTP/1.1 without Host")
        << "continue" << QByteArray("GET / HTTP/1.1\r\n\r\n") << QList<int>{400} << true << "Host";
    QTest::newRow("two Host fields") << "continue" << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                                     << QList<int>{400} << true << "Host";
    QTest::newRow("invalid Host") << "continue" << QByteArray("GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n")
                                  << QList<int>{400} << true << "Host";
    QTest::newRow("HTTP/1.0 without Host is fine")
        << "continue" << QByteArray("GET / HTTP/1.0\r\n\r\n") << QList<int>{200} << true << "";
    // Chunk data must end in CRLF: otherwise a request hides behind it (desync).
    QTest::newRow("chunk data without CRLF, then a smuggled request")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n" + get2
        << QList<int>{400} << true << "CRLF";
    QTest::newRow("chunk extension with BWS")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n5 ; ext = 1\r\nhello\r\n0\r\n\r\n"
        << QList<int>{200} << false << "";
    QTest::newRow("chunk extension, quoted string with an escaped quote")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n5;name=\"a\\\"b\"\r\nhello\r\n0\r\n\r\n"
        << QList<int>{200} << false << "";
    QTest::newRow("HTTP/0.9 request line with headers gets no 100")
        << "continue"
        << "POST /up\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        << QList<int>{400} << true << "HTTP/0.9";
    QTest::newRow("HTTP/2.0 in a request line") << "continue"
                                                << "GET / HTTP/2.0\r\n" + kHost + "\r\n"
                                                << QList<int>{505} << true << "HTTP/2.0";
    // Case 12: what is wrong, named; the expectation read as a list (RFC 9110 10.1.1, 5.6.1).
    QTest::newRow("empty Expect: no expectation, no 417")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Expect:\r\nContent-Length: 5\r\n\r\nhello" << QList<int>{200} << false
        << "";
    QTest::newRow("100-continue twice is one expectation")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        << QList<int>{100} << false << "";
    QTest::newRow("an unknown expectation is named")
        << "continue"
        << "POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue, x-foo\r\nContent-Length: 5\r\n\r\n"
        << QList<int>{417} << true << "'x-foo'";
    QTest::newRow("parse error in words") << "continue" << QByteArray("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
                                          << QList<int>{400} << true << "invalid character";
}

void TestServerRequests::requests()
{
    QFETCH(QString, policy);
    QFETCH(QByteArray, wire);
    QFETCH(QList<int>, statuses);
    QFETCH(bool, closes);
    QFETCH(QString, reason);
    Server s(policy);
    const QByteArray out = s.feed(wire);
    QCOMPARE(s.statuses(out), statuses);
    QCOMPARE(s.conn.closeMode() != ServerConnection::CloseMode::None, closes);
    QVERIFY2(!out.contains("HPE_"), out.constData());
    // What was wrong is named where a user reads it: the response body or the server's events.
    QString said = QString::fromUtf8(out);
    for (const TimelineEvent &e : std::as_const(s.events))
        said += QLatin1Char('\n') + e.detail;
    if (!reason.isEmpty())
        QVERIFY2(said.contains(reason), qPrintable(said));
    for (const TimelineEvent &e : std::as_const(s.events))
        QVERIFY2(!e.detail.contains(QLatin1String("HPE_")), qPrintable(e.detail));
}

void TestServerRequests::transferEncodingRefusedAtOnce()
{
    // Without chunked last the body's length is unknown (RFC 9112 6.3): 400 on the head, not after
    // another byte.
    Server s(QStringLiteral("continue"));
    const QByteArray out = s.feed("POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: gzip\r\n\r\n");
    QVERIFY2(out.startsWith("HTTP/1.1 400 "), out.constData());
    QVERIFY(out.contains("gzip"));
}

void TestServerRequests::headLimitIsExact()
{
    ServerLimits limits;
    limits.maxHeadBytes = 1024;
    const QByteArray prefix = "GET / HTTP/1.1\r\n" + kHost + "X-Pad: ";
    for (int extra : {0, 1}) {
        const QByteArray head = prefix + QByteArray(1024 - prefix.size() - 4 + extra, 'a') + "\r\n\r\n";
        QCOMPARE(head.size(), 1024 + extra);
        Server s(QStringLiteral("continue"), limits);
        const QByteArray out = s.feed(head);
        QVERIFY2(out.startsWith(extra ? "HTTP/1.1 431 " : "HTTP/1.1 200 "), out.constData());
    }
}

void TestServerRequests::bodyTimeout()
{
    // Case 8: a body that stops arriving ends with 408 and a close, counted from its last byte.
    ServerLimits limits;
    limits.bodyTimeoutMs = 2000;
    Server s(QStringLiteral("continue"), limits);
    s.feed("POST / HTTP/1.1\r\n" + kHost + "Content-Length: 10\r\n\r\nhello", 0);
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 2000 * kMs);
    s.feed("x", 1500); // a byte pushes it on
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 3500 * kMs);
    QVERIFY(s.at(3499).isEmpty());
    const QByteArray out = s.at(3500);
    QVERIFY2(out.startsWith("HTTP/1.1 408 "), out.constData());
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
    const TimelineEvent *error = s.find(EventKind::Error);
    QVERIFY(error);
    QCOMPARE(error->error, ErrorKind::BodyTimeout);
}

void TestServerRequests::bodyTimeoutWaitsForDelayedContinue()
{
    // The server itself keeps the client waiting under delay:MS: that time is not the client's.
    ServerLimits limits;
    limits.bodyTimeoutMs = 1000;
    Server s(QStringLiteral("delay:3000"), limits);
    s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", 0);
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 3000 * kMs);
    QCOMPARE(s.at(3000), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 4000 * kMs);
    QVERIFY(s.at(4000).startsWith("HTTP/1.1 408 "));
}

void TestServerRequests::unreadOutputStopsReading()
{
    // Case 9: pipelined GETs from a peer that never reads: once 1 MiB of answers waits for the
    // kernel, the adapter is told to read no more.
    Server s(QStringLiteral("continue"));
    s.holdOutput = true;
    const QByteArray get = "GET / HTTP/1.1\r\n" + kHost + "\r\n";
    int fed = 0;
    while (s.conn.wantsInput() && fed < 100000) {
        s.feed(get);
        ++fed;
    }
    QVERIFY2(fed < 100000, "reading never stopped");
    QVERIFY(!s.conn.wantsInput());
    s.conn.sent(ServerConnection::kMaxUnsentBytes, 0); // the peer read: reading resumes
    QVERIFY(s.conn.wantsInput());
}

void TestServerRequests::unreadOutputClosesAfterSendTimeout()
{
    // Its own limit: even with idle connections kept forever, a peer that reads nothing is closed.
    ServerLimits limits;
    limits.idleTimeoutMs = 0;
    limits.sendTimeoutMs = 5000;
    Server s(QStringLiteral("continue"), limits);
    s.holdOutput = true;
    s.feed("GET / HTTP/1.1\r\n" + kHost + "\r\n", 10);
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 5010 * kMs);
    s.at(5009);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::None);
    s.at(5010);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Now);
}

void TestServerRequests::wireLogStaysBounded()
{
    // Case 9: 50,000 pipelined requests on one connection: the wire log keeps a bounded number of
    // records and says what it dropped.
    Server s(QStringLiteral("continue"));
    const QByteArray get = "GET / HTTP/1.1\r\n" + kHost + "\r\n";
    for (int i = 0; i < 50000; ++i)
        s.feed(get);
    const WireLog &wire = s.conn.wireLog();
    QVERIFY2(wire.records().size() < 5000, qPrintable(QString::number(wire.records().size())));
    QVERIFY(wire.droppedRecords() > 0);
    QCOMPARE(wire.totalBytes(WireLog::Direction::Received), 50000 * get.size());
    QVERIFY(wire.toText(0).contains(QLatin1String("not kept")));
}

void TestServerRequests::pipelinedFloodIsHeldInTheCore()
{
    // Case 9: 50,000 pipelined GETs in one read from a peer that reads nothing. The core stops at
    // about 1 MiB of unsent answers and holds the rest; the body and head timers do not run meanwhile.
    Server s(QStringLiteral("continue"));
    s.holdOutput = true;
    const QByteArray get = "GET / HTTP/1.1\r\n" + kHost + "\r\n";
    const QByteArray out = s.feed(get.repeated(50000));
    QVERIFY2(out.size() < 2 * ServerConnection::kMaxUnsentBytes, qPrintable(QString::number(out.size())));
    QVERIFY(s.conn.hasHeldInput());
    QVERIFY(!s.conn.wantsInput());
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 30000 * kMs); // only the send timeout
    // The peer reads: what was held is answered, a megabyte at a time.
    const int answered = s.conn.requestCount();
    s.conn.sent(out.size(), 1 * kMs);
    s.conn.resumeInput(1 * kMs);
    QVERIFY(s.conn.requestCount() > answered);
}

void TestServerRequests::oneAnswerWhenABodyIsRefused()
{
    // A chunked body crosses --max-body and, in the same read, a broken chunk follows: one 413, not
    // a 413 and a 400.
    ServerLimits limits;
    limits.maxBodyBytes = 4;
    Server s(QStringLiteral("continue"), limits);
    const QByteArray out =
        s.feed("POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\nzz\r\n\r\n");
    QCOMPARE(s.statuses(out), QList<int>{413});
}

void TestServerRequests::trailersAreBounded()
{
    // The trailer section has the head's limit too: an endless one gets 400, not all our memory.
    ServerLimits limits;
    limits.maxHeadBytes = 1024;
    Server s(QStringLiteral("continue"), limits);
    QByteArray out = s.feed("POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: ");
    for (int i = 0; i < 100 && out.isEmpty(); ++i)
        out += s.feed(QByteArray(100, 't'));
    QCOMPARE(s.statuses(out), QList<int>{400});
    QVERIFY2(out.contains("trailer section"), out.constData());
}

void TestServerRequests::nonAsciiIsNotDoubleEncoded()
{
    // Case 12: header bytes in UTF-8 come back as themselves, not as Latin-1 read twice.
    Server s(QStringLiteral("continue"));
    const QByteArray out =
        s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: x-caf\xc3\xa9\r\nContent-Length: 2\r\n\r\nok");
    const QJsonObject body = QJsonDocument::fromJson(out.mid(out.indexOf("\r\n\r\n{") + 4)).object();
    QCOMPARE(body.value(QStringLiteral("expect")).toString(), QStringLiteral("x-caf\u00e9"));
    const TimelineEvent *head = s.find(EventKind::Head);
    QVERIFY(head);
    QVERIFY2(head->detail.contains(QStringLiteral("x-caf\u00e9")), qPrintable(head->detail));
}

void TestServerRequests::interimTimeIsWhenItLeft()
{
    // Case 16: the 100's event takes the time its bytes reached the kernel, not the decision's.
    Server s(QStringLiteral("continue"));
    s.holdOutput = true;
    const QByteArray out =
        s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n", 10);
    QVERIFY(out.startsWith("HTTP/1.1 100"));
    QVERIFY(!s.find(EventKind::InterimSent)); // not out yet
    s.conn.sent(out.size(), 85 * kMs);
    s.events += s.conn.takeEvents();
    const TimelineEvent *interim = s.find(EventKind::InterimSent);
    QVERIFY(interim);
    QCOMPARE(interim->tNs, 85 * kMs);
    QCOMPARE(s.find(EventKind::Head)->tNs, 10 * kMs);
}

void TestServerRequests::whoClosedFirst_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("peerFirst");
    QTest::addColumn<bool>("reset");
    QTest::addColumn<int>("closedBy");
    QTest::newRow("close policy: our FIN first (case 18)") << "close" << false << false << int(Closer::Local);
    QTest::newRow("peer closes first") << "continue" << true << false << int(Closer::Peer);
    QTest::newRow("peer resets") << "continue" << true << true << int(Closer::Peer);
}

void TestServerRequests::whoClosedFirst()
{
    QFETCH(QString, policy);
    QFETCH(bool, peerFirst);
    QFETCH(bool, reset);
    QFETCH(int, closedBy);
    Server s(policy);
    s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", 1);
    if (!peerFirst)
        s.conn.halfClosed(2 * kMs); // the adapter's half-close left
    s.close(3, reset);
    const TimelineEvent *closed = s.find(EventKind::Closed);
    QVERIFY(closed);
    QCOMPARE(int(closed->closedBy), closedBy);
    QCOMPARE(closed->reset, reset);
    if (reset)
        QVERIFY(closed->detail.contains(QLatin1String("reset")));
}

void TestServerRequests::earlyAnswerCountsBytesBeforeAndAfter()
{
    // Case 17: the body that came with the head arrived before our 417 left; what came later after.
    Server s(QStringLiteral("reject"));
    s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 10\r\n\r\nhello", 1);
    s.feed("world", 2);
    s.close(3);
    const TimelineEvent *closed = s.find(EventKind::Closed);
    QVERIFY(closed);
    QCOMPARE(closed->bytesBeforeFinal, 5);
    QCOMPARE(closed->bytesAfterFinal, 5);
    const TimelineEvent *body = s.find(EventKind::BodyStart);
    QVERIFY(body); // when the body began, although it was not read
    QCOMPARE(body->tNs, 1 * kMs);
}

void TestServerRequests::garbageIsItsOwnKind()
{
    // Case 18: garbage is not a final response with no status.
    Server s(QStringLiteral("garbage"));
    s.feed("POST / HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QVERIFY(s.find(EventKind::GarbageSent));
    QVERIFY(!s.find(EventKind::FinalSent));
}

QTEST_GUILESS_MAIN(TestServerRequests)
#include "tst_serverrequests.moc"
