// The recording proxy's modes against the real intermediaries they reproduce (issue 16): the same
// curl upload with Expect: 100-continue goes through the real one (nginx, HAProxy 2.6, Varnish 7.1,
// Squid 5.7, Caddy 2.6, Apache mod_proxy) and through `expectlab proxy --mode M` to the same
// `expectlab serve`, and what both ends saw is compared: the status lines curl read and the bytes it
// sent, and the origin's echo of what reached it (its Expect, HTTP version, body bytes, whether it
// sent a 100 itself). Squid 2.7, whose 417 reject-expect reproduces, is no Debian package any more.
#include "interopservers.h"
#include "peerprocess.h"
#include "requirepeer.h"
#include "serveprocess.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace testsupport;

namespace {
constexpr qint64 kBodyBytes = 64 * 1024;

struct Saw
{
    QList<int> statuses; // every status line curl read, in order
    qint64 uploaded = -1;
    QJsonObject echo; // the origin's JSON answer (expect, version, received_bytes, interim_sent)
    QString describe() const
    {
        QStringList s;
        for (int x : statuses)
            s << QString::number(x);
        return QStringLiteral("[%1] uploaded %2 echo %3")
            .arg(s.join(QLatin1Char(',')))
            .arg(uploaded)
            .arg(QString::fromUtf8(QJsonDocument(echo).toJson(QJsonDocument::Compact)));
    }
};
} // namespace

class TestIntermediaries : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAsTheRealOne_data();
    void sameAsTheRealOne();
    void transparentBeforeRealOrigins_data();
    void transparentBeforeRealOrigins();

private:
    // Starts the intermediary `name` in front of upstream (host:port) on a free port, which it
    // accepts on soon after; 0 when it could not be started (peer's output says why).
    quint16 startReal(const QString &name, const QString &upstream, Peer &peer, const QString &dir);
    Saw upload(quint16 port, const QString &path = QStringLiteral("/up"));

    QTemporaryDir m_dir;
    QString m_curl;
    QString m_body;
};

void TestIntermediaries::initTestCase()
{
    QVERIFY2(QFileInfo(expectlabBin()).isExecutable(), "EXPECTLAB_BIN is not set");
    QVERIFY(m_dir.isValid());
    m_curl = findProgram(QStringLiteral("curl"));
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), "curl");
    m_body = m_dir.filePath(QStringLiteral("body.bin"));
    QSaveFile f(m_body);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(kBodyBytes, 'b'));
    QVERIFY(f.commit());
}

Saw TestIntermediaries::upload(quint16 port, const QString &path)
{
    const QString out = m_dir.filePath(QStringLiteral("echo.json"));
    QFile::remove(out);
    const RunResult r =
        run(m_curl,
            {QStringLiteral("-sv"), QStringLiteral("--max-time"), QStringLiteral("20"), QStringLiteral("-H"),
             QStringLiteral("Expect: 100-continue"), QStringLiteral("--data-binary"), QLatin1Char('@') + m_body,
             QStringLiteral("-o"), out, QStringLiteral("-w"), QStringLiteral("%{size_upload}"),
             QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)},
            30000);
    Saw saw;
    const QRegularExpression statusLine(QStringLiteral("^< HTTP/1\\.[01] (\\d{3})"),
                                        QRegularExpression::MultilineOption);
    for (auto it = statusLine.globalMatch(QString::fromUtf8(r.err)); it.hasNext();)
        saw.statuses << it.next().captured(1).toInt();
    saw.uploaded = r.out.toLongLong();
    QFile f(out);
    if (f.open(QIODevice::ReadOnly))
        saw.echo = QJsonDocument::fromJson(f.readAll()).object();
    return saw;
}

