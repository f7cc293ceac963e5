// The llhttp wrapper: requests and responses, 1xx then final, chunked, pause at the head, errors.
// Every fixture is fed split at every byte (as Beast's basic_parser tests do) and must give the same
// event log as when fed whole.
#include "httpparser.h"

#include <QTest>

#include <limits>

using namespace expectlab;

namespace {
class RecordingSink : public HttpParser::Sink
{
public:
    QStringList log;
    QByteArray body;
    bool pauseOnHead = false;
    bool skipBody = false;

    HttpParser::HeadAction onHead(const MessageHead &head) override
    {
        QString line =
            head.status
                ? QStringLiteral("head %1 %2").arg(head.status).arg(QString::fromLatin1(head.reason))
                : QStringLiteral("head %1 %2").arg(QString::fromLatin1(head.method), QString::fromLatin1(head.target));
        line += QStringLiteral(" HTTP/%1.%2").arg(head.versionMajor).arg(head.versionMinor);
        for (const auto &[n, v] : head.headers)
            line += QStringLiteral(" [%1=%2]").arg(QString::fromLatin1(n), QString::fromLatin1(v));
        log << line;
        if (pauseOnHead)
            return HttpParser::HeadAction::Pause;
        return skipBody ? HttpParser::HeadAction::SkipBody : HttpParser::HeadAction::Continue;
    }
    void onBody(QByteArrayView data) override { body += data.toByteArray(); }
    void onMessageComplete() override
    {
        log << QStringLiteral("complete body=%1").arg(QString::fromLatin1(body));
        body.clear();
    }
};

// Feeds the pieces in order, re-feeding after every pause; returns the log, or "error" at the end.
QStringList run(HttpParser::Kind kind, const QList<QByteArray> &pieces, bool pause, bool finish = false)
{
    RecordingSink sink;
    sink.pauseOnHead = pause;
    HttpParser parser(kind, &sink);
    for (const QByteArray &piece : pieces) {
        qsizetype offset = 0;
        do {
            const auto r = parser.feed(QByteArrayView(piece).sliced(offset));
            if (r.status == HttpParser::Status::Error) {
                sink.log << QStringLiteral("error");
                return sink.log;
            }
            offset += r.consumed;
            if (r.status == HttpParser::Status::Paused) {
                sink.log << QStringLiteral("paused");
                if (offset == piece.size())
                    parser.feed({});
            }
        } while (offset < piece.size());
    }
    if (finish && parser.finish().status == HttpParser::Status::Error)
        sink.log << QStringLiteral("error at close");
    return sink.log;
}
} // namespace

class TestHttpParser : public QObject
{
    Q_OBJECT
private slots:
    void splitEverywhere_data();
    void splitEverywhere();
    void malformed_data();
    void malformed();
    void pauseReportsHeadBoundary();
    void emptyFeedCompletesBodylessRequestAfterPause();
    void headResponseSkipsBody();
    void readUntilCloseBody();
    void stopEndsParsing();
    void upgradeWithPauseAfterMessage();
    void messageHeadHelpers();
    void hostValues_data();
    void hostValues();
    void displayTextKeepsUtf8();
    void headsInWireRecords_data();
    void headsInWireRecords();
};

