// The client state machine fed scripted server bytes and a fake clock.
#include "bodyfeeder.h"
#include "clientexchange.h"
#include "httpparser.h"

#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;

class Driver
{
public:
    explicit Driver(qint64 bodySize, ClientRequest request = {})
    {
        if (request.url.isEmpty())
            request.url = QUrl(QStringLiteral("http://127.0.0.1:9/up"));
        if (bodySize >= 0) {
            request.body.kind = BodySpec::Kind::Generated;
            request.body.generatedSize = bodySize;
        }
        QString error;
        ClientUpload upload = makeClientUpload(7, request, &error);
        ex = std::move(upload.exchange);
        feed = std::move(upload.feeder);
        feed->startAttempt(now);
        ex->connected(now, {});
    }
    // Everything the client wants to write now.
    QByteArray flush()
    {
        QByteArray out;
        while (ex->wantsToSend())
            out += feed->nextOutgoing(1 << 20, now);
        ex->sent(out.size(), now); // the kernel takes it at once
        return out;
    }
    // One write: the adapter hands the bytes to the kernel at once.
    QByteArray take(qint64 budget)
    {
        const QByteArray out = feed->nextOutgoing(budget, now);
        ex->sent(out.size(), now);
        return out;
    }
    void at(qint64 ms)
    {
        now = ms * kMs;
        ex->advanceTime(now);
    }
    void receive(const QByteArray &bytes) { ex->receive(bytes, now); }
    QStringList kinds() const
    {
        QStringList out;
        for (const auto &e : ex->summary().events)
            out << (e.hasStatus() ? QStringLiteral("%1:%2").arg(kindName(e.kind)).arg(e.status) : kindName(e.kind));
        return out;
    }
    const ExchangeSummary &s() const { return ex->summary(); }

    std::unique_ptr<ClientExchange> ex;
    std::unique_ptr<BodyFeeder> feed; // moves the body into ex: the adapter's half
    qint64 now = 0;
};

// Decodes what the client wrote as a request, the way a server would.
struct RequestReader : HttpParser::Sink
{
    HttpParser::HeadAction onHead(const MessageHead &) override { return HttpParser::HeadAction::Continue; }
    void onBody(QByteArrayView data) override { body += data.toByteArray(); }
    void onMessageComplete() override { ++complete; }
    QByteArray body;
    int complete = 0;
};

const QByteArray k100 = "HTTP/1.1 100 Continue\r\n\r\n";
const QByteArray k200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const QByteArray k417 = "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n";
const QByteArray k413 = "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
} // namespace

class TestClientExchange : public QObject
{
    Q_OBJECT
private slots:
    void headCarriesExpectAndFraming();
    void continueReleasesBody();
    void timeoutReleasesBodyAtDeadline();
    void lateContinueAfterTimeout();
    void retryAfter417WithoutExpect();
    void early413SavesBody();
    void unknownInterimIsInterim();
    void closedBeforeFinalIsError();
    void overallTimeout();
    void malformedResponse();
    void cancelStopsEverything();
    void zeroExpectTimeoutSendsAtOnce();
    void headResponseHasNoBody();
    void chunkedFramingIsValid_data();
    void chunkedFramingIsValid();
    void finalBetweenChunkPiecesStops();
    void validation_data();
    void validation();
};

void TestClientExchange::chunkedFramingIsValid_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("budget");
    QTest::newRow("empty") << qint64(0) << qint64(1024);
    QTest::newRow("one small chunk") << qint64(5) << qint64(1024);
    QTest::newRow("exactly one slice") << qint64(65536) << qint64(65536);
    QTest::newRow("slices and a remainder") << qint64(300000) << qint64(65536);
    QTest::newRow("one-byte slices") << qint64(40) << qint64(1);
}