quint16 TestIntermediaries::startReal(const QString &name, const QString &upstream, Peer &peer, const QString &dir)
{
    const bool root = ::getuid() == 0;
    const quint16 port = freePort();
    QMap<QString, QString> vars{
        {QStringLiteral("PREFIX"), dir},
        {QStringLiteral("PORT"), QString::number(port)},
        {QStringLiteral("UPSTREAM"), upstream},
        {QStringLiteral("UPSTREAM_HOST"), upstream.section(QLatin1Char(':'), 0, 0)},
        {QStringLiteral("UPSTREAM_PORT"), upstream.section(QLatin1Char(':'), 1)},
        {QStringLiteral("HAPROXY_EXTRA"), QString()},
        {QStringLiteral("APACHE_EXTRA"), QString()},
        {QStringLiteral("USER"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getuid())},
        {QStringLiteral("GROUP"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getgid())}};
    QString config;
    QString program;
    QStringList args;
    if (name == QLatin1String("nginx")) {
        program = findProgram(QStringLiteral("nginx"));
        if (program.isEmpty() || !writeConfig(QStringLiteral("nginx-proxy.conf"), dir, vars, &config))
            return 0;
        args = {QStringLiteral("-p"), dir,
                QStringLiteral("-c"), config,
                QStringLiteral("-e"), dir + QStringLiteral("/error.log")};
    } else if (name.startsWith(QLatin1String("haproxy"))) {
        program = findProgram(QStringLiteral("haproxy"));
        if (name.endsWith(QLatin1String("buffer-request")))
            vars.insert(QStringLiteral("HAPROXY_EXTRA"), QStringLiteral("option http-buffer-request"));
        if (program.isEmpty() || !writeConfig(QStringLiteral("haproxy.cfg"), dir, vars, &config))
            return 0;
        args = {QStringLiteral("-db"), QStringLiteral("-f"), config};
    } else if (name == QLatin1String("varnish")) {
        program = findProgram(QStringLiteral("varnishd"));
        if (program.isEmpty())
            return 0;
        // -j none: no jail, so the VCL compiler (another user when started as root) works in our folder.
        args = {QStringLiteral("-F"),
                QStringLiteral("-j"),
                QStringLiteral("none"),
                QStringLiteral("-a"),
                QStringLiteral("127.0.0.1:%1").arg(port),
                QStringLiteral("-b"),
                upstream,
                QStringLiteral("-n"),
                dir,
                QStringLiteral("-s"),
                QStringLiteral("malloc,16m")};
    } else if (name == QLatin1String("squid")) {
        program = findProgram(QStringLiteral("squid"));
        // As root Squid runs as the proxy user, which must write its log and pid here.
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                       QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                       QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
        if (program.isEmpty() || !writeConfig(QStringLiteral("squid.conf"), dir, vars, &config))
            return 0;
        args = {QStringLiteral("-N"), QStringLiteral("-f"), config};
    } else if (name == QLatin1String("caddy")) {
        program = findProgram(QStringLiteral("caddy"));
        if (program.isEmpty() || !writeConfig(QStringLiteral("Caddyfile"), dir, vars, &config))
            return 0;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), dir); // Caddy keeps its state under HOME
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir);
        peer.process().setProcessEnvironment(env);
        args = {QStringLiteral("run"), QStringLiteral("--config"), config, QStringLiteral("--adapter"),
                QStringLiteral("caddyfile")};
    } else if (name.startsWith(QLatin1String("apache2"))) {
        program = findProgram(QStringLiteral("apache2"));
        if (name.endsWith(QLatin1String("1.0")))
            vars.insert(QStringLiteral("APACHE_EXTRA"),
                        QStringLiteral("SetEnv force-proxy-request-1.0 1\nSetEnv proxy-nokeepalive 1"));
        if (program.isEmpty() || !writeConfig(QStringLiteral("apache2-proxy.conf"), dir, vars, &config))
            return 0;
        args = {QStringLiteral("-f"), config, QStringLiteral("-DFOREGROUND")};
    }
    if (program.isEmpty() || !peer.start(program, args, dir))
        return 0;
    return port;
}

void TestIntermediaries::sameAsTheRealOne_data()
{
    QTest::addColumn<QString>("real");
    QTest::addColumn<QString>("program"); // what must be installed
    QTest::addColumn<QString>("mode");    // ours
    QTest::addColumn<QString>("policy");  // the origin's
    QTest::addColumn<QList<int>>("statuses");
    QTest::addColumn<bool>("originExpect"); // the origin saw Expect (and so could decide)

    // Request buffering: its own 100, the whole body read, then upstream without Expect; the origin's
    // refusal (reject) can no longer reach the client.
    QTest::newRow("nginx = buffer") << "nginx"
                                    << "nginx"
                                    << "buffer"
                                    << "reject" << QList<int>{100, 200} << false;
    QTest::newRow("haproxy http-buffer-request = buffer") << "haproxy buffer-request"
                                                          << "haproxy"
                                                          << "buffer"
                                                          << "reject" << QList<int>{100, 200} << false;
    // Passes Expect and relays the origin's 100.
    QTest::newRow("haproxy = transparent") << "haproxy"
                                           << "haproxy"
                                           << "transparent"
                                           << "continue" << QList<int>{100, 200} << true;
    QTest::newRow("squid 5.7 = transparent") << "squid"
                                             << "squid"
                                             << "transparent"
                                             << "continue" << QList<int>{100, 200} << true;
    QTest::newRow("apache mod_proxy = transparent, refused") << "apache2"
                                                             << "apache2"
                                                             << "transparent"
                                                             << "reject" << QList<int>{417} << true;
    // Envoy's behaviour, Varnish's too: its own 100, Expect stripped.
    QTest::newRow("varnish = answer-100") << "varnish"
                                          << "varnishd"
                                          << "answer-100"
                                          << "reject" << QList<int>{100, 200} << false;
    // Two 100s: its own and the origin's (caddyserver/caddy#5280).
    QTest::newRow("caddy = double-100") << "caddy"
                                        << "caddy"
                                        << "double-100"
                                        << "continue" << QList<int>{100, 100, 200} << true;
    // An HTTP/1.0 hop: Expect cannot cross it, the proxy answers 100 itself.
    QTest::newRow("apache force-proxy-request-1.0 = http10-upstream") << "apache2 1.0"
                                                                      << "apache2"
                                                                      << "http10-upstream"
                                                                      << "reject" << QList<int>{100, 200} << false;
}