void TestHttpParser::splitEverywhere_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("pause");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QStringList>("expected");
    const int req = int(HttpParser::Kind::Request);
    const int resp = int(HttpParser::Kind::Response);

    QTest::newRow("request with Expect and Content-Length")
        << req << true
        << QByteArray("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
        << QStringList{"head POST /up HTTP/1.1 [Host=a] [Expect=100-continue] [Content-Length=5]", "paused",
                       "complete body=hello"};
    QTest::newRow("chunked request")
        << req << true
        << QByteArray("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        << QStringList{"head PUT /c HTTP/1.1 [Transfer-Encoding=chunked]", "paused", "complete body=abcde"};
    QTest::newRow("two keep-alive requests, the first without a body")
        << req << true
        << QByteArray("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
        << QStringList{"head GET /a HTTP/1.1 [Host=a]",
                       "paused",
                       "complete body=",
                       "head POST /b HTTP/1.1 [Content-Length=2]",
                       "paused",
                       "complete body=ok"};
    QTest::newRow("HTTP/1.0 request")
        << req << false << QByteArray("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        << QStringList{"head POST / HTTP/1.0 [Expect=100-continue] [Content-Length=1]", "complete body=x"};
    QTest::newRow("100 then 200 (R17)")
        << resp << false << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        << QStringList{"head 100 Continue HTTP/1.1", "complete body=", "head 200 OK HTTP/1.1 [Content-Length=2]",
                       "complete body=hi"};
    QTest::newRow("1xx with Content-Length has no content (R16)")
        << resp << false
        << QByteArray("HTTP/1.1 103 Early Hints\r\nContent-Length: 4\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        << QStringList{"head 103 Early Hints HTTP/1.1 [Content-Length=4]",
                       "complete body=", "head 204 No Content HTTP/1.1", "complete body="};
    QTest::newRow("two interim then 417")
        << resp << false
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
                      "HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 3\r\n\r\nno!")
        << QStringList{"head 100 Continue HTTP/1.1",
                       "complete body=",
                       "head 102 Processing HTTP/1.1",
                       "complete body=",
                       "head 417 Expectation Failed HTTP/1.1 [Connection=close] [Content-Length=3]",
                       "complete body=no!"};
    // R17: a 1xx never ends the sequence, whatever its version or Connection field say (Caddy 2.6
    // answers an HTTP/1.0 request this way; llhttp alone would swallow the 200).
    QTest::newRow("HTTP/1.0 100 then HTTP/1.0 200 (R17)")
        << resp << false << QByteArray("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        << QStringList{"head 100 Continue HTTP/1.0", "complete body=", "head 200 OK HTTP/1.0 [Content-Length=2]",
                       "complete body=ok"};
    QTest::newRow("100 with Connection: close, then 200 (R17)")
        << resp << false
        << QByteArray(
               "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        << QStringList{"head 100 Continue HTTP/1.1 [Connection=close]",
                       "complete body=", "head 200 OK HTTP/1.1 [Content-Length=2]", "complete body=ok"};
    // RFC 9112 7.1.1: BWS around ';' and '=', tokens and quoted strings with quoted pairs.
    QTest::newRow("chunk extensions with BWS and quoted pairs")
        << req << true
        << QByteArray("PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3 ;a=b ; c = \"x\\\"y;z\"\r\nabc\r\n2;flag\r\nde\r\n0;last=1\r\n\r\n")
        << QStringList{"head PUT /c HTTP/1.1 [Transfer-Encoding=chunked]", "paused", "complete body=abcde"};
    // No 101 was sent, so the connection is still HTTP/1.1 (RFC 9110 7.8).
    QTest::newRow("Upgrade not accepted: the next request follows")
        << req << false
        << QByteArray("GET /a HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                      "GET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        << QStringList{"head GET /a HTTP/1.1 [Host=a] [Connection=Upgrade] [Upgrade=h2c]",
                       "complete body=", "head GET /b HTTP/1.1 [Host=a]", "complete body="};
    QTest::newRow("chunked response")
        << resp << false << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwire\r\n0\r\n\r\n")
        << QStringList{"head 200 OK HTTP/1.1 [Transfer-Encoding=chunked]", "complete body=wire"};
}

void TestHttpParser::splitEverywhere()
{
    QFETCH(int, kind);
    QFETCH(bool, pause);
    QFETCH(QByteArray, wire);
    QFETCH(QStringList, expected);
    const auto k = HttpParser::Kind(kind);
    QCOMPARE(run(k, {wire}, pause), expected);
    for (qsizetype split = 1; split < wire.size(); ++split) {
        const QStringList got = run(k, {wire.left(split), wire.mid(split)}, pause);
        if (got != expected)
            QFAIL(qPrintable(QStringLiteral("split at %1: %2").arg(split).arg(got.join(QStringLiteral(" | ")))));
    }
    // Byte by byte: the worst case for span callbacks that must accumulate.
    QList<QByteArray> bytes;
    for (char c : wire)
        bytes << QByteArray(1, c);
    QCOMPARE(run(k, bytes, pause), expected);
}

void TestHttpParser::malformed_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("wire");
    const int req = int(HttpParser::Kind::Request);
    const int resp = int(HttpParser::Kind::Response);
    QTest::newRow("garbage request line") << req << QByteArray("\x01\x02 nonsense\r\n\r\n");
    QTest::newRow("space in header name") << req << QByteArray("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n");
    QTest::newRow("bad Content-Length") << req << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n");
    QTest::newRow("CL and TE conflict")
        << req << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    QTest::newRow("bad chunk size") << req << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    QTest::newRow("garbage status line") << resp << QByteArray("HTTX/1.1 200 OK\r\n\r\n");
    QTest::newRow("status out of range") << resp << QByteArray("HTTP/1.1 2000 Big\r\n\r\n");
    // Strict framing: what loose llhttp skipped over is where a smuggled request hides.
    QTest::newRow("chunk data not followed by CRLF")
        << req << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n");
    QTest::newRow("CR without LF in a header") << req << QByteArray("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n");
    QTest::newRow("space after chunk size without extension")
        << req << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk extension without a name")
        << req << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;=x\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk extension quoted string not closed")
        << req << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk-size line too long")
        << req
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=") + QByteArray(5000, 'x') +
               "\r\nhello\r\n0\r\n\r\n";
    QTest::newRow("field name with a space (our own check)") << req << QByteArray("GET / HTTP/1.1\r\nX Y: 1\r\n\r\n");
}

void TestHttpParser::malformed()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, wire);
    const QStringList log = run(HttpParser::Kind(kind), {wire}, false);
    QVERIFY2(!log.isEmpty() && log.last() == QLatin1String("error"), qPrintable(log.join(QLatin1Char('|'))));

    RecordingSink sink;
    HttpParser parser(HttpParser::Kind(kind), &sink);
    QCOMPARE(parser.feed(wire).status, HttpParser::Status::Error);
    QVERIFY(parser.hasError());
    QVERIFY(!parser.errorReason().isEmpty());
    // In words for users: never llhttp's internal names or "callback error" (issue 12, case 12).
    QVERIFY2(!parser.errorReason().contains(QLatin1String("HPE_")), qPrintable(parser.errorReason()));
    QVERIFY2(!parser.errorReason().contains(QLatin1String("callback")), qPrintable(parser.errorReason()));
    // Once broken it stays broken, without touching the sink.
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\n\r\n").status, HttpParser::Status::Error);
}