void TestClientExchange::chunkedFramingIsValid()
{
    QFETCH(qint64, size);
    QFETCH(qint64, budget);
    ClientRequest request;
    request.chunked = true;
    Driver d(size, request);
    QByteArray wire = d.flush();
    d.receive(k100);
    int calls = 0;
    while (d.ex->wantsToSend()) {
        // Body Done is announced with the last byte handed out, not before.
        QVERIFY(!d.kinds().contains(QStringLiteral("body_done")));
        wire += d.take(budget);
        ++calls;
    }
    QVERIFY(calls > 0);
    QCOMPARE(d.kinds().last(), QStringLiteral("body_done"));
    RequestReader reader;
    HttpParser parser(HttpParser::Kind::Request, &reader);
    const HttpParser::Result r = parser.feed(wire);
    QCOMPARE(r.status, HttpParser::Status::Ok);
    QCOMPARE(r.consumed, wire.size());
    QCOMPARE(reader.complete, 1);
    QCOMPARE(reader.body.size(), size);
    QVERIFY(wire.endsWith("0\r\n\r\n"));
    QCOMPARE(d.s().bodyBytesSent, size);
}

void TestClientExchange::finalBetweenChunkPiecesStops()
{
    // A chunk goes out as size line, data and CRLF. A final answer between the pieces stops the
    // body like any other (R21): nothing more is sent, the connection is not reused, and the
    // unsent rest counts as saved.
    ClientRequest request;
    request.chunked = true;
    request.expectTimeoutMs = 0;
    Driver d(1 << 20, request);
    d.take(1024); // the head
    QCOMPARE(d.take(65536), QByteArray("10000\r\n"));
    d.receive(k413);
    QVERIFY(!d.ex->wantsToSend());
    QCOMPARE(d.s().finalStatus.value_or(0), 413);
    QVERIFY(!d.kinds().contains(QStringLiteral("body_done")));
    QCOMPARE(d.s().bytesSaved, (1 << 20) - 65536);
    QCOMPARE(d.s().events.at(d.kinds().indexOf(QStringLiteral("final:413"))).rule, QStringLiteral("R21"));
}

void TestClientExchange::headCarriesExpectAndFraming()
{
    Driver d(1234);
    const QByteArray head = d.flush();
    QVERIFY(head.startsWith("POST /up HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"));
    QVERIFY(head.contains("\r\nContent-Length: 1234\r\n"));
    QVERIFY(head.contains("\r\nExpect: 100-continue\r\n")); // R3
    QVERIFY(head.endsWith("\r\n\r\n"));
    QVERIFY(d.ex->isWaitingForContinue());
    QCOMPARE(d.kinds(), (QStringList{"connect", "connected", "head_sent"}));
}

void TestClientExchange::continueReleasesBody()
{
    Driver d(3000);
    d.flush();
    d.at(7);
    QVERIFY(d.flush().isEmpty()); // still waiting
    d.receive(k100);
    QVERIFY(!d.ex->isWaitingForContinue());
    QCOMPARE(d.flush().size(), 3000);
    d.receive(k200);
    QVERIFY(d.ex->wantsClose());
    d.ex->transportClosed(d.now);
    QVERIFY(d.ex->isFinished());
    QCOMPARE(d.s().expectWaitNs.value_or(-1), 7 * kMs);
    QCOMPARE(d.s().interimStatuses(), QList<int>{100});
    QCOMPARE(d.s().finalStatus.value_or(0), 200);
    QCOMPARE(d.s().responseBodyPreview, QByteArray("ok"));
    QCOMPARE(d.kinds(), (QStringList{"connect", "connected", "head_sent", "interim:100", "body_start", "body_done",
                                     "final:200", "response_done:200", "closed"}));
}

