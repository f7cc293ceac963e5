// The client against the answers real and hostile servers give (issue 12, cases 1-6): each row is
// a script of what the server sends and does, on a fake clock, and what the exchange must come to.
#include "bodyfeeder.h"
#include "clientexchange.h"

#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;

// One step of a server script: "head" (the client sends what it wants), "body" (everything it
// still wants to send), "recv:<bytes>", "at:<ms>", "fin", "rst", "closed" (the adapter's socket is
// gone), "retry" (reconnect for a pending retry).
using Script = QList<QByteArray>;

struct Outcome
{
    int finalStatus = 0; // 0: none
    bool succeeded = false;
    ErrorKind error = ErrorKind::None;
    int errorEvents = 0;
    bool retried = false;
    qint64 bodySent = 0;
    QString detail; // a phrase some event's detail must have
};

class Runner
{
public:
    Runner(qint64 bodySize, int timeoutMs = 3000)
    {
        ClientRequest request;
        request.url = QUrl(QStringLiteral("http://127.0.0.1:9/up"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = bodySize;
        request.timeoutMs = timeoutMs;
        QString error;
        ClientUpload upload = makeClientUpload(1, request, &error);
        ex = std::move(upload.exchange);
        feed = std::move(upload.feeder);
        feed->startAttempt(now);
        ex->connected(now, {});
    }
    void run(const Script &script)
    {
        for (const QByteArray &step : script) {
            if (step == "head") {
                send(1);
            } else if (step == "body") {
                send(1 << 30);
            } else if (step.startsWith("recv:")) {
                ex->receive(step.mid(5), now);
            } else if (step.startsWith("at:")) {
                now = step.mid(3).toLongLong() * kMs;
                ex->advanceTime(now);
            } else if (step == "fin") {
                ex->peerClosed(now, false);
            } else if (step == "rst") {
                ex->peerClosed(now, true);
            } else if (step == "closed") {
                if (ex->wantsClose() || !ex->isFinished())
                    ex->transportClosed(now);
            } else if (step == "retry") {
                QVERIFY2(ex->wantsReconnect(), "a retry was expected");
                feed->startAttempt(now);
                ex->connected(now, {});
            }
        }
        if (ex->wantsClose())
            ex->transportClosed(now);
    }
    void send(int slices)
    {
        for (int i = 0; i < slices && ex->wantsToSend(); ++i) {
            const QByteArray out = feed->nextOutgoing(1 << 20, now);
            ex->sent(out.size(), now);
        }
    }
    std::unique_ptr<ClientExchange> ex;
    std::unique_ptr<BodyFeeder> feed;
    qint64 now = 0;
};

const QByteArray k100 = "HTTP/1.1 100 Continue\r\n\r\n";
const QByteArray k200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
} // namespace

Q_DECLARE_METATYPE(Script)
Q_DECLARE_METATYPE(Outcome)

class TestClientAnswers : public QObject
{
    Q_OBJECT
private slots:
    void answers_data();
    void answers();
    void segmentationDoesNotMatter_data();
    void segmentationDoesNotMatter();
    void retryKeepsAttemptsApart();
};

void TestClientAnswers::answers_data()
{
    QTest::addColumn<qint64>("bodySize");
    QTest::addColumn<Script>("script");
    QTest::addColumn<Outcome>("expected");

    const QByteArray r417 = "recv:HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n";
    // Case 1: a 1xx never ends the connection's message sequence (R17), whatever it says.
    QTest::newRow("HTTP/1.0 100, then HTTP/1.0 200 and a close (Caddy 2.6)")
        << qint64(5)
        << Script{"head", "recv:HTTP/1.0 100 Continue\r\n\r\n", "body",
                  "recv:HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "fin"}
        << Outcome{200, true, ErrorKind::None, 0, false, 5, {}};
    QTest::newRow("100 with Connection: close, then 200")
        << qint64(5)
        << Script{"head", "recv:HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n", "body", "recv:" + k200}
        << Outcome{200, true, ErrorKind::None, 0, false, 5, {}};
    // Case 3: the retry's connection closes with no answer: no final response to the last attempt.
    QTest::newRow("retry closes without an answer")
        << qint64(5) << Script{"head", r417, "closed", "retry", "head", "body", "fin"}
        << Outcome{0, false, ErrorKind::ClosedEarly, 1, true, 5, "before a final response"};
    // Case 4: incomplete or invalid responses are errors.
    QTest::newRow("Content-Length 100, 20 bytes, close")
        << qint64(-1)
        << Script{"head",
                  "recv:HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n" + QByteArray(20, 'x'),
                  "fin"}
        << Outcome{200, false, ErrorKind::ClosedEarly, 1, false, 0, "20 of 100 body bytes"};
    QTest::newRow("chunked body that never ends")
        << qint64(-1)
        << Script{"head", "recv:HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "at:3000"}
        << Outcome{200, false, ErrorKind::Timeout, 1, false, 0, "rest of the response body"};
    QTest::newRow("status 099") << qint64(-1) << Script{"head", "recv:HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n"}
                                << Outcome{0, false, ErrorKind::InvalidStatus, 1, false, 0, "invalid status code 099"};
    QTest::newRow("status 600") << qint64(-1) << Script{"head", "recv:HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n"}
                                << Outcome{0, false, ErrorKind::InvalidStatus, 1, false, 0, "invalid status code 600"};
    // Case 5: we never ask to upgrade, so a 101 is a protocol error, and the body is not sent.
    QTest::newRow("101 with Upgrade headers")
        << qint64(5)
        << Script{"head", "recv:HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
                  "body"}
        << Outcome{0, false, ErrorKind::UnexpectedUpgrade, 1, false, 0, "switched protocols"};
    QTest::newRow("bare 101") << qint64(5) << Script{"head", "recv:HTTP/1.1 101 Switching Protocols\r\n\r\n", "body"}
                              << Outcome{0, false, ErrorKind::UnexpectedUpgrade, 1, false, 0, "switched protocols"};
    // Case 6: bytes before the request are no answer; a flood of 1xx is one error; resets are resets.
    QTest::newRow("bytes before the request was sent")
        << qint64(5) << Script{"recv:" + k200, "head"}
        << Outcome{0, false, ErrorKind::SpokeFirst, 1, false, 0, "before any byte of the request"};
    QTest::newRow("10,000 x 103") << qint64(-1)
                                  << Script{"head",
                                            "recv:" + QByteArray("HTTP/1.1 103 Early Hints\r\n\r\n").repeated(10000)}
                                  << Outcome{0,     false, ErrorKind::TooManyInterims, 1,
                                             false, 0,     "more than 100 interim"};
    QTest::newRow("reset before the answer")
        << qint64(5) << Script{"head", "rst"} << Outcome{0, false, ErrorKind::Reset, 1, false, 0, "reset"};
    QTest::newRow("FIN before the answer")
        << qint64(5) << Script{"head", "fin"}
        << Outcome{0, false, ErrorKind::ClosedEarly, 1, false, 0, "closed by the server"};
    QTest::newRow("a whole response, then a reset: the answer stands")
        << qint64(-1) << Script{"head", "recv:" + k200, "rst"} << Outcome{200, true, ErrorKind::None, 0, false, 0, {}};
}

void TestClientAnswers::answers()
{
    QFETCH(qint64, bodySize);
    QFETCH(Script, script);
    QFETCH(Outcome, expected);
    Runner r(bodySize);
    r.run(script);
    const ExchangeSummary &s = r.ex->summary();
    QVERIFY(r.ex->isFinished());
    QCOMPARE(s.finalStatus.value_or(0), expected.finalStatus);
    QCOMPARE(s.succeeded(), expected.succeeded);
    QCOMPARE(errorKindName(s.errorKind), errorKindName(expected.error));
    QCOMPARE(s.retried, expected.retried);
    QCOMPARE(s.bodyBytesSent, expected.bodySent);
    int errors = 0;
    QString details;
    for (const TimelineEvent &e : s.events) {
        errors += e.kind == EventKind::Error;
        details += e.detail + QLatin1Char('\n');
    }
    QCOMPARE(errors, expected.errorEvents);
    if (!expected.detail.isEmpty())
        QVERIFY2(details.contains(expected.detail), qPrintable(details));
    QVERIFY(!details.contains(QLatin1String("HPE_")));
    // Who closed first, typed: the server when it sent FIN or RST first, we otherwise.
    const TimelineEvent &closed = s.events.last();
    QCOMPARE(closed.kind, EventKind::Closed);
    const bool peerFirst = script.contains("fin") || script.contains("rst");
    QCOMPARE(closed.closedBy, peerFirst && !expected.succeeded ? Closer::Peer : Closer::Local);
    QCOMPARE(closed.reset, script.last() == "rst" && !expected.succeeded);
}

void TestClientAnswers::segmentationDoesNotMatter_data()
{
    QTest::addColumn<Script>("script");
    const QByteArray keepAlive417 = "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n";
    const QByteArray more = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    // Case 2: bytes behind a keep-alive 417, in its segment or 200 ms later: the retry happens.
    QTest::newRow("same segment") << Script{
        "head", "recv:" + keepAlive417 + more, "closed", "retry", "head", "body", "recv:" + k200};
    QTest::newRow("200 ms later") << Script{
        "head", "recv:" + keepAlive417, "at:200", "recv:" + more, "closed", "retry", "head", "body", "recv:" + k200};
}

void TestClientAnswers::segmentationDoesNotMatter()
{
    QFETCH(Script, script);
    Runner r(5);
    r.run(script);
    const ExchangeSummary &s = r.ex->summary();
    QVERIFY(s.retried);
    QVERIFY(s.succeeded());
    QCOMPARE(s.finalStatus.value_or(0), 200);
    QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
}

void TestClientAnswers::retryKeepsAttemptsApart()
{
    // Case 6: a 100, then a 417 after the body; the retry's own 100 is not a duplicate of the first.
    Runner r(5);
    r.run({"head", "recv:" + k100, "body", "recv:HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n",
           "closed", "retry", "head", "recv:" + k100, "body", "recv:" + k200});
    const ExchangeSummary &s = r.ex->summary();
    QVERIFY(s.retried);
    QCOMPARE(s.interimStatuses(), QList<int>{100});
    QCOMPARE(s.earlierAttempts.size(), 1);
    QCOMPARE(s.earlierAttempts.first().interimStatuses(), QList<int>{100});
    QCOMPARE(s.earlierAttempts.first().finalStatus.value_or(0), 417);
    for (const TimelineEvent &e : s.events)
        QVERIFY2(!e.detail.contains(QLatin1String("duplicate")), qPrintable(e.detail));
}

QTEST_GUILESS_MAIN(TestClientAnswers)
#include "tst_clientanswers.moc"
