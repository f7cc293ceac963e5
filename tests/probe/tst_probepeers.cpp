// `expectlab probe` against the peers issue 12 names, started here on 127.0.0.1: Caddy 2.6 in front
// of `expectlab serve` (an HTTP/1.0 100 must not swallow the final, case 1), Python's stock
// http.server (HTTP/1.0, 501 to every POST: inconclusive, case 15), aiohttp 3.8 answering early with
// keep-alive (the listening window holds, case 13), and a scripted server that desynchronises after
// an early final, writing the answer's head and body apart (case 13).
#include "peerprocess.h"
#include "requirepeer.h"
#include "serveprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUrl>

using namespace testsupport;

namespace {
struct Probed
{
    int exitCode = -1;
    QMap<QString, QJsonObject> byId;
    QString text;
};

Probed probe(const QString &url, const QStringList &scenarios, const QString &timeoutMs = QStringLiteral("1000"))
{
    QStringList args{QStringLiteral("probe"), url, QStringLiteral("--json"), QStringLiteral("--timeout"), timeoutMs};
    for (const QString &id : scenarios)
        args << QStringLiteral("--scenario") << id;
    const RunResult r = run(expectlabBin(), args);
    Probed p;
    p.exitCode = r.exitCode;
    p.text = QString::fromUtf8(r.out + r.err);
    for (const QJsonValue &v : QJsonDocument::fromJson(r.out).object().value(QStringLiteral("scenarios")).toArray())
        p.byId.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
    return p;
}

QList<int> statuses(const QJsonObject &scenario)
{
    QList<int> out;
    for (const QJsonValue &v : scenario.value(QStringLiteral("statuses")).toArray())
        out << v.toInt();
    return out;
}

QString verdictOf(const Probed &p, const QString &id)
{
    const QJsonObject s = p.byId.value(id);
    return s.value(QStringLiteral("verdict")).toString() + QStringLiteral(": ") +
           s.value(QStringLiteral("message")).toString();
}
} // namespace

class TstProbePeers : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void caddyRelaysAnHttp10Continue();
    void stockPythonServerIsInconclusive();
    void aiohttpKeepsTheWindowOpen();
    void varnishClosesAfterItsOwn417();
    void tomcatClosesAfterItsOwn417();
    void desyncAfterAnEarlyFinal_data();
    void desyncAfterAnEarlyFinal();
};

void TstProbePeers::initTestCase()
{
    QVERIFY2(QFileInfo(expectlabBin()).isExecutable(), "EXPECTLAB_BIN is not set");
}

void TstProbePeers::caddyRelaysAnHttp10Continue()
{
    const QString caddy = findProgram(QStringLiteral("caddy"));
    EXPECTLAB_REQUIRE_PEER(!caddy.isEmpty(), QStringLiteral("caddy (Debian package caddy)"));
    ServeProcess serve;
    QVERIFY2(serve.startServe({}), serve.firstLine.constData());
    const QString upstream = QUrl(serve.url).authority();

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort();
    QString config;
    QVERIFY(writeConfig(QStringLiteral("Caddyfile"), dir.path(),
                        {{QStringLiteral("PORT"), QString::number(port)},
                         {QStringLiteral("UPSTREAM"), upstream},
                         {QStringLiteral("PREFIX"), dir.path()}},
                        &config));
    Peer proxy;
    proxy.process().setProcessEnvironment([&dir] {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), dir.path()); // Caddy keeps its state under HOME
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path());
        return env;
    }());
    QVERIFY(proxy.start(caddy,
                        {QStringLiteral("run"), QStringLiteral("--config"), config, QStringLiteral("--adapter"),
                         QStringLiteral("caddyfile")},
                        dir.path()));
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port), qPrintable(proxy.output()), 15000);

    // Caddy relays serve's 100 as `HTTP/1.0 100 Continue` to the HTTP/1.0 request, then the 200:
    // both must be read (R17), and the 100 to an HTTP/1.0 client is Caddy's fault (R15).
    const Probed p = probe(QStringLiteral("http://127.0.0.1:%1/upload").arg(port), {QStringLiteral("http10-expect")});
    QVERIFY2(p.byId.contains(QStringLiteral("http10-expect")), qPrintable(p.text));
    QCOMPARE(statuses(p.byId.value(QStringLiteral("http10-expect"))), (QList<int>{100, 200}));
    QVERIFY2(verdictOf(p, QStringLiteral("http10-expect")).startsWith(QLatin1String("fail: sent 100")),
             qPrintable(verdictOf(p, QStringLiteral("http10-expect"))));
}