void TestClientExchange::timeoutReleasesBodyAtDeadline()
{
    Driver d(10);
    d.flush();
    d.at(999);
    QVERIFY(d.ex->isWaitingForContinue());
    QCOMPARE(d.ex->nextDeadlineNs().value_or(0), 1000 * kMs);
    d.at(1000);
    QVERIFY(!d.ex->isWaitingForContinue());
    QCOMPARE(d.kinds().last(), QStringLiteral("expect_timeout"));
    QCOMPARE(d.s().events.last().rule, QStringLiteral("R5"));
    QCOMPARE(d.flush().size(), 10);
    QCOMPARE(d.s().expectWaitNs.value_or(-1), 1000 * kMs);
}

void TestClientExchange::lateContinueAfterTimeout()
{
    Driver d(10);
    d.flush();
    d.at(1000);
    d.flush();
    d.at(1500);
    d.receive(k100 + k200);
    QCOMPARE(d.s().interimStatuses(), QList<int>{100});
    QCOMPARE(d.s().expectWaitNs.value_or(-1), 1000 * kMs); // the wait ended at the timeout
    const auto interim = d.s().events.at(d.kinds().indexOf(QStringLiteral("interim:100")));
    QVERIFY(interim.detail.contains(QStringLiteral("late")));
    QCOMPARE(d.s().finalStatus.value_or(0), 200);
}

void TestClientExchange::retryAfter417WithoutExpect()
{
    Driver d(500);
    d.flush();
    d.at(2);
    d.receive(k417);
    QVERIFY(d.ex->wantsClose());
    d.ex->transportClosed(d.now);
    QVERIFY(d.ex->wantsReconnect());
    d.feed->startAttempt(d.now);
    d.ex->connected(d.now, {});
    const QByteArray second = d.flush();
    QVERIFY(!second.contains("Expect:")); // R6
    QVERIFY(second.contains("Content-Length: 500"));
    QCOMPARE(second.size() - second.indexOf("\r\n\r\n") - 4, 500);
    d.receive(k200);
    d.ex->transportClosed(d.now);
    QVERIFY(d.ex->isFinished());
    QVERIFY(d.s().retried);
    QCOMPARE(d.s().finalStatus.value_or(0), 200);
    QCOMPARE(d.s().bodyBytesSent, 500);
    // The first attempt's body never went, but the retry's did: over the exchange nothing was saved
    // (case 20); the 417 stays with its own attempt (case 6).
    QCOMPARE(d.s().bytesSaved, 0);
    QCOMPARE(d.s().earlierAttempts.size(), 1);
    QCOMPARE(d.s().earlierAttempts.first().finalStatus.value_or(0), 417);
    QCOMPARE(d.s().wireLogs.size(), 2);
    QVERIFY(d.kinds().contains(QStringLiteral("retry")));
    QVERIFY(d.s().outcomeText().startsWith(
        QStringLiteral("417: server rejected the expectation; retried without Expect, 200")));
}

void TestClientExchange::early413SavesBody()
{
    ClientRequest r;
    r.expectTimeoutMs = 0; // send at once, like Go with ExpectContinueTimeout 0
    Driver d(1 << 20, r);
    QByteArray out = d.take(1024); // the head
    out = d.take(65536);           // the first body slice
    QCOMPARE(out.size(), 65536);
    d.receive(k413);
    QVERIFY(!d.ex->wantsToSend()); // R21: stop sending
    QCOMPARE(d.s().bytesSaved, (1 << 20) - 65536);
    QCOMPARE(d.s().finalStatus.value_or(0), 413);
    QCOMPARE(d.s().events.at(d.kinds().indexOf(QStringLiteral("final:413"))).rule, QStringLiteral("R21"));
}

