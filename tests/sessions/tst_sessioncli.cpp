// The command line of issue 6: `expectlab matrix` (options, exit codes, JSON shape) and --save for
// send, serve and matrix.

#include "exchangerunner.h"
#include "serveprocess.h"
#include "sessionfile.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace expectlab;

namespace {
struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs the binary while the test's event loop keeps running (an in-process server may be its peer).
Run runCli(const QStringList &args, int timeoutMs = 30000)
{
    Run run;
    QProcess p;
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(qEnvironmentVariable("EXPECTLAB_BIN"), args);
    if (!p.waitForStarted(5000) || !finished.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}
} // namespace

class TestSessionCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(qEnvironmentVariable("EXPECTLAB_BIN")).isExecutable(), "EXPECTLAB_BIN is not set");
    }

    void matrixUsage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad client") << QStringList{"--clients", "expect,sometimes"} << "invalid --clients";
        QTest::newRow("bad policy") << QStringList{"--policies", "continue,final:99"} << "invalid --policies";
        QTest::newRow("bad size") << QStringList{"--sizes", "1K,lots"} << "invalid size 'lots'";
        QTest::newRow("url and policies")
            << QStringList{"--url", "http://127.0.0.1:9/", "--policies", "reject"} << "exclude each other";
        QTest::newRow("bad url") << QStringList{"--url", "ftp://x/"} << "invalid URL";
        QTest::newRow("zero timeout") << QStringList{"--timeout", "0"} << "invalid --timeout";
        QTest::newRow("positional") << QStringList{"extra"} << "unexpected argument 'extra'";
        QTest::newRow("unknown flag") << QStringList{"--colour"} << "colour";
        QTest::newRow("empty save") << QStringList{"--save", ""} << "--save needs a file name";
        QTest::newRow("tls and url") << QStringList{"--tls", "--url", "https://127.0.0.1:9/"}
                                     << "--tls and --url exclude each other";
    }

    void matrixUsage()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = runCli(QStringList{"matrix"} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void matrixHelp()
    {
        const Run r = runCli({"matrix", "--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char *text : {"--clients", "--policies", "--sizes", "--url", "--json",
                                 "no-expect | expect[:MS][:no-retry]", "docs/matrix-json.md"})
            QVERIFY2(r.out.contains(text), text);
        QVERIFY(runCli({"--help"}).out.contains("matrix [--clients LIST]"));
    }

    void matrixJson()
    {
        QTemporaryDir dir;
        const QString save = dir.filePath(QStringLiteral("m.expectlab.json"));
        const Run r = runCli({"matrix", "--clients", "expect:300,no-expect", "--policies", "continue,final:413",
                              "--sizes", "1K,3000", "--json", "--save", save});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonParseError e;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &e).object();
        QVERIFY2(e.error == QJsonParseError::NoError, qPrintable(e.errorString()));
        QCOMPARE(o.value(QStringLiteral("format")).toString(), QStringLiteral("expectlab-matrix"));
        QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("local"));
        QCOMPARE(o.value(QStringLiteral("sizes")).toArray(), QJsonArray({1024, 3000}));
        QCOMPARE(o.value(QStringLiteral("clients"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("expect_timeout_ms"))
                     .toInt(),
                 300);
        const QJsonArray cells = o.value(QStringLiteral("cells")).toArray();
        QCOMPARE(cells.size(), 8);
        QStringList outcomes;
        for (const QJsonValue &c : cells)
            outcomes << c.toObject().value(QStringLiteral("outcome")).toString();
        QCOMPARE(outcomes, (QStringList{"200", "200", "413", "413", "200", "200", "413", "413"}));
        const QJsonObject saved = cells.at(3).toObject();
        QCOMPARE(saved.value(QStringLiteral("saved_vs_no_expect")).toInt(), 3000);
        QCOMPARE(saved.value(QStringLiteral("body_bytes_sent")).toInt(), 0);
        QCOMPARE(cells.at(7).toObject().value(QStringLiteral("body_bytes_sent")).toInt(), 3000);
        QVERIFY(cells.at(7).toObject().value(QStringLiteral("expect_wait_ms")).isNull());

        QString error;
        const auto session = loadSession(save, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->exchanges.size(), 8);
        QVERIFY(!session->serverEvents.isEmpty());
        QVERIFY(session->originUtc.isValid());
        // The grid itself too, so that the workbench opens the file with its Matrix tab filled in.
        QVERIFY(session->matrix);
        QCOMPARE(session->matrix->cells.size(), 8);
        QCOMPARE(session->matrix->cells.at(3).savedVsNoExpect, std::optional<qint64>(3000));
    }

    // Issue 15: `matrix --tls` runs the local server over HTTPS with the generated certificate and
    // the cells come to what they come to over plain HTTP, each with its handshake.
    void matrixOverTls()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", data.path().toLocal8Bit());
        const QString save = data.filePath(QStringLiteral("tls.expectlab.json"));
        const Run r = runCli({"matrix", "--tls", "--clients", "expect,expect:no-retry", "--policies", "continue,reject",
                              "--sizes", "2K", "--json", "--save", save});
        qunsetenv("XDG_DATA_HOME");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray cells = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("cells")).toArray();
        QStringList outcomes;
        for (const QJsonValue &c : cells)
            outcomes << c.toObject().value(QStringLiteral("outcome")).toString();
        QCOMPARE(outcomes, (QStringList{"200", "417 > 200", "200", "417"}));
        QString error;
        const auto session = loadSession(save, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->exchanges.size(), 4);
        for (const ExchangeSummary &x : session->exchanges) {
            QCOMPARE(x.url.scheme(), QStringLiteral("https"));
            QVERIFY(x.tls);
            QCOMPARE(x.tls->peerSubject, QStringLiteral("CN=ExpectLab local test server"));
        }
        // The certificate is the one serve --tls uses, made once in the data folder.
        QVERIFY(QFile::exists(data.filePath(QStringLiteral("ExpectLab/ExpectLab/tls/localhost-cert.pem"))));
    }

    void matrixExternalUrl()
    {
        TestServer server;
        server.setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const Run r = runCli({"matrix", "--url", server.url(), "--clients", "expect,no-expect", "--sizes", "10"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("external") && r.out.contains("417 > 200"), r.out.constData());
        QVERIFY(r.err.contains("[2/2]"));
    }

    void sendSave()
    {
        TestServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("send.expectlab.json"));
        const Run r =
            runCli({"send", server.url() + QStringLiteral("s"), "--data-size", "5000", "-H", "X-A: b", "--save", path});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QString error;
        const auto session = loadSession(path, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->exchanges.size(), 1);
        const ExchangeSummary &x = session->exchanges.first();
        QCOMPARE(x.finalStatus, std::optional<int>(200));
        QCOMPARE(x.interimStatuses(), QList<int>{100});
        QCOMPARE(x.bodyBytesSent, 5000);
        QVERIFY(x.expectWaitNs);
        QVERIFY(!x.wireLogs.isEmpty());
        QVERIFY(x.startNs >= session->originNs);

        const Run bad = runCli({"send", server.url(), "--save", "/nonexistent/dir/x.expectlab.json"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("cannot write"), bad.err.constData());
        QCOMPARE(runCli({"send", server.url(), "--save", ""}).exitCode, 2);
    }

    void serveSave()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("serve.expectlab.json"));
        testsupport::ServeProcess server;
        QVERIFY2(server.startServe({"--policy", "final:413", "--save", path}), server.firstLine.constData());
        QProcess &serve = server.process;

        ClientRequest request;
        request.url = QUrl(server.url + QStringLiteral("up"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = 10000;
        ExchangeRunner runner(1, request);
        QSignalSpy done(&runner, &ExchangeRunner::finished);
        runner.start();
        QVERIFY(runner.isFinished() || done.wait(10000));
        QCOMPARE(runner.exchange().summary().finalStatus, std::optional<int>(413));

        QSignalSpy finished(&serve, &QProcess::finished);
        QString error;
        serve.terminate(); // SIGTERM, as a user or a service manager stops it
        QVERIFY(finished.wait(10000));
        QCOMPARE(serve.exitCode(), 0);
        const auto session = loadSession(path, &error);
        QVERIFY2(session, qPrintable(error));
        QCOMPARE(session->serverPolicy, QStringLiteral("final:413"));
        QStringList kinds;
        for (const TimelineEvent &e : session->serverEvents)
            kinds << kindName(e.kind);
        QVERIFY2(kinds.contains(QStringLiteral("head")) && kinds.contains(QStringLiteral("final_sent")),
                 qPrintable(kinds.join(QLatin1Char(' '))));
        QCOMPARE(session->serverConnections.size(), 1);
        QCOMPARE(session->serverConnections.first().peerAddress, QStringLiteral("127.0.0.1"));
    }
};

QTEST_GUILESS_MAIN(TestSessionCli)
#include "tst_sessioncli.moc"
