// The matrix runner: client behaviours x server policies x body sizes on loopback, the outcome grid,
// the bandwidth an early answer saves, cancel, an external URL, and the JSON shape.

#include "matrixrunner.h"
#include "partythread.h"
#include "serverhost.h"
#include "testidentity.h"
#include "testserver.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryFile>
#include <QTest>

using namespace expectlab;

namespace {
MatrixResult runMatrix(const MatrixSpec &spec, QString *error = nullptr)
{
    MatrixRunner runner;
    QSignalSpy finished(&runner, &MatrixRunner::finished);
    if (!runner.start(spec, error))
        return {};
    finished.wait(60000);
    return runner.result();
}
} // namespace

class TestMatrix : public QObject
{
    Q_OBJECT

private slots:
    void behaviours_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<bool>("expect");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("expect") << "expect" << true << true << 1000 << true << "expect";
        QTest::newRow("expect wait") << "expect:250" << true << true << 250 << true << "expect:250";
        QTest::newRow("no retry") << "Expect:no-retry" << true << true << 1000 << false << "expect:no-retry";
        QTest::newRow("both") << "expect:0:no-retry" << true << true << 0 << false << "expect:0:no-retry";
        QTest::newRow("both reversed") << "expect:no-retry:0" << true << true << 0 << false << "expect:0:no-retry";
        QTest::newRow("no-expect") << " no-expect " << true << false << 1000 << true << "no-expect";
        QTest::newRow("unknown") << "maybe" << false << false << 0 << false << "";
        QTest::newRow("bad option") << "expect:soon" << false << false << 0 << false << "";
        QTest::newRow("negative") << "expect:-5" << false << false << 0 << false << "";
        QTest::newRow("two waits") << "expect:5:6" << false << false << 0 << false << "";
        QTest::newRow("no-expect option") << "no-expect:5" << false << false << 0 << false << "";
    }

    void behaviours()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QString error;
        const auto b = ClientBehaviour::parse(text, &error);
        QCOMPARE(b.has_value(), valid);
        if (!valid) {
            QVERIFY(!error.isEmpty());
            return;
        }
        QFETCH(bool, expect);
        QFETCH(int, timeoutMs);
        QFETCH(bool, retry);
        QFETCH(QString, canonical);
        QCOMPARE(b->expect, expect);
        if (expect) {
            QCOMPARE(b->expectTimeoutMs, timeoutMs);
            QCOMPARE(b->retry, retry);
        }
        QCOMPARE(b->toString(), canonical);
        QCOMPARE(ClientBehaviour::parse(canonical), b);
    }

    void specErrors()
    {
        {
            // HTTPS is for the local server; an external URL's scheme says how to connect.
            MatrixSpec tlsSpec;
            tlsSpec.clients = *MatrixSpec::parseClients(QStringLiteral("expect"), nullptr);
            tlsSpec.sizes = {1};
            tlsSpec.url = QUrl(QStringLiteral("https://127.0.0.1:9/"));
            tlsSpec.localTls = testsupport::makeTestIdentity()->identity;
            QVERIFY(tlsSpec.validate().contains(QLatin1String("external URL")));
            tlsSpec.url.clear();
            tlsSpec.policies = *MatrixSpec::parsePolicies(QStringLiteral("continue"), nullptr);
            QVERIFY(tlsSpec.validate().contains(QLatin1String("certificate file")));
        }
        QString error;
        QVERIFY(!MatrixSpec::parseClients(QStringLiteral("expect,bogus"), &error));
        QVERIFY(error.contains(QStringLiteral("bogus")));
        QVERIFY(!MatrixSpec::parsePolicies(QStringLiteral("continue,final:99"), &error));
        QVERIFY(error.contains(QStringLiteral("final")));
        QVERIFY(!MatrixSpec::parseClients(QStringLiteral(","), &error));
        MatrixSpec spec;
        QVERIFY(!spec.validate().isEmpty());
        MatrixRunner runner;
        QVERIFY(!runner.start(spec, &error));
        QVERIFY(error.contains(QStringLiteral("no client")));
    }

    // The grid: 3 client behaviours x 3 policies x 2 sizes on loopback; over TLS (issue 15)
    // every cell comes to the same, with its own handshake.
    void grid_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("http") << false;
        QTest::newRow("https") << true;
    }

    void grid()
    {
        QFETCH(bool, tls);
        MatrixSpec spec;
        QTemporaryFile certFile;
        if (tls) {
            auto made = testsupport::makeTestIdentity();
            QVERIFY(made);
            QVERIFY(certFile.open());
            QCOMPARE(certFile.write(made->certPem), made->certPem.size());
            QVERIFY(certFile.flush());
            made->identity.certFile = certFile.fileName();
            spec.localTls = made->identity;
        }
        spec.clients = *MatrixSpec::parseClients(QStringLiteral("expect,expect:no-retry,no-expect"), nullptr);
        spec.policies = *MatrixSpec::parsePolicies(QStringLiteral("continue,reject,final:413"), nullptr);
        spec.sizes = {1024, 64 * 1024};

        MatrixRunner runner;
        QSignalSpy finished(&runner, &MatrixRunner::finished);
        QSignalSpy progress(&runner, &MatrixRunner::progress);
        QSignalSpy cellFinished(&runner, &MatrixRunner::cellFinished);
        QString error;
        QVERIFY2(runner.start(spec, &error), qPrintable(error));
        QVERIFY(finished.wait(60000));
        const MatrixResult r = runner.result();
        QVERIFY(!r.cancelled);
        QCOMPARE(r.cells.size(), 18);
        QCOMPARE(cellFinished.size(), 18);
        QCOMPARE(progress.size(), 18);
        QCOMPARE(progress.last().at(0).toInt(), 18);
        QCOMPARE(progress.last().at(1).toInt(), 18);

        // expected[client][policy]: outcome, body sent is the size (true) or 0, saved vs no Expect
        struct Expected
        {
            const char *outcome;
            bool bodySent;
            bool saved;
            bool interim100;
        };
        const Expected expected[3][3] = {
            // continue                 reject                           final:413
            {{"200", true, false, true}, {"417 > 200", true, false, false}, {"413", false, true, false}}, // expect
            {{"200", true, false, true}, {"417", false, true, false}, {"413", false, true, false}},       // no retry
            {{"200", true, false, false}, {"200", true, false, false}, {"413", true, false, false}},      // no-expect
        };
        for (int c = 0; c < 3; ++c) {
            for (int p = 0; p < 3; ++p) {
                for (int s = 0; s < 2; ++s) {
                    const MatrixCell *cell = r.cell(c, p, s);
                    QVERIFY(cell);
                    const Expected &e = expected[c][p];
                    const qint64 size = spec.sizes.at(s);
                    const QString where = QStringLiteral("%1 / %2 / %3: %4")
                                              .arg(cell->client.toString(), cell->policy->toString())
                                              .arg(size)
                                              .arg(cell->summary.outcomeText());
                    QVERIFY2(cell->outcome() == QLatin1String(e.outcome), qPrintable(where));
                    QVERIFY2(cell->bodyBytesSent == (e.bodySent ? size : 0), qPrintable(where));
                    QVERIFY2(cell->savedVsNoExpect == std::optional<qint64>(e.saved ? size : 0), qPrintable(where));
                    QVERIFY2(cell->summary.interimStatuses() == (e.interim100 ? QList<int>{100} : QList<int>{}),
                             qPrintable(where));
                    // An Expect wait exists exactly when Expect was sent, and nothing here made it long.
                    QCOMPARE(cell->expectWaitNs.has_value(), c < 2);
                    if (cell->expectWaitNs)
                        QVERIFY2(*cell->expectWaitNs < 500'000'000, qPrintable(where));
                    QVERIFY(cell->totalNs > 0);
                    // The server's side of the cell was recorded with it, and only it.
                    int heads = 0;
                    for (const TimelineEvent &ev : cell->serverEvents)
                        heads += ev.kind == EventKind::Head;
                    QVERIFY2(heads == (cell->summary.retried ? 2 : 1), qPrintable(where));
                    QCOMPARE(cell->summary.url.scheme(), tls ? QStringLiteral("https") : QStringLiteral("http"));
                    QCOMPARE(bool(cell->summary.tls), tls);
                    const bool serverHandshake =
                        std::any_of(cell->serverEvents.cbegin(), cell->serverEvents.cend(),
                                    [](const TimelineEvent &ev) { return ev.kind == EventKind::TlsDone; });
                    QCOMPARE(serverHandshake, tls);
                }
            }
        }
        // Before a rejection the Expect clients sent no body at all on the first attempt.
        QCOMPARE(r.cell(0, 1, 1)->bodyBytesBeforeFinal, 0);
        QCOMPARE(r.cell(0, 1, 1)->bodyBytesSent, 64 * 1024);

        const QJsonObject json = matrixResultToJson(r);
        QCOMPARE(json.value(QStringLiteral("format")).toString(), QStringLiteral("expectlab-matrix"));
        QCOMPARE(json.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("target")).toString(), QStringLiteral("local"));
        QCOMPARE(json.value(QStringLiteral("total")).toInt(), 18);
        QCOMPARE(json.value(QStringLiteral("completed")).toInt(), 18);
        QCOMPARE(json.value(QStringLiteral("policies")).toArray().at(2).toString(), QStringLiteral("final:413"));
        const QJsonObject first = json.value(QStringLiteral("cells")).toArray().at(5).toObject();
        QCOMPARE(first.value(QStringLiteral("client")).toString(), QStringLiteral("expect"));
        QCOMPARE(first.value(QStringLiteral("policy")).toString(), QStringLiteral("final:413"));
        QCOMPARE(first.value(QStringLiteral("size")).toInteger(), 65536);
        QCOMPARE(first.value(QStringLiteral("final_status")).toInt(), 413);
        QCOMPARE(first.value(QStringLiteral("saved_vs_no_expect")).toInteger(), 65536);
        QVERIFY(first.value(QStringLiteral("expect_wait_ms")).isDouble());
        for (const char *key : {"outcome", "interim_statuses", "expect_sent", "retried", "body_bytes_sent",
                                "body_bytes_before_final", "bytes_saved", "total_ms", "error"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QVERIFY(matrixResultToText(r).contains(QStringLiteral("417 > 200")));
    }

    void cancel()
    {
        MatrixSpec spec;
        spec.clients = {*ClientBehaviour::parse(QStringLiteral("expect:20000"))};
        spec.policies = {*ServerPolicy::parse(QStringLiteral("ignore")),
                         *ServerPolicy::parse(QStringLiteral("continue"))};
        spec.sizes = {100, 200};
        MatrixRunner runner;
        QSignalSpy started(&runner, &MatrixRunner::cellStarted);
        QSignalSpy finished(&runner, &MatrixRunner::finished);
        QVERIFY(runner.start(spec));
        QVERIFY(started.wait(5000));
        QElapsedTimer timer;
        timer.start();
        runner.cancel();
        QVERIFY(finished.wait(5000));
        QVERIFY(timer.elapsed() < 4000); // did not wait out the 20 s Expect timeout
        const MatrixResult r = finished.first().first().value<MatrixResult>();
        QVERIFY(r.cancelled);
        QCOMPARE(r.cells.size(), 1);
        QCOMPARE(r.cells.first().outcome(), QStringLiteral("cancelled"));
        QVERIFY(!runner.isRunning());
        QCOMPARE(matrixResultToJson(r).value(QStringLiteral("cancelled")).toBool(), true);
    }

    // The local server runs on a thread of its own, not the matrix's (the client's) thread, and each
    // cell's policy is in force before its client connects (a cell never sees the previous policy).
    void serverOnItsOwnThread()
    {
        MatrixSpec spec;
        spec.clients = {*ClientBehaviour::parse(QStringLiteral("expect:2000"))};
        spec.policies = {
            *ServerPolicy::parse(QStringLiteral("final:413")), *ServerPolicy::parse(QStringLiteral("continue")),
            *ServerPolicy::parse(QStringLiteral("reject")), *ServerPolicy::parse(QStringLiteral("continue"))};
        spec.sizes = {100};
        MatrixRunner runner;
        QSignalSpy finished(&runner, &MatrixRunner::finished);
        QVERIFY(runner.start(spec));
        QVERIFY(runner.serverHost());
        QVERIFY(runner.serverHost()->partyThread()->worker() != QThread::currentThread());
        QVERIFY(finished.wait(15000));
        const MatrixResult r = finished.first().first().value<MatrixResult>();
        QCOMPARE(r.cells.size(), 4);
        const QList<int> expected{413, 200, 417, 200};
        for (int i = 0; i < 4; ++i) {
            const ExchangeSummary &cell = r.cells.at(i).summary;
            const auto first =
                cell.earlierAttempts.isEmpty() ? cell.finalStatus : cell.earlierAttempts.first().finalStatus;
            QCOMPARE(first.value_or(0), expected.at(i));
            QVERIFY(!r.cells.at(i).serverEvents.isEmpty());
        }
    }

    void externalUrl()
    {
        // The client axes against a server the runner does not control.
        TestServer server;
        server.setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        MatrixSpec spec;
        spec.clients = *MatrixSpec::parseClients(QStringLiteral("expect,expect:no-retry,no-expect"), nullptr);
        spec.policies = {*ServerPolicy::parse(QStringLiteral("continue"))}; // not used for a URL
        spec.sizes = {500};
        spec.url = QUrl(server.url() + QStringLiteral("ext"));
        const MatrixResult r = runMatrix(spec);
        QCOMPARE(r.cells.size(), 3);
        QCOMPARE(r.cells.at(0).outcome(), QStringLiteral("417 > 200"));
        QCOMPARE(r.cells.at(1).outcome(), QStringLiteral("417"));
        QCOMPARE(r.cells.at(2).outcome(), QStringLiteral("200"));
        QVERIFY(!r.cells.at(0).policy);
        QCOMPARE(r.cells.at(1).savedVsNoExpect, std::optional<qint64>(500));
        const QJsonObject json = matrixResultToJson(r);
        QCOMPARE(json.value(QStringLiteral("target")).toString(), spec.url.toString());
        QVERIFY(
            json.value(QStringLiteral("cells")).toArray().at(0).toObject().value(QStringLiteral("policy")).isNull());
    }
};

QTEST_GUILESS_MAIN(TestMatrix)
#include "tst_matrix.moc"