void TstProbePeers::stockPythonServerIsInconclusive()
{
    const QString python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), QStringLiteral("python3"));
    const quint16 port = freePort();
    QTemporaryDir dir;
    Peer server;
    QVERIFY(server.start(python,
                         {QStringLiteral("-m"), QStringLiteral("http.server"), QString::number(port),
                          QStringLiteral("--bind"), QStringLiteral("127.0.0.1")},
                         dir.path()));
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port), qPrintable(server.output()), 10000);
    // HTTP/1.0 and 501 to every POST: the handshake cannot be tested, which is no pass (case 15).
    const Probed p = probe(QStringLiteral("http://127.0.0.1:%1/").arg(port), {});
    QCOMPARE(p.exitCode, 0);
    for (const char *id :
         {"continue-small", "continue-large", "body-at-once", "unknown-expectation", "case-variant", "chunked"}) {
        const QString v = verdictOf(p, QLatin1String(id));
        QVERIFY2(v.startsWith(QLatin1String("inconclusive: ")), qPrintable(QLatin1String(id) + QLatin1String(" ") + v));
        QVERIFY2(v.contains(QLatin1String("HTTP/1.0")), qPrintable(v));
    }
    // What could be tested still is: no 1xx to HTTP/1.0 (R7), an early 501 with a close.
    QVERIFY2(verdictOf(p, QStringLiteral("http10-expect")).startsWith(QLatin1String("pass")),
             qPrintable(verdictOf(p, QStringLiteral("http10-expect"))));
}

void TstProbePeers::aiohttpKeepsTheWindowOpen()
{
    const QString python = debianPython();
    const bool ok =
        !python.isEmpty() && run(python, {QStringLiteral("-c"), QStringLiteral("import aiohttp")}, 20000).exitCode == 0;
    EXPECTLAB_REQUIRE_PEER(ok, QStringLiteral("aiohttp (Debian package python3-aiohttp)"));
    Peer server;
    QVERIFY(
        server.start(python, {sourceDir() + QStringLiteral("/tests/interop/aiohttp-server.py"), QStringLiteral("0")}));
    const QString port = server.waitForLine(QRegularExpression(QStringLiteral("^listening (\\d+)$")));
    QVERIFY2(!port.isEmpty(), qPrintable(server.output()));
    const Probed p = probe(QStringLiteral("http://127.0.0.1:%1/upload").arg(port),
                           {QStringLiteral("early-final"), QStringLiteral("early-final-desync")});
    // aiohttp answers 413 and 417 with keep-alive and reads what follows as the body it is.
    const QJsonObject early = p.byId.value(QStringLiteral("early-final"));
    QCOMPARE(statuses(early), QList<int>{413});
    QVERIFY2(verdictOf(p, QStringLiteral("early-final")).startsWith(QLatin1String("warn")),
             qPrintable(verdictOf(p, QStringLiteral("early-final"))));
    // The listening window held (1000 ms), instead of closing as soon as the 413 was read.
    QVERIFY2(early.value(QStringLiteral("timings")).toObject().value(QStringLiteral("duration_ms")).toDouble() >= 900,
             qPrintable(QString::fromUtf8(QJsonDocument(early).toJson())));
    QVERIFY2(verdictOf(p, QStringLiteral("early-final-desync")).startsWith(QLatin1String("pass")),
             qPrintable(verdictOf(p, QStringLiteral("early-final-desync"))));
    QVERIFY(verdictOf(p, QStringLiteral("early-final-desync")).contains(QLatin1String("GET /expectlab-second")));
}

void TstProbePeers::varnishClosesAfterItsOwn417()
{
    // Case 14 on the real peer: Varnish 7.1 answers an unknown expectation itself with a bare
    // `417` (no length, so it ends with the close) and closes. The message must say what happened.
    const QString varnishd = findProgram(QStringLiteral("varnishd"));
    EXPECTLAB_REQUIRE_PEER(!varnishd.isEmpty(), QStringLiteral("varnishd (Debian package varnish)"));
    ServeProcess serve;
    QVERIFY2(serve.startServe({}), serve.firstLine.constData());
    const QString upstream = QUrl(serve.url).authority();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort();
    Peer varnish;
    // -j none: no jail, so the VCL compiler (another user when started as root) works in our temp dir.
    QVERIFY(varnish.start(varnishd,
                          {QStringLiteral("-F"), QStringLiteral("-j"), QStringLiteral("none"), QStringLiteral("-a"),
                           QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-b"), upstream,
                           QStringLiteral("-n"), dir.path(), QStringLiteral("-s"), QStringLiteral("malloc,16m")}));
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port), qPrintable(varnish.output()), 20000);
    const Probed p =
        probe(QStringLiteral("http://127.0.0.1:%1/upload").arg(port), {QStringLiteral("early-final-desync")});
    const QString v = verdictOf(p, QStringLiteral("early-final-desync"));
    QVERIFY2(v.startsWith(QLatin1String("pass: 417 had no length, so it ends with the close")), qPrintable(v));
    QVERIFY2(!v.contains(QLatin1String("nor closed")) && !v.contains(QLatin1String("breaks")), qPrintable(v));
}

