// `expectlab probe` against real servers, started here on 127.0.0.1 from the configs in
// tests/interop and stopped afterwards; each run's verdicts are checked against what
// expect-rules.md's servers table says those servers do.
#include "peerprocess.h"
#include "requirepeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

using namespace testsupport;

namespace {
// Per-wait bound of each scenario: loopback servers answer in milliseconds; keep the suite fast.
constexpr auto kTimeout = "1000";

struct Started
{
    QString url;
    QString missing; // non-empty: the program missing on this machine
};
} // namespace

class TstProbeInterop : public QObject
{
    Q_OBJECT
private slots:
    void servers_data();
    void servers();

private:
    Started startServer(const QString &server, Peer &peer, const QString &dir);
};

Started TstProbeInterop::startServer(const QString &server, Peer &peer, const QString &dir)
{
    // CGI scripts run as another user when the server starts as root: the temp dir must be readable.
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                   QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                   QFileDevice::ExeOther);
    const bool root = ::geteuid() == 0;
    if (server == QLatin1String("node") || server == QLatin1String("python")) {
        const QString program = server == QLatin1String("node") ? findProgram(QStringLiteral("node")) : pythonProgram();
        if (program.isEmpty())
            return {{}, server};
        const QString script =
            sourceDir() + (server == QLatin1String("node") ? QStringLiteral("/tests/interop/node-server.js")
                                                           : QStringLiteral("/tests/interop/python-http11-server.py"));
        if (!peer.start(program, {script, QStringLiteral("0")}, dir))
            return {};
        const QString port = peer.waitForLine(QRegularExpression(QStringLiteral("^listening (\\d+)$")));
        if (port.isEmpty())
            return {};
        return {QStringLiteral("http://127.0.0.1:%1/upload").arg(port), {}};
    }

    const QString program = findProgram(server == QLatin1String("apache2") ? QStringLiteral("apache2") : server);
    if (program.isEmpty())
        return {{}, server};
    const quint16 port = freePort();
    QMap<QString, QString> vars{{QStringLiteral("PREFIX"), dir}, {QStringLiteral("PORT"), QString::number(port)}};
    QString config;
    QStringList args;
    if (server == QLatin1String("nginx")) {
        if (!writeConfig(QStringLiteral("nginx.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-p"), dir,
                QStringLiteral("-c"), config,
                QStringLiteral("-e"), dir + QStringLiteral("/error.log")};
    } else if (server == QLatin1String("apache2")) {
        // Apache refuses to serve as root: its children run as www-data then.
        vars.insert(QStringLiteral("USER"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getuid()));
        vars.insert(QStringLiteral("GROUP"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getgid()));
        if (!writeConfig(QStringLiteral("apache2.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-f"), config, QStringLiteral("-DFOREGROUND")};
    } else {
        vars.insert(QStringLiteral("USERNAME"), QString());
        if (!writeConfig(QStringLiteral("lighttpd.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-D"), QStringLiteral("-f"), config};
    }
    if (server != QLatin1String("nginx")) {
        const QString cgi = dir + QStringLiteral("/upload.cgi");
        if (!QFile::copy(sourceDir() + QStringLiteral("/tests/interop/upload.cgi"), cgi))
            return {};
        QFile::setPermissions(cgi, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                       QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                       QFileDevice::ExeOther);
    }
    if (!peer.start(program, args, dir))
        return {};
    return {QStringLiteral("http://127.0.0.1:%1/upload").arg(port), {}};
}

void TstProbeInterop::servers_data()
{
    QTest::addColumn<QString>("server");
    // scenario id -> verdict for every scenario, then the status lists worth pinning.
    QTest::addColumn<QStringList>("verdicts");
    QTest::addColumn<QStringList>("firstStatuses");

    // nginx 1.22: 100 when it starts reading the body, `100-continue` in any case; unknown
    // expectations ignored (R1 warn, not 417); 413 + Connection: close before any 100. `return 200`
    // answers before the body and then discards it: no desync.
    QTest::newRow("nginx") << "nginx" << QStringList{"continue-small=pass",     "continue-large=pass",
                                                     "body-at-once=pass",       "unknown-expectation=warn",
                                                     "case-variant=pass",       "http10-expect=pass",
                                                     "no-content=pass",         "early-final=pass",
                                                     "early-final-desync=pass", "chunked=pass"}
                           << QStringList{"continue-small=100", "unknown-expectation=200", "case-variant=100",
                                          "early-final=413"};
    // Apache httpd 2.4: 100 when the body is first read; 417 to unknown expectations; 413 before any
    // 100 (LimitRequestBody).
    QTest::newRow("apache2") << "apache2" << QStringList{"continue-small=pass",     "continue-large=pass",
                                                         "body-at-once=pass",       "unknown-expectation=pass",
                                                         "case-variant=pass",       "http10-expect=pass",
                                                         "no-content=pass",         "early-final=pass",
                                                         "early-final-desync=info", "chunked=pass"}
                             << QStringList{"continue-small=100", "unknown-expectation=417", "early-final=413"};
    // lighttpd 1.4.69: sends the 100; 413 before any 100.
    QTest::newRow("lighttpd") << "lighttpd" << QStringList{"continue-small=pass",     "continue-large=pass",
                                                           "body-at-once=pass",       "unknown-expectation=warn",
                                                           "case-variant=pass",       "http10-expect=pass",
                                                           "no-content=pass",         "early-final=pass",
                                                           "early-final-desync=info", "chunked=pass"}
                              << QStringList{"continue-small=100", "case-variant=100", "early-final=413"};
    // Node.js http: 100 automatically (no checkContinue listener); 417 to unknown expectations.
    QTest::newRow("node") << "node" << QStringList{"continue-small=pass",     "continue-large=pass",
                                                   "body-at-once=pass",       "unknown-expectation=pass",
                                                   "case-variant=pass",       "http10-expect=pass",
                                                   "no-content=pass",         "early-final=info",
                                                   "early-final-desync=pass", "chunked=pass"}
                          << QStringList{"continue-small=100", "unknown-expectation=417", "early-final=100"};
    // Python http.server with protocol_version HTTP/1.1: sends the 100; unknown expectations ignored.
    QTest::newRow("python http.server HTTP/1.1")
        << "python" << QStringList{"continue-small=pass",     "continue-large=pass",
                                   "body-at-once=pass",       "unknown-expectation=warn",
                                   "case-variant=pass",       "http10-expect=pass",
                                   "no-content=pass",         "early-final=info",
                                   "early-final-desync=info", "chunked=pass"}
        << QStringList{"continue-small=100", "unknown-expectation=200", "early-final=100"};
}

void TstProbeInterop::servers()
{
    QFETCH(QString, server);
    QFETCH(QStringList, verdicts);
    QFETCH(QStringList, firstStatuses);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Peer peer;
    const Started started = startServer(server, peer, dir.path());
    EXPECTLAB_REQUIRE_PEER(started.missing.isEmpty(), started.missing);
    QVERIFY2(!started.url.isEmpty(), qPrintable(peer.output()));
    const quint16 port = quint16(QUrl(started.url).port());
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port) || !peer.running(), qPrintable(peer.output()), 15000);
    QVERIFY2(peer.running(), qPrintable(peer.output()));

    const RunResult r = run(expectlabBin(), {QStringLiteral("probe"), started.url, QStringLiteral("--json"),
                                             QStringLiteral("--timeout"), QLatin1String(kTimeout)});
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(doc.value(QStringLiteral("error")).isNull(), r.err.constData());
    QMap<QString, QJsonObject> byId;
    for (const QJsonValue &v : doc.value(QStringLiteral("scenarios")).toArray())
        byId.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
    QCOMPARE(byId.size(), verdicts.size());
    bool anyFail = false;
    for (const QString &pair : verdicts) {
        const QString id = pair.section(QLatin1Char('='), 0, 0);
        const QJsonObject s = byId.value(id);
        const QString got = s.value(QStringLiteral("verdict")).toString();
        anyFail = anyFail || got == QLatin1String("fail");
        QVERIFY2(
            got == pair.section(QLatin1Char('='), 1),
            qPrintable(
                QStringLiteral("%1 %2: %3 (%4)").arg(server, id, got, s.value(QStringLiteral("message")).toString())));
    }
    for (const QString &pair : firstStatuses) {
        const QString id = pair.section(QLatin1Char('='), 0, 0);
        const QJsonArray st = byId.value(id).value(QStringLiteral("statuses")).toArray();
        QVERIFY2(!st.isEmpty() && st.first().toInt() == pair.section(QLatin1Char('='), 1).toInt(),
                 qPrintable(QStringLiteral("%1 %2: statuses %3")
                                .arg(server, id, QString::fromUtf8(QJsonDocument(st).toJson(QJsonDocument::Compact)))));
    }
    QCOMPARE(r.exitCode, anyFail ? 1 : 0);
    peer.stop();
}

QTEST_GUILESS_MAIN(TstProbeInterop)
#include "tst_probeinterop.moc"
