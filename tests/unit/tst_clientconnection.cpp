// The client connection protocol alone (the core under ClientExchange and ProbeExchange): framing of
// what it sends, events released with their last byte, and how it reads answers, strict and lenient.
#include "clientconnection.h"

#include <QTest>

using namespace expectlab;

namespace {
// A driver that records what the connection reports.
struct Recorder : ClientConnection::Listener
{
    HttpParser::HeadAction responseHead(const MessageHead &head) override
    {
        heads << head.status;
        return HttpParser::HeadAction::Continue;
    }
    void responseData(QByteArrayView data) override { body += data.toByteArray(); }
    void responseEnd() override
    {
        ++ends;
        if (stopAfterEnd)
            conn->stopReading();
    }
    void responseFailed(ErrorKind kind, const QString &message) override
    {
        failure = kind;
        failureText = message;
    }
    void outputEvent(const TimelineEvent &event) override { out << event; }
    WireLog &wireLog() override { return wire; }

    ClientConnection *conn = nullptr;
    bool stopAfterEnd = true;
    QList<int> heads;
    QByteArray body;
    int ends = 0;
    ErrorKind failure = ErrorKind::None;
    QString failureText;
    QList<TimelineEvent> out;
    WireLog wire;
};

MessageHead request(const QByteArray &framing, const QByteArray &value)
{
    MessageHead head;
    head.method = "POST";
    head.target = "/up";
    head.headers = {{"Host", "127.0.0.1"}, {framing, value}};
    return head;
}

TimelineEvent ev(EventKind kind)
{
    return TimelineEvent::at(0, Side::Client, 1, kind);
}

QByteArray drain(ClientConnection &c)
{
    QByteArray all;
    while (c.hasOutput())
        all += c.takeOutput();
    return all;
}

const QByteArray kHead = "POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\n";

// A connection whose bodyless request has left: what the server answers comes next.
struct Sent
{
    explicit Sent(ClientConnection::Rules rules = {}, bool leave = true)
        : c(&r, rules)
    {
        r.conn = &c;
        c.sendHead(request("Content-Length", "0"), ev(EventKind::HeadSent));
        if (leave)
            c.sent(c.bytesQueued(), 1);
    }
    Recorder r;
    ClientConnection c;
};
} // namespace

class TestClientConnection : public QObject
{
    Q_OBJECT
private slots:
    void framesTheBodyAsTheHeadSays_data();
    void framesTheBodyAsTheHeadSays();
    void outputEventsLeaveWithTheirLastByte();
    void abandonedEventsAreMarkedNotSent();
    void strictRefuses_data();
    void strictRefuses();
    void lenientRecordsWhatStrictRefuses();
    void countsWhatComesAfterReadingStopped();
    void interimBoundIsPerResponse();
    void closeCompletesACloseDelimitedBody();
    void closeReportsACutBody();
};

void TestClientConnection::framesTheBodyAsTheHeadSays_data()
{
    QTest::addColumn<QByteArray>("framing");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArrayList>("slices");
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("content-length") << QByteArray("Content-Length") << QByteArray("5") << QByteArrayList{"he", "llo"}
                                    << kHead + "Content-Length: 5\r\n\r\nhello";
    QTest::newRow("chunked") << QByteArray("Transfer-Encoding") << QByteArray("chunked") << QByteArrayList{"he", "llo"}
                             << kHead + "Transfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n";
    QTest::newRow("empty chunked") << QByteArray("Transfer-Encoding") << QByteArray("chunked") << QByteArrayList{}
                                   << kHead + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
}

void TestClientConnection::framesTheBodyAsTheHeadSays()
{
    QFETCH(QByteArray, framing);
    QFETCH(QByteArray, value);
    QFETCH(QByteArrayList, slices);
    QFETCH(QByteArray, wire);
    Recorder r;
    ClientConnection c(&r);
    r.conn = &c;
    c.sendHead(request(framing, value), ev(EventKind::HeadSent));
    for (const QByteArray &s : slices)
        c.sendData(s);
    c.sendEnd(ev(EventKind::BodyDone));
    QCOMPARE(drain(c), wire);
}

void TestClientConnection::outputEventsLeaveWithTheirLastByte()
{
    Recorder r;
    ClientConnection c(&r);
    c.sendHead(request("Content-Length", "4"), ev(EventKind::HeadSent));
    c.sendData("body", ev(EventKind::BodyStart));
    c.sendEnd(ev(EventKind::BodyDone));
    const qint64 headSize = c.bytesQueued() - 4;
    QVERIFY(r.out.isEmpty()); // queued is not sent
    QVERIFY(!c.headSent());
    c.sent(headSize - 1, 10);
    QVERIFY(r.out.isEmpty()); // one byte of the head is still ours
    c.sent(1, 20);
    QCOMPARE(r.out.size(), 1);
    QCOMPARE(r.out.at(0).kind, EventKind::HeadSent);
    QCOMPARE(r.out.at(0).tNs, 20);
    QVERIFY(c.headSent());
    c.sent(1, 30); // the first body byte starts the body
    QCOMPARE(r.out.size(), 2);
    QCOMPARE(r.out.at(1).kind, EventKind::BodyStart);
    QCOMPARE(r.out.at(1).tNs, 30);
    c.sent(3, 40);
    QCOMPARE(r.out.size(), 3);
    QCOMPARE(r.out.at(2).kind, EventKind::BodyDone);
    QCOMPARE(r.out.at(2).tNs, 40);
    // The wire log has what left, when it left.
    QCOMPARE(r.wire.totalBytes(WireLog::Direction::Sent), c.bytesQueued());
}