void TestClientExchange::unknownInterimIsInterim()
{
    Driver d(-1);
    d.flush();
    d.receive("HTTP/1.1 199 Whatever\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + k200);
    QCOMPARE(d.s().interimStatuses(), (QList<int>{199, 103})); // R14, R17
    QCOMPARE(d.s().finalStatus.value_or(0), 200);
}

void TestClientExchange::closedBeforeFinalIsError()
{
    Driver d(10);
    d.flush();
    d.ex->peerClosed(d.now);
    QVERIFY(d.ex->wantsClose());
    d.ex->transportClosed(d.now);
    QVERIFY(d.ex->isFinished());
    QVERIFY(!d.s().finalStatus);
    QVERIFY(d.s().error.contains(QStringLiteral("before a final response")));
}

void TestClientExchange::overallTimeout()
{
    ClientRequest r;
    r.timeoutMs = 5000;
    r.expectTimeoutMs = 1000;
    Driver d(10, r);
    d.flush();
    d.at(1000);
    d.flush();
    QCOMPARE(d.ex->nextDeadlineNs().value_or(0), 5000 * kMs);
    d.at(5000);
    QVERIFY(d.ex->wantsClose());
    QVERIFY(d.s().error.contains(QStringLiteral("timed out after 5000 ms")));
}

void TestClientExchange::malformedResponse()
{
    Driver d(-1);
    d.flush();
    d.receive("HTTP/1.1 20x OK\r\n\r\n");
    QVERIFY(d.ex->wantsClose());
    QVERIFY(d.s().error.startsWith(QStringLiteral("malformed response")));
}

void TestClientExchange::cancelStopsEverything()
{
    Driver d(1 << 30);
    d.flush();
    d.receive(k100);
    d.take(1 << 16);
    d.ex->cancel(d.now);
    QVERIFY(!d.ex->wantsToSend());
    QVERIFY(d.ex->wantsClose());
    d.ex->transportClosed(d.now);
    QVERIFY(d.ex->isFinished());
    QVERIFY(d.s().cancelled);
    // A cancel saves nothing: Saved counts only what the server's early answer spared (case 20).
    QCOMPARE(d.s().bytesSaved, 0);
    QVERIFY(d.kinds().contains(QStringLiteral("cancelled")));
}

void TestClientExchange::zeroExpectTimeoutSendsAtOnce()
{
    ClientRequest r;
    r.expectTimeoutMs = 0;
    Driver d(100, r);
    const QByteArray out = d.flush();
    QVERIFY(out.contains("Expect: 100-continue"));
    QVERIFY(!d.ex->isWaitingForContinue());
    QVERIFY(!d.kinds().contains(QStringLiteral("expect_timeout")));
    QCOMPARE(out.size() - out.indexOf("\r\n\r\n") - 4, 100);
}

void TestClientExchange::headResponseHasNoBody()
{
    ClientRequest r;
    r.method = "HEAD";
    Driver d(-1, r);
    d.flush();
    d.receive("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    QVERIFY(d.ex->wantsClose());
    QCOMPARE(d.s().responseBodyBytes, 0);
}

void TestClientExchange::validation_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ok") << "http://127.0.0.1:8080/x" << QByteArray() << true;
    QTest::newRow("ipv6") << "http://[::1]:8080/x" << QByteArray("PUT") << true;
    // HTTPS is a scheme the client speaks (issue 15); the TLS engine does the rest.
    QTest::newRow("https") << "https://127.0.0.1/" << QByteArray() << true;
    QTest::newRow("https port 0") << "https://127.0.0.1:0/" << QByteArray() << false;
    QTest::newRow("ftp") << "ftp://127.0.0.1/" << QByteArray() << false;
    QTest::newRow("no host") << "http://" << QByteArray() << false;
    QTest::newRow("not a url") << "not a url" << QByteArray() << false;
    QTest::newRow("port 0") << "http://127.0.0.1:0/" << QByteArray() << false;
    QTest::newRow("bad method") << "http://127.0.0.1/" << QByteArray("PO ST") << false;
}

void TestClientExchange::validation()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, method);
    QFETCH(bool, valid);
    ClientRequest r;
    r.url = QUrl(url, QUrl::StrictMode);
    r.method = method;
    QCOMPARE(r.validate().isEmpty(), valid);
}

QTEST_GUILESS_MAIN(TestClientExchange)
#include "tst_clientexchange.moc"
