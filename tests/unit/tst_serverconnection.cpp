// The server connection fed raw bytes and a fake clock: what it sends, when it closes, what it
// records; limits and misbehaviour policies included.
#include "serverconnection.h"

#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;
const QByteArray kExpectHead = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";

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
    // What the adapter does: take the output, hand it to the kernel (at once, unless told to hold
    // it: a peer that does not read), then collect the events.
    QByteArray handOver(qint64 ms)
    {
        const QByteArray out = conn.takeOutgoing();
        if (!holdOutput)
            conn.sent(out.size(), ms * kMs);
        collect();
        return out;
    }
    bool holdOutput = false;
    void collect()
    {
        for (const auto &e : conn.takeEvents())
            events << e;
    }
    QStringList kinds() const
    {
        QStringList out;
        for (const auto &e : events)
            out << (e.hasStatus() ? QStringLiteral("%1:%2").arg(kindName(e.kind)).arg(e.status) : kindName(e.kind));
        return out;
    }
    ServerConnection conn;
    QList<TimelineEvent> events;
};
// A responder that is no policy (as the proxy's relay will be): it records what the connection
// reports and answers with its own fields and content.
struct ScriptedResponder : Responder
{
    QStringList *calls;
    explicit ScriptedResponder(QStringList *log)
        : calls(log)
    {}
    QString describe() const override { return QStringLiteral("scripted"); }
    HttpHeaders finalFields() const override { return {{"Via", "1.1 scripted"}}; }
    QByteArray errorContent(const QString &code, const QString &) const override { return code.toLatin1(); }
    void requestHead(const MessageHead &request, ServerActions &actions) override
    {
        *calls << QStringLiteral("head %1").arg(QString::fromLatin1(request.target));
        actions.sendInterim(102, QStringLiteral("thinking"), QString());
        QVERIFY(actions.continueNow(QStringLiteral("go on"), QStringLiteral("R3")));
    }
    void requestBody(QByteArrayView, qint64 receivedBytes, ServerActions &) override
    {
        *calls << QStringLiteral("body %1").arg(receivedBytes);
    }
    void requestEnd(const MessageHead &, const RequestFacts &facts, ServerActions &actions) override
    {
        *calls << QStringLiteral("end %1 %2").arg(facts.receivedBytes).arg(facts.interimSent);
        actions.sendFinal(202, "accepted", false, QStringLiteral("scripted answer"), QString());
    }
};
// Answers as soon as body bytes come, and sends a 1xx to whatever asks (the connection keeps R15).
struct EarlyResponder : Responder
{
    int ends = 0;
    QString describe() const override { return QStringLiteral("early"); }
    QByteArray errorContent(const QString &code, const QString &) const override { return code.toLatin1(); }
    void requestHead(const MessageHead &, ServerActions &actions) override
    {
        actions.sendInterim(102, QString(), QString()); // dropped for HTTP/1.0
        actions.readBody();
    }
    void requestBody(QByteArrayView, qint64, ServerActions &actions) override
    {
        actions.sendFinal(202, "early", false, QStringLiteral("answered mid-body"), QString());
    }
    void requestEnd(const MessageHead &, const RequestFacts &, ServerActions &actions) override
    {
        ++ends;
        actions.sendFinal(200, "again", false, QString(), QString());
    }
};
} // namespace

class TestServerConnection : public QObject
{
    Q_OBJECT
private slots:
    void continueSplitAtEveryByte();
    void bodyInSameSegmentOmits100();
    void delayedContinueFiresAtDeadline();
    void rejectDiscardsTheUnreadBody();
    void keepAliveServesTwoRequests();
    void http10GetsNo100();
    void malformedGets400_data();
    void malformedGets400();
    void oversizedHeadGets431();
    void bodyLimitFromContentLength();
    void bodyLimitCrossedByChunks();
    void slowHeadGets408();
    void idleKeepAliveCloses();
    void lingerEndsGracefulClose();
    void peerCloseMidBody();
    void misbehaviours_data();
    void misbehaviours();
    void anotherResponderDrivesTheSameCore();
    void anAnswerMidBodyEndsTheRequest();
    void bodyLimitGivesWayToA417_data();
    void bodyLimitGivesWayToA417();
};

