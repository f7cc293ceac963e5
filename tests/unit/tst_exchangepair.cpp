// Client and server state machines against each other, in memory, on a fake clock: every policy
// with Expect on and off, with golden event sequences per side.
#include "inmemorypair.h"

#include <QTest>

using namespace expectlab;
using expectlab::testing::InMemoryPair;

class TestExchangePair : public QObject
{
    Q_OBJECT
private slots:
    void policies_data();
    void policies();
    void delayedContinueWaitsExactly();
    void ignoreWithTimeoutSendsAnyway();
    void clientNotWaitingCancelsDelayedContinue();
    void rejectWithoutRetryKeeps417();
    void chunkedBodyWithExpect();
    void unknownExpectationRejectedUnderEveryPolicy_data();
    void unknownExpectationRejectedUnderEveryPolicy();
    void noBodyMeansNoExpect();
};

void TestExchangePair::policies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("expect");
    QTest::addColumn<QStringList>("client");
    QTest::addColumn<QStringList>("server");
    QTest::addColumn<int>("finalStatus");
    QTest::addColumn<qint64>("bodySent");
    QTest::addColumn<qint64>("saved");
    QTest::addColumn<bool>("retried");

    const qint64 size = 10000;
    const QStringList plainClient{"connect",   "connected", "head_sent",         "body_start",
                                  "body_done", "final:200", "response_done:200", "closed"};
    const QStringList plainServer{"accepted", "head", "body_start", "body_done", "final_sent:200", "closed"};

    QTest::newRow("continue, expect")
        << "continue" << true << QStringList{"connect",   "connected", "head_sent",         "interim:100", "body_start",
                                             "body_done", "final:200", "response_done:200", "closed"}
        << QStringList{"accepted", "head", "interim_sent:100", "body_start", "body_done", "final_sent:200", "closed"}
        << 200 << size << qint64(0) << false;
    QTest::newRow("continue, no expect") << "continue" << false << plainClient << plainServer << 200 << size
                                         << qint64(0) << false;
    QTest::newRow("ignore, no expect") << "ignore" << false << plainClient << plainServer << 200 << size << qint64(0)
                                       << false;
    QTest::newRow("delay, no expect") << "delay:300" << false << plainClient << plainServer << 200 << size << qint64(0)
                                      << false;
    QTest::newRow("reject, expect: retried without Expect (R6)")
        << "reject" << true
        << QStringList{"connect",    "connected", "head_sent", "final:417",         "response_done:417",
                       "closed",     "retry",     "connect",   "connected",         "head_sent",
                       "body_start", "body_done", "final:200", "response_done:200", "closed"}
        << QStringList{"accepted", "head",       "final_sent:417", "closed",         "accepted",
                       "head",     "body_start", "body_done",      "final_sent:200", "closed"}
        << 200 << size << qint64(0) << true; // the retry sent the body: nothing saved over the exchange
    QTest::newRow("reject, no expect") << "reject" << false << plainClient << plainServer << 200 << size << qint64(0)
                                       << false;
    QTest::newRow("final:413, expect: body saved (R21)")
        << "final:413" << true
        << QStringList{"connect", "connected", "head_sent", "final:413", "response_done:413", "closed"}
        << QStringList{"accepted", "head", "final_sent:413", "closed"} << 413 << qint64(0) << size << false;
    // In memory the answer arrives before the first body slice leaves: nothing of the body goes.
    QTest::newRow("final:401, no expect: body stopped")
        << "final:401" << false
        << QStringList{"connect", "connected", "head_sent", "final:401", "response_done:401", "closed"}
        << QStringList{"accepted", "head", "final_sent:401", "closed"} << 401 << qint64(0) << size << false;
    QTest::newRow("close, expect") << "close" << true
                                   << QStringList{"connect", "connected", "head_sent", "error", "closed"}
                                   << QStringList{"accepted", "head", "closed"} << 0 << qint64(0) << qint64(0)
                                   << false; // no answer: a failure saves nothing
}

void TestExchangePair::policies()
{
    QFETCH(QString, policy);
    QFETCH(bool, expect);
    QFETCH(QStringList, client);
    QFETCH(QStringList, server);
    QFETCH(int, finalStatus);
    QFETCH(qint64, bodySent);
    QFETCH(qint64, saved);
    QFETCH(bool, retried);

    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:8080/upload"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 10000;
    request.expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    InMemoryPair pair(*ServerPolicy::parse(policy), request);
    QVERIFY(pair.run());
    QCOMPARE(pair.clientKinds(), client);
    QCOMPARE(pair.serverKinds(), server);
    const ExchangeSummary &s = pair.summary();
    QCOMPARE(s.finalStatus.value_or(0), finalStatus);
    QCOMPARE(s.bodyBytesSent, bodySent);
    QCOMPARE(s.bytesSaved, saved);
    QCOMPARE(s.retried, retried);
    QCOMPARE(s.expectSent, expect);
    QCOMPARE(s.expectWaitNs.has_value(), expect && policy != QLatin1String("close"));
    QCOMPARE(s.error.isEmpty(), finalStatus != 0);
    QVERIFY(s.finished());
}