void TestClientConnection::abandonedEventsAreMarkedNotSent()
{
    Recorder r;
    ClientConnection c(&r);
    c.sendHead(request("Content-Length", "4"), ev(EventKind::HeadSent));
    c.sendData("body", ev(EventKind::BodyStart));
    c.sent(c.bytesQueued() - 4, 5);
    c.abandon(9);
    QCOMPARE(r.out.size(), 2);
    QVERIFY(!r.out.at(0).notSent);
    QVERIFY(r.out.at(1).notSent);
    QCOMPARE(r.out.at(1).tNs, 9);
    QVERIFY(!c.hasOutput());
}

void TestClientConnection::strictRefuses_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("beforeRequest");
    QTest::addColumn<int>("kind");

    QTest::newRow("status 600") << QByteArray("HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n") << false
                                << int(ErrorKind::InvalidStatus);
    QTest::newRow("HTTP/2.0") << QByteArray("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n") << false
                              << int(ErrorKind::MalformedResponse);
    QTest::newRow("101 never asked for") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
                                         << false << int(ErrorKind::UnexpectedUpgrade);
    QTest::newRow("three 1xx over a bound of two")
        << QByteArray("HTTP/1.1 102 P\r\n\r\nHTTP/1.1 102 P\r\n\r\nHTTP/1.1 102 P\r\n\r\n") << false
        << int(ErrorKind::TooManyInterims);
    QTest::newRow("spoke first") << QByteArray("220 smtp ready\r\n") << true << int(ErrorKind::SpokeFirst);
    QTest::newRow("garbage") << QByteArray("HTTP/1.1 abc\r\n\r\n") << false << int(ErrorKind::MalformedResponse);
}

void TestClientConnection::strictRefuses()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, beforeRequest);
    QFETCH(int, kind);
    ClientConnection::Rules rules;
    rules.maxInterims = 2;
    Sent x(rules, !beforeRequest);
    auto &[r, c] = x;
    c.receive(answer, 2);
    QCOMPARE(int(r.failure), kind);
    QVERIFY(!r.failureText.isEmpty());
    // Refused: nothing after it is read or counted.
    QCOMPARE(c.receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 3), 0);
    QVERIFY(!r.heads.contains(200));
}

void TestClientConnection::lenientRecordsWhatStrictRefuses()
{
    Recorder r;
    ClientConnection c(&r, ClientConnection::Rules{.strict = false});
    r.stopAfterEnd = false;
    c.receive("HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1);
    QCOMPARE(r.failure, ErrorKind::None);
    QCOMPARE(r.heads, (QList<int>{600, 200}));
    QCOMPARE(r.ends, 2);
    QCOMPARE(r.body, QByteArray("ok"));
}

// A kept-alive connection (the proxy's upstream hop) answers request after request, each with its
// own 100: the bound on 1xx is per response, not per connection (found at the 101st exchange
// through the proxy, which the bound turned into a 502).
void TestClientConnection::interimBoundIsPerResponse()
{
    ClientConnection::Rules rules;
    rules.maxInterims = 2;
    Sent x(rules, true);
    auto &[r, c] = x;
    r.stopAfterEnd = false;
    for (int i = 0; i < 5; ++i)
        c.receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2 + i);
    QCOMPARE(r.failure, ErrorKind::None);
    QCOMPARE(r.ends, 5);
}

void TestClientConnection::countsWhatComesAfterReadingStopped()
{
    Sent x;
    auto &[r, c] = x;
    // The rest of this read and every later read are not this exchange's (R20, R22).
    QCOMPARE(c.receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 2), 5);
    QCOMPARE(c.receive("MORE", 3), 4);
    QCOMPARE(r.ends, 1);
    QCOMPARE(r.body, QByteArray("ok"));
    QVERIFY(c.readingStopped());
}

void TestClientConnection::closeCompletesACloseDelimitedBody()
{
    Sent x;
    auto &[r, c] = x;
    c.receive("HTTP/1.1 200 OK\r\n\r\nuntil the close", 2);
    QCOMPARE(r.ends, 0);
    QVERIFY(c.inFinalResponse());
    QCOMPARE(c.peerClosed(), std::nullopt);
    QCOMPARE(r.ends, 1);
    QCOMPARE(r.body, QByteArray("until the close"));
}

void TestClientConnection::closeReportsACutBody()
{
    Sent x;
    auto &[r, c] = x;
    c.receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 2);
    const std::optional<QString> cut = c.peerClosed();
    QVERIFY(cut.has_value());
    QVERIFY(!cut->isEmpty());
    QCOMPARE(r.ends, 0);
}

QTEST_GUILESS_MAIN(TestClientConnection)
#include "tst_clientconnection.moc"