void TestServerConnection::continueSplitAtEveryByte()
{
    const QByteArray wire = kExpectHead + "hello";
    for (qsizetype split = 1; split < wire.size(); ++split) {
        Server s(QStringLiteral("continue"));
        QByteArray out = s.feed(wire.left(split));
        out += s.feed(wire.mid(split));
        // Only a head that arrives alone earns a 100; with body bytes behind it in the same read
        // the client evidently did not wait (R8).
        const QByteArray expected =
            split == kExpectHead.size() ? "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
        QVERIFY2(out.startsWith(expected), qPrintable(QStringLiteral("split %1: %2").arg(split).arg(out.constData())));
        QVERIFY2(out.contains("\"received_bytes\":5"), qPrintable(QString::number(split)));
        QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::None);
    }
}

void TestServerConnection::bodyInSameSegmentOmits100()
{
    Server s(QStringLiteral("continue"));
    const QByteArray out = s.feed(kExpectHead + "hello");
    QVERIFY(out.startsWith("HTTP/1.1 200 OK")); // R8: the body is here, a 100 tells nothing
    QVERIFY(out.contains("\"body_before_interim\":true"));
}

void TestServerConnection::delayedContinueFiresAtDeadline()
{
    Server s(QStringLiteral("delay:250"));
    QVERIFY(s.feed(kExpectHead, 0).isEmpty());
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 250 * kMs);
    QVERIFY(s.at(249).isEmpty());
    QCOMPARE(s.at(250), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    QVERIFY(s.feed("hello", 260).contains("\"interim_sent\":true"));
}

void TestServerConnection::rejectDiscardsTheUnreadBody()
{
    Server s(QStringLiteral("reject"));
    const QByteArray out = s.feed(kExpectHead);
    QVERIFY(out.startsWith("HTTP/1.1 417 Expectation Failed\r\n"));
    QVERIFY(out.contains("\r\nConnection: close\r\n")); // R10, R22
    QVERIFY(out.endsWith("{\"error\":\"expectation_failed\",\"expect\":\"100-continue\"}"));
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
    // What the client sent before it saw the 417 must not be read as a request (R19).
    QVERIFY(s.feed("GET /smuggled HTTP/1.1\r\n\r\n").isEmpty());
    s.conn.peerClosed(1);
    s.conn.transportClosed(1);
    s.collect();
    // Not a second head: the bytes are the refused body arriving (when, the profiler needs), unread.
    QCOMPARE(s.kinds(), (QStringList{"accepted", "head", "final_sent:417", "body_start", "closed"}));
    QCOMPARE(s.events.at(3).rule, QStringLiteral("R19"));
    QVERIFY(s.events.last().detail.contains(QStringLiteral("unread bytes discarded")));
    QCOMPARE(s.events.last().rule, QStringLiteral("R19"));
}

void TestServerConnection::keepAliveServesTwoRequests()
{
    Server s(QStringLiteral("continue"));
    const QByteArray out = s.feed("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(out.count("HTTP/1.1 200 OK"), 2);
    QVERIFY(out.contains("\"target\":\"/a\""));
    QVERIFY(out.contains("\"target\":\"/b\""));
    QCOMPARE(s.conn.requestCount(), 2);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::None);
}

void TestServerConnection::http10GetsNo100()
{
    Server s(QStringLiteral("continue"));
    const QByteArray out = s.feed("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    QVERIFY(out.isEmpty()); // R7, R15
    QVERIFY(s.feed("ok").startsWith("HTTP/1.1 200 OK"));
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful); // 1.0 without keep-alive
}