void TestHttpParser::pauseReportsHeadBoundary()
{
    const QByteArray head = "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n";
    RecordingSink sink;
    sink.pauseOnHead = true;
    HttpParser parser(HttpParser::Kind::Request, &sink);
    const auto r = parser.feed(head + "body");
    QCOMPARE(r.status, HttpParser::Status::Paused);
    QCOMPARE(r.consumed, head.size());
    QVERIFY(parser.inMessage());
    const auto rest = parser.feed("body");
    QCOMPARE(rest.status, HttpParser::Status::Ok);
    QCOMPARE(sink.log.last(), QStringLiteral("complete body=body"));
    QVERIFY(!parser.inMessage());
}

void TestHttpParser::emptyFeedCompletesBodylessRequestAfterPause()
{
    RecordingSink sink;
    sink.pauseOnHead = true;
    HttpParser parser(HttpParser::Kind::Request, &sink);
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\n\r\n").status, HttpParser::Status::Paused);
    QCOMPARE(sink.log.size(), 1);
    QCOMPARE(parser.feed({}).status, HttpParser::Status::Ok);
    QCOMPARE(sink.log.last(), QStringLiteral("complete body="));
}

void TestHttpParser::headResponseSkipsBody()
{
    RecordingSink sink;
    sink.skipBody = true;
    HttpParser parser(HttpParser::Kind::Response, &sink);
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").status, HttpParser::Status::Ok);
    QCOMPARE(sink.log.last(), QStringLiteral("complete body="));
}