void TestExchangePair::delayedContinueWaitsExactly()
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "payload";
    request.expectTimeoutMs = 2000;
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("delay:300")), request);
    QVERIFY(pair.run());
    QCOMPARE(pair.summary().expectWaitNs.value_or(-1), 300 * InMemoryPair::kMs);
    QCOMPARE(pair.summary().interimStatuses(), QList<int>{100});
    QCOMPARE(pair.summary().finalStatus.value_or(0), 200);
}

void TestExchangePair::ignoreWithTimeoutSendsAnyway()
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "payload";
    request.expectTimeoutMs = 200;
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("ignore")), request);
    QVERIFY(pair.run());
    QCOMPARE(pair.clientKinds(), (QStringList{"connect", "connected", "head_sent", "expect_timeout", "body_start",
                                              "body_done", "final:200", "response_done:200", "closed"}));
    QCOMPARE(pair.summary().expectWaitNs.value_or(-1), 200 * InMemoryPair::kMs);
    const auto timeout = pair.clientEvents.at(3);
    QCOMPARE(timeout.rule, QStringLiteral("R5"));
    QCOMPARE(timeout.tNs - pair.clientEvents.at(2).tNs, 200 * InMemoryPair::kMs);
}

void TestExchangePair::clientNotWaitingCancelsDelayedContinue()
{
    // The client gives up after 100 ms; the server meant to send its 100 at 300 ms and must not (R4).
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "payload";
    request.expectTimeoutMs = 100;
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("delay:300")), request);
    QVERIFY(pair.run());
    QVERIFY(!pair.serverKinds().contains(QStringLiteral("interim_sent:100")));
    QVERIFY(pair.summary().interimStatuses().isEmpty());
    const QByteArray reply = pair.summary().responseBodyPreview;
    QVERIFY2(reply.contains("\"body_before_interim\":true"), reply.constData());
    QVERIFY2(reply.contains("\"interim_sent\":false"), reply.constData());
}

void TestExchangePair::rejectWithoutRetryKeeps417()
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 5000;
    request.retryWithoutExpect = false;
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("reject")), request);
    QVERIFY(pair.run());
    QCOMPARE(pair.summary().finalStatus.value_or(0), 417);
    QVERIFY(!pair.summary().retried);
    QCOMPARE(pair.summary().bytesSaved, 5000);
    QVERIFY(pair.summary().responseBodyPreview.contains("\"expect\":\"100-continue\""));
    QVERIFY(pair.summary().finalHead.hasConnectionToken("close")); // R10, R22
}

void TestExchangePair::chunkedBodyWithExpect()
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 9000;
    request.chunked = true;
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("continue")), request, 1000);
    QVERIFY(pair.run());
    QCOMPARE(pair.summary().finalStatus.value_or(0), 200);
    QVERIFY(pair.summary().responseBodyPreview.contains("\"received_bytes\":9000"));
    bool chunkedHeader = false;
    for (const auto &[n, v] : pair.summary().requestHeaders)
        chunkedHeader |= (n == "Transfer-Encoding" && v == "chunked");
    QVERIFY(chunkedHeader);
}

void TestExchangePair::unknownExpectationRejectedUnderEveryPolicy_data()
{
    QTest::addColumn<QString>("policy");
    for (const char *p : {"continue", "delay:50", "ignore", "reject", "final:405", "close"})
        QTest::newRow(p) << QString::fromLatin1(p);
}

void TestExchangePair::unknownExpectationRejectedUnderEveryPolicy()
{
    QFETCH(QString, policy);
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "x";
    request.expect = ClientRequest::ExpectMode::Custom;
    request.expectValue = "x-unknown";
    request.retryWithoutExpect = false;
    InMemoryPair pair(*ServerPolicy::parse(policy), request);
    QVERIFY(pair.run());
    QCOMPARE(pair.summary().finalStatus.value_or(0), 417); // R1
    QVERIFY(pair.summary().responseBodyPreview.contains("\"expect\":\"x-unknown\""));
}

void TestExchangePair::noBodyMeansNoExpect()
{
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    InMemoryPair pair(*ServerPolicy::parse(QStringLiteral("continue")), request);
    QVERIFY(pair.run());
    QVERIFY(!pair.summary().expectSent); // R2
    QCOMPARE(pair.summary().method, QByteArray("GET"));
    QCOMPARE(pair.summary().finalStatus.value_or(0), 200);
    QVERIFY(!pair.summary().expectWaitNs);
}

QTEST_GUILESS_MAIN(TestExchangePair)
#include "tst_exchangepair.moc"