void TestServerConnection::malformedGets400_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::newRow("bad request line") << QByteArray("HELLO\r\n\r\n");
    QTest::newRow("bad header syntax") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n");
    QTest::newRow("space in name") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX Y: z\r\n\r\n");
    QTest::newRow("CL and TE") << QByteArray(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
    QTest::newRow("bad chunk size") << QByteArray(
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
    QTest::newRow("two Content-Length") << QByteArray(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
}

void TestServerConnection::malformedGets400()
{
    QFETCH(QByteArray, wire);
    Server s(QStringLiteral("continue"));
    const QByteArray out = s.feed(wire);
    QVERIFY2(out.startsWith("HTTP/1.1 400 Bad Request\r\n"), out.constData());
    QVERIFY(out.contains("\"error\":\"bad_request\""));
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
    QVERIFY(s.kinds().contains(QStringLiteral("error:400")));
}

void TestServerConnection::oversizedHeadGets431()
{
    ServerLimits limits;
    limits.maxHeadBytes = 1024;
    Server s(QStringLiteral("continue"), limits);
    QByteArray out;
    // Split in small pieces: the limit must hold however the head arrives.
    const QByteArray head = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n";
    for (qsizetype i = 0; i < head.size() && out.isEmpty(); i += 100)
        out += s.feed(head.mid(i, 100));
    QVERIFY2(out.startsWith("HTTP/1.1 431 "), out.constData());
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);

    Server ok(QStringLiteral("continue"), limits);
    QVERIFY(ok.feed("GET / HTTP/1.1\r\nHost: h\r\nX-Small: " + QByteArray(500, 'a') + "\r\n\r\n")
                .startsWith("HTTP/1.1 200 OK"));
}

void TestServerConnection::bodyLimitFromContentLength()
{
    ServerLimits limits;
    limits.maxBodyBytes = 4;
    Server s(QStringLiteral("continue"), limits);
    const QByteArray out = s.feed(kExpectHead);
    QVERIFY2(out.startsWith("HTTP/1.1 413 "), out.constData()); // before any 100 and before the body
    QVERIFY(!out.contains("100 Continue"));
}

void TestServerConnection::bodyLimitCrossedByChunks()
{
    ServerLimits limits;
    limits.maxBodyBytes = 6;
    Server s(QStringLiteral("continue"), limits);
    QByteArray out = s.feed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
    QVERIFY(out.isEmpty());
    QVERIFY(s.feed("4\r\nabcd\r\n").isEmpty());
    out = s.feed("4\r\nefgh\r\n");
    QVERIFY2(out.startsWith("HTTP/1.1 413 "), out.constData());
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
}

void TestServerConnection::slowHeadGets408()
{
    Server s(QStringLiteral("continue"));
    QVERIFY(s.feed("POST / HT", 100).isEmpty());
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), 10000 * kMs);
    QVERIFY(s.at(9999).isEmpty());
    const QByteArray out = s.at(10000);
    QVERIFY2(out.startsWith("HTTP/1.1 408 "), out.constData());
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
}

void TestServerConnection::idleKeepAliveCloses()
{
    Server s(QStringLiteral("continue"));
    QVERIFY(s.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 5).startsWith("HTTP/1.1 200"));
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), (5 + 30000) * kMs);
    s.at(30004);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::None);
    s.at(30005);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
    s.conn.peerClosed(30006 * kMs);
    s.conn.transportClosed(30006 * kMs);
    s.collect();
    QVERIFY(s.events.last().detail.contains(QStringLiteral("idle")));
}

void TestServerConnection::lingerEndsGracefulClose()
{
    Server s(QStringLiteral("final:413"));
    s.feed(kExpectHead, 0);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Graceful);
    QCOMPARE(s.conn.nextDeadlineNs().value_or(0), ServerConnection::kLingerNs);
    s.at(ServerConnection::kLingerNs / kMs);
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Now);
}

void TestServerConnection::peerCloseMidBody()
{
    Server s(QStringLiteral("continue"));
    s.feed(kExpectHead + "he");
    s.conn.peerClosed(1);
    s.collect();
    QCOMPARE(s.conn.closeMode(), ServerConnection::CloseMode::Now);
    QVERIFY(s.kinds().contains(QStringLiteral("error")));
}

void TestServerConnection::misbehaviours_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QByteArray>("afterHead");
    QTest::addColumn<QByteArray>("afterBody");
    QTest::addColumn<int>("closeMode");
    QTest::newRow("continue-twice") << "continue-twice"
                                    << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n")
                                    << QByteArray("HTTP/1.1 200 OK\r\n") << int(ServerConnection::CloseMode::None);
    QTest::newRow("continue-after-body") << "continue-after-body" << QByteArray()
                                         << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
                                         << int(ServerConnection::CloseMode::None);
    QTest::newRow("interim:102") << "interim:102" << QByteArray("HTTP/1.1 100 Continue\r\n\r\n")
                                 << QByteArray("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\n")
                                 << int(ServerConnection::CloseMode::None);
    QTest::newRow("reject-after-body") << "reject-after-body" << QByteArray("HTTP/1.1 100 Continue\r\n\r\n")
                                       << QByteArray("HTTP/1.1 417 Expectation Failed\r\n")
                                       << int(ServerConnection::CloseMode::None);
    QTest::newRow("garbage") << "garbage" << QByteArray("HTTX/9.9 ABC") << QByteArray()
                             << int(ServerConnection::CloseMode::Graceful);
    QTest::newRow("close-mid-body") << "close-mid-body" << QByteArray("HTTP/1.1 100 Continue\r\n\r\n") << QByteArray()
                                    << int(ServerConnection::CloseMode::Now);
    QTest::newRow("silent") << "silent" << QByteArray() << QByteArray() << int(ServerConnection::CloseMode::None);
}