void TestHttpParser::readUntilCloseBody()
{
    RecordingSink sink;
    HttpParser parser(HttpParser::Kind::Response, &sink);
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\n\r\nuntil close").status, HttpParser::Status::Ok);
    QCOMPARE(sink.log.size(), 1);
    QCOMPARE(parser.finish().status, HttpParser::Status::Ok);
    QCOMPARE(sink.log.last(), QStringLiteral("complete body=until close"));

    RecordingSink truncated;
    HttpParser p2(HttpParser::Kind::Response, &truncated);
    p2.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    QCOMPARE(p2.finish().status, HttpParser::Status::Error);
}

void TestHttpParser::stopEndsParsing()
{
    // A sink that has decided (a 101, too many interims) stops the parser: nothing more reaches it,
    // however much the same feed holds (issue 12, case 6: one error, not a thousand).
    struct StopAtSecondHead : HttpParser::Sink
    {
        HttpParser::HeadAction onHead(const MessageHead &) override
        {
            return ++heads == 2 ? HttpParser::HeadAction::Stop : HttpParser::HeadAction::Continue;
        }
        void onBody(QByteArrayView) override {}
        void onMessageComplete() override { ++complete; }
        int heads = 0;
        int complete = 0;
    } sink;
    HttpParser parser(HttpParser::Kind::Response, &sink);
    const QByteArray one = "HTTP/1.1 103 Early Hints\r\n\r\n";
    const auto r = parser.feed(one.repeated(50));
    QCOMPARE(r.status, HttpParser::Status::Stopped);
    QCOMPARE(r.consumed, 2 * one.size());
    QCOMPARE(sink.heads, 2);
    QCOMPARE(sink.complete, 1);
    QVERIFY(!parser.hasError());
    QCOMPARE(parser.feed(one).status, HttpParser::Status::Stopped);
    QCOMPARE(sink.heads, 2);

    // From onMessageComplete: the bytes behind a final response are not parsed.
    struct StopAfterFinal : RecordingSink
    {
        HttpParser *parser = nullptr;
        void onMessageComplete() override
        {
            RecordingSink::onMessageComplete();
            parser->stop();
        }
    } after;
    HttpParser p2(HttpParser::Kind::Response, &after);
    after.parser = &p2;
    const QByteArray final = "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n";
    const auto r2 = p2.feed(final + "HTTP/1.1 200 OK\r\n\r\n");
    QCOMPARE(r2.status, HttpParser::Status::Stopped);
    QCOMPARE(r2.consumed, final.size());
    QCOMPARE(after.log.size(), 2);
}

void TestHttpParser::upgradeWithPauseAfterMessage()
{
    // The server pauses after each message; an Upgrade nobody accepted must not stop the next one.
    RecordingSink sink;
    HttpParser parser(HttpParser::Kind::Request, &sink);
    parser.setPauseAfterMessage(true);
    const QByteArray first = "GET /a HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    const QByteArray second = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n";
    const QByteArray wire = first + second;
    qsizetype offset = 0;
    for (int guard = 0; offset < wire.size() && guard < 10; ++guard) {
        const auto r = parser.feed(QByteArrayView(wire).sliced(offset));
        QVERIFY2(r.status != HttpParser::Status::Error, qPrintable(parser.errorReason()));
        offset += r.consumed;
    }
    QCOMPARE(offset, wire.size());
    QCOMPARE(sink.log.size(), 4);
    QVERIFY(sink.log.at(2).startsWith(QLatin1String("head GET /b")));
}

void TestHttpParser::hostValues_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("valid");
    QTest::newRow("name") << QByteArray("example.com") << true;
    QTest::newRow("name and port") << QByteArray("example.com:8080") << true;
    QTest::newRow("IPv4") << QByteArray("127.0.0.1:80") << true;
    QTest::newRow("IPv6") << QByteArray("[::1]:8080") << true;
    QTest::newRow("empty (RFC 9112 3.2)") << QByteArray("") << true;
    QTest::newRow("space") << QByteArray("exa mple.com") << false;
    QTest::newRow("slash") << QByteArray("example.com/x") << false;
    QTest::newRow("userinfo") << QByteArray("user@example.com") << false;
    QTest::newRow("bad port") << QByteArray("example.com:8x") << false;
    QTest::newRow("bad IPv6") << QByteArray("[::g]") << false;
    QTest::newRow("bracket after IPv6") << QByteArray("[::1]x") << false;
}