void TestIntermediaries::sameAsTheRealOne()
{
    QFETCH(QString, real);
    QFETCH(QString, program);
    QFETCH(QString, mode);
    QFETCH(QString, policy);
    QFETCH(QList<int>, statuses);
    QFETCH(bool, originExpect);
    EXPECTLAB_REQUIRE_PEER(!findProgram(program).isEmpty(), program);

    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), policy}));
    const QString upstream = QUrl(origin.url).authority();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Peer peer;
    const quint16 realPort = startReal(real, upstream, peer, dir.path());
    QVERIFY2(realPort != 0, qPrintable(QStringLiteral("%1 did not start: %2").arg(real, peer.output())));
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(realPort), qPrintable(QStringLiteral("%1: %2").arg(real, peer.output())), 20000);
    ServeProcess ours;
    QVERIFY(ours.start(expectlabBin(), {QStringLiteral("proxy"), QStringLiteral("--upstream"), origin.url,
                                        QStringLiteral("--mode"), mode}));

    const Saw viaReal = upload(realPort);
    const Saw viaOurs = upload(quint16(QUrl(ours.url).port()));
    const QString both =
        QStringLiteral("%1: %2\nexpectlab %3: %4").arg(real, viaReal.describe(), mode, viaOurs.describe());
    // The client's side. Caddy's second 100 is a race of its own: the origin sends one only when the
    // forwarded head comes before the body, which Caddy streams right after its own 100. The proxy
    // reproduces the case where the origin's 100 wins; when Caddy's lost it, the rest still compares.
    const bool racy = real == QLatin1String("caddy") && viaReal.statuses == QList<int>{100, 200};
    QVERIFY2(viaReal.statuses == statuses || racy, qPrintable(both));
    QVERIFY2(viaOurs.statuses == statuses, qPrintable(both));
    QVERIFY2(viaOurs.uploaded == viaReal.uploaded, qPrintable(both));
    if (statuses.last() != 200)
        return; // the origin's own refusal, relayed: no echo to compare
    if (racy) {
        QCOMPARE(viaOurs.echo.value(QStringLiteral("expect")), viaReal.echo.value(QStringLiteral("expect")));
        return;
    }
    // The origin's side.
    for (const QString &field : {QStringLiteral("expect"), QStringLiteral("version"), QStringLiteral("received_bytes"),
                                 QStringLiteral("interim_sent"), QStringLiteral("method"), QStringLiteral("target")})
        QVERIFY2(viaOurs.echo.value(field) == viaReal.echo.value(field), qPrintable(field + QLatin1Char('\n') + both));
    QCOMPARE(!viaReal.echo.value(QStringLiteral("expect")).isNull(), originExpect);
    QCOMPARE(viaReal.echo.value(QStringLiteral("received_bytes")).toInteger(), kBodyBytes);
}

void TestIntermediaries::transparentBeforeRealOrigins_data()
{
    QTest::addColumn<QString>("server");
    for (const char *server : {"nginx", "apache2", "node"})
        QTest::newRow(server) << QString::fromLatin1(server);
}

// Transparent in front of real origins: curl sees through the proxy what it sees without it (the
// origin's own 100, its final), and sends the same bytes.
void TestIntermediaries::transparentBeforeRealOrigins()
{
    QFETCH(QString, server);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Peer peer;
    const InteropServer origin = startInteropServer(server, false, peer, dir.path());
    EXPECTLAB_REQUIRE_PEER(origin.missing.isEmpty(), origin.missing);
    QVERIFY2(!origin.url.isEmpty(), qPrintable(peer.output()));
    const QUrl url(origin.url);
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(quint16(url.port())), qPrintable(peer.output()), 20000);
    ServeProcess ours;
    QVERIFY(ours.start(expectlabBin(), {QStringLiteral("proxy"), QStringLiteral("--upstream"),
                                        url.adjusted(QUrl::RemovePath).toString()}));
    const Saw direct = upload(quint16(url.port()), url.path());
    const Saw proxied = upload(quint16(QUrl(ours.url).port()), url.path());
    const QString both = QStringLiteral("direct: %1\nproxied: %2").arg(direct.describe(), proxied.describe());
    QVERIFY2(direct.statuses.size() >= 2 && direct.statuses.first() == 100, qPrintable(both));
    QVERIFY2(proxied.statuses == direct.statuses, qPrintable(both));
    QVERIFY2(proxied.uploaded == direct.uploaded, qPrintable(both));
}

QTEST_GUILESS_MAIN(TestIntermediaries)
#include "tst_intermediaries.moc"