void TstProbePeers::tomcatClosesAfterItsOwn417()
{
    // Case 14 on the real peer: Tomcat 10.1 answers an unknown expectation itself with a 417 that
    // does not say Connection: close, and then closes without answering what followed. The
    // message must say it closed, not that it "neither answered nor closed".
    const QString catalina = QStringLiteral("/usr/share/tomcat10/bin/catalina.sh");
    EXPECTLAB_REQUIRE_PEER(QFileInfo(catalina).isExecutable() && !findProgram(QStringLiteral("java")).isEmpty(),
                           QStringLiteral("tomcat10 (Debian package tomcat10)"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString base = dir.path();
    for (const char *sub : {"conf", "webapps/ROOT", "logs", "temp", "work"})
        QVERIFY(QDir().mkpath(base + QLatin1Char('/') + QLatin1String(sub)));
    for (const char *file : {"web.xml", "catalina.properties", "logging.properties"})
        QVERIFY(QFile::copy(QStringLiteral("/usr/share/tomcat10/etc/") + QLatin1String(file),
                            base + QStringLiteral("/conf/") + QLatin1String(file)));
    const quint16 port = freePort();
    QString config;
    QVERIFY(writeConfig(QStringLiteral("tomcat-server.xml"), base + QStringLiteral("/conf"),
                        {{QStringLiteral("PORT"), QString::number(port)}}, &config));
    QVERIFY(QFile::rename(config, base + QStringLiteral("/conf/server.xml")));
    Peer tomcat;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CATALINA_HOME"), QStringLiteral("/usr/share/tomcat10"));
    env.insert(QStringLiteral("CATALINA_BASE"), base);
    tomcat.process().setProcessEnvironment(env);
    // `run`: in the foreground, so stopping the peer stops Tomcat.
    QVERIFY(tomcat.start(catalina, {QStringLiteral("run")}, base));
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port), qPrintable(tomcat.output()), 60000);
    const QString url = QStringLiteral("http://127.0.0.1:%1/upload").arg(port);
    // A cold JVM on a busy machine takes a second or more for its first answers: warm it up, and
    // give the probe's waits room, so that Tomcat's own 417 is what is judged, not its start-up.
    for (int i = 0; i < 3; ++i)
        run(expectlabBin(), {QStringLiteral("send"), url, QStringLiteral("--expect-value"), QStringLiteral("x-warm"),
                             QStringLiteral("--data"), QStringLiteral("warm")});
    const Probed p = probe(url, {QStringLiteral("early-final-desync")}, QStringLiteral("5000"));
    const QString v = verdictOf(p, QStringLiteral("early-final-desync"));
    QVERIFY2(v.startsWith(QLatin1String("warn: 417 without Connection: close, then it closed")), qPrintable(v));
    QVERIFY2(!v.contains(QLatin1String("nor closed")), qPrintable(v));
}

void TstProbePeers::desyncAfterAnEarlyFinal_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("expected"); // verdict prefix
    // A server that answers early with keep-alive, its head and body in two writes (as aiohttp
    // writes them), then parses the unread body as the next request.
    QTest::newRow("early-final: 413 in two writes, the body taken for a request")
        << "early-final"
        << R"([[["head"],["send","HTTP/1.1 413 Content Too Large\r\nContent-Length: 9\r\n\r\n"],["sleep",5],["send","too large"],["head"],["send","HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"]]])"
        << "fail: desync";
    QTest::newRow("early-final-desync: 417 in two writes, two answers")
        << "early-final-desync"
        << R"([[["head"],["send","HTTP/1.1 417 Expectation Failed\r\nContent-Length: 3\r\n\r\n"],["sleep",5],["send","no!"],["head"],["sleep",20],["send","HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"],["head"],["send","HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"],["fin"]]])"
        << "fail: desync";
    // Case 14 (Tomcat 10, Varnish 7.1): a keep-alive 417, then a close: the message says it closed.
    QTest::newRow("early-final-desync: 417 without close, then a close")
        << "early-final-desync"
        << R"([[["head"],["send","HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"],["fin"]]])"
        << "warn";
}

void TstProbePeers::desyncAfterAnEarlyFinal()
{
    QFETCH(QString, scenario);
    QFETCH(QString, script);
    QFETCH(QString, expected);
    const QString python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), QStringLiteral("python3"));
    Peer peer;
    QVERIFY(peer.start(python, {sourceDir() + QStringLiteral("/tests/peers/scripted_server.py"), script}));
    const QString url = peer.waitForListening();
    QVERIFY2(!url.isEmpty(), qPrintable(peer.output()));
    const Probed p = probe(url + QStringLiteral("upload"), {scenario});
    const QString v = verdictOf(p, scenario);
    QVERIFY2(v.startsWith(expected), qPrintable(v + QLatin1Char('\n') + p.text));
    if (expected.startsWith(QLatin1String("fail")))
        QVERIFY2(v.contains(QLatin1String("GET /expectlab-desync")), qPrintable(v)); // which request was answered
    if (expected == QLatin1String("warn"))
        QVERIFY2(v.contains(QLatin1String("closed")) && !v.contains(QLatin1String("nor closed")), qPrintable(v));
}

QTEST_GUILESS_MAIN(TstProbePeers)
#include "tst_probepeers.moc"