void TestServerConnection::misbehaviours()
{
    QFETCH(QString, policy);
    QFETCH(QByteArray, afterHead);
    QFETCH(QByteArray, afterBody);
    QFETCH(int, closeMode);
    Server s(policy);
    QVERIFY(ServerPolicy::parse(policy)->isMisbehaviour());
    const QByteArray first = s.feed(kExpectHead);
    QVERIFY2(first.startsWith(afterHead), first.constData());
    const QByteArray second = s.feed("hello");
    QVERIFY2(second.startsWith(afterBody), second.constData());
    if (afterBody.isEmpty())
        QVERIFY2(second.isEmpty(), second.constData());
    QCOMPARE(int(s.conn.closeMode()), closeMode);
}

// The connection speaks HTTP/1.1 for any responder: it reports head, body and end and frames what
// the responder answers (issue 13: the core apart from the policy).
void TestServerConnection::anotherResponderDrivesTheSameCore()
{
    QStringList calls;
    ServerConnection conn(1, std::make_unique<ScriptedResponder>(&calls), 0);
    conn.receive(kExpectHead, 0);
    QByteArray out = conn.takeOutgoing();
    conn.sent(out.size(), 0);
    conn.receive("hel", kMs);
    conn.receive("lo", 2 * kMs);
    out += conn.takeOutgoing();
    QCOMPARE(calls, (QStringList{QStringLiteral("head /u"), QStringLiteral("body 3"), QStringLiteral("body 5"),
                                 QStringLiteral("end 5 1")}));
    QVERIFY2(out.startsWith("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\n"),
             out.constData());
    QVERIFY(out.contains("Via: 1.1 scripted\r\n"));
    QVERIFY(out.contains("Content-Length: 8\r\n"));
    QVERIFY(out.endsWith("\r\n\r\naccepted"));
    const QList<TimelineEvent> events = conn.takeEvents();
    QCOMPARE(events.first().detail, QStringLiteral("scripted"));
}

// A final given mid-body ends the request: the rest is not parsed (R19) and no second final follows;
// a 1xx to an HTTP/1.0 request never leaves (R15), whoever asks for it.
void TestServerConnection::anAnswerMidBodyEndsTheRequest()
{
    auto responder = std::make_unique<EarlyResponder>();
    EarlyResponder *early = responder.get();
    ServerConnection conn(1, std::move(responder), 0);
    conn.receive("POST /u HTTP/1.0\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", 0);
    conn.receive("defghij", kMs);
    const QByteArray out = conn.takeOutgoing();
    QVERIFY2(out.startsWith("HTTP/1.1 202 "), out.constData());
    QCOMPARE(out.count("HTTP/1.1 "), 1);
    QCOMPARE(early->ends, 0);
}

void TestServerConnection::bodyLimitGivesWayToA417_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("status");
    QTest::newRow("continue: the limit answers") << QStringLiteral("continue") << 413;
    QTest::newRow("final:500: the limit answers") << QStringLiteral("final:500") << 413;
    QTest::newRow("garbage: the limit answers") << QStringLiteral("garbage") << 413;
    QTest::newRow("reject: the 417 says more") << QStringLiteral("reject") << 417;
    QTest::newRow("final:417 is a final like any other: the limit answers") << QStringLiteral("final:417") << 413;
}

void TestServerConnection::bodyLimitGivesWayToA417()
{
    QFETCH(QString, policy);
    QFETCH(int, status);
    ServerLimits limits;
    limits.maxBodyBytes = 4;
    Server s(policy, limits);
    const QByteArray out = s.feed(kExpectHead);
    QVERIFY2(out.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), out.constData());
    QCOMPARE(out.count("HTTP/1.1 "), 1); // one answer, no 100 before it
}

QTEST_GUILESS_MAIN(TestServerConnection)
#include "tst_serverconnection.moc"