void TestHttpParser::hostValues()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, valid);
    QCOMPARE(isValidHostValue(value), valid);
}

void TestHttpParser::displayTextKeepsUtf8()
{
    QCOMPARE(displayText("caf\xc3\xa9"), QStringLiteral("caf\u00e9")); // UTF-8 stays itself
    QCOMPARE(displayText("caf\xe9"), QStringLiteral("caf\u00e9"));     // Latin-1 is not UTF-8
    QCOMPARE(displayText("plain"), QStringLiteral("plain"));
}

void TestHttpParser::messageHeadHelpers()
{
    MessageHead h;
    h.headers = {{"content-length", " 12 "},
                 {"Connection", "keep-alive, Close"},
                 {"Expect", "100-Continue"},
                 {"X-A", "1"},
                 {"x-a", "2"}};
    QCOMPARE(h.contentLength().value_or(-1), 12);
    QVERIFY(h.hasConnectionToken("close"));
    QVERIFY(h.announcesContent());
    QCOMPARE(h.combinedHeader("X-A").value_or(""), QByteArray("1, 2"));
    QCOMPARE(removeHeader(h.headers, "x-A"), 2);
    h.headers = {{"Transfer-Encoding", "gzip, chunked"}};
    QVERIFY(h.isChunked());
    h.headers = {{"Transfer-Encoding", "chunked, gzip"}};
    QVERIFY(!h.isChunked());
    h.headers = {{"Content-Length", "0"}};
    QVERIFY(!h.announcesContent());
    // 2^63 .. 2^64-1: llhttp accepts it, a qint64 cannot hold it (issue 12, case 10).
    h.headers = {{"Content-Length", "9223372036854775808"}};
    QVERIFY(!h.contentLength());
    QVERIFY(h.contentLengthTooLarge());
    QVERIFY(h.announcesContent());
    h.headers = {{"Content-Length", "9223372036854775807"}};
    QCOMPARE(h.contentLength().value_or(0), std::numeric_limits<qint64>::max());
    QVERIFY(!h.contentLengthTooLarge());
}

void TestHttpParser::headsInWireRecords_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("heads");
    const int req = int(HttpParser::Kind::Request);
    const int resp = int(HttpParser::Kind::Response);
    // A request head whose body is in other records (or not kept): the body is not waited for.
    QTest::newRow("request head, body elsewhere")
        << req << QByteArray("POST /up HTTP/1.0\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n")
        << QStringList{"POST /up 1.0 Content-Length Expect"};
    // One read held the 100 and the 417 behind it (R6): both heads, in order.
    QTest::newRow("interim then final")
        << resp
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
        << QStringList{"100 Continue 1.1", "417 Expectation Failed 1.1 Content-Length"};
    QTest::newRow("head cut short") << resp << QByteArray("HTTP/1.1 200 OK\r\nContent-Le") << QStringList{};
    QTest::newRow("not HTTP") << req << QByteArray("\x16\x03\x01 tls hello") << QStringList{};
}

void TestHttpParser::headsInWireRecords()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, heads);
    QStringList got;
    for (const MessageHead &h : headsIn(HttpParser::Kind(kind), bytes)) {
        QStringList parts;
        if (h.status)
            parts << QString::number(h.status) << QString::fromLatin1(h.reason);
        else
            parts << QString::fromLatin1(h.method) << QString::fromLatin1(h.target);
        parts << QStringLiteral("%1.%2").arg(h.versionMajor).arg(h.versionMinor);
        for (const auto &[name, value] : h.headers)
            parts << QString::fromLatin1(name);
        got << parts.join(QLatin1Char(' '));
    }
    QCOMPARE(got, heads);
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"
