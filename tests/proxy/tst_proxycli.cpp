// `expectlab proxy` end to end (issue 16): real curl and Python through the proxy to `expectlab
// serve` under every server policy. In transparent mode the client sees what it sees without the
// proxy (interims, final, body bytes sent, timing within a bound); each other mode gives the client
// and the origin what the intermediary it reproduces gives them; a forward proxy serves HTTP_PROXY
// and curl -x; faults end with a status that says why. Plus the command line's contract.
#include "peerprocess.h"
#include "requirepeer.h"
#include "serveprocess.h"
#include "testidentity.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;

namespace {
constexpr qint64 kBodyBytes = 64 * 1024;

// What curl saw of one upload: every status line in order (interims, finals, a retry's), what it
// uploaded, how long it took and how it ended.
struct CurlSaw
{
    QList<int> statuses;
    int httpCode = 0;
    qint64 uploaded = -1;
    double seconds = -1;
    int exitCode = -1;
    QByteArray body; // the last response's body
    QString describe() const
    {
        QStringList s;
        for (int x : statuses)
            s << QString::number(x);
        return QStringLiteral("statuses [%1], code %2, uploaded %3, %4 s, exit %5")
            .arg(s.join(QLatin1Char(',')))
            .arg(httpCode)
            .arg(uploaded)
            .arg(seconds)
            .arg(exitCode);
    }
};
} // namespace

class TestProxyCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void usageErrors_data();
    void usageErrors();
    void listensAndSaysWhereItForwards();
    void portInUseExitsOne();
    void unreachableUpstreamWarnsThenAnswers502();
    void transparentIsInvisible_data();
    void transparentIsInvisible();
    void faultsGetAStatus_data();
    void faultsGetAStatus();
    void modesReproduceTheirIntermediary_data();
    void modesReproduceTheirIntermediary();
    void eventsShareTheExchange();
    void pythonThroughTheProxy();
    void forwardProxy();
    void saveWritesBothHops();
    void connectTunnelToOurTlsServer();
    void httpsUpstream();
    void limitsAsServeHasThem();

private:
    CurlSaw curlUpload(const QString &url, const QStringList &extra = {}, int maxSeconds = 20);
    bool startProxy(ServeProcess &proxy, const QStringList &args);

    QTemporaryDir m_dir;
    QString m_curl;
    QString m_body;
};

void TestProxyCli::initTestCase()
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

bool TestProxyCli::startProxy(ServeProcess &proxy, const QStringList &args)
{
    return proxy.start(expectlabBin(), QStringList{QStringLiteral("proxy")} + args);
}

CurlSaw TestProxyCli::curlUpload(const QString &url, const QStringList &extra, int maxSeconds)
{
    // Expect: 100-continue set by hand: curl waits for it (1 s, its default) whatever the size.
    const QString out = m_dir.filePath(QStringLiteral("curl-body.out"));
    QFile::remove(out);
    const RunResult r =
        run(m_curl,
            QStringList{QStringLiteral("-sv"), QStringLiteral("--max-time"), QString::number(maxSeconds),
                        QStringLiteral("-H"), QStringLiteral("Expect: 100-continue"), QStringLiteral("--data-binary"),
                        QLatin1Char('@') + m_body, QStringLiteral("-o"), out, QStringLiteral("-w"),
                        QStringLiteral("%{http_code} %{size_upload} %{time_total}")} +
                extra + QStringList{url},
            (maxSeconds + 10) * 1000);
    CurlSaw saw;
    saw.exitCode = r.finished ? r.exitCode : -1;
    const QRegularExpression statusLine(QStringLiteral("^< HTTP/1\\.[01] (\\d{3})"),
                                        QRegularExpression::MultilineOption);
    for (auto it = statusLine.globalMatch(QString::fromUtf8(r.err)); it.hasNext();)
        saw.statuses << it.next().captured(1).toInt();
    const QStringList w = QString::fromUtf8(r.out).split(QLatin1Char(' '));
    if (w.size() == 3) {
        saw.httpCode = w[0].toInt();
        saw.uploaded = w[1].toLongLong();
        saw.seconds = w[2].toDouble();
    }
    QFile f(out);
    if (f.open(QIODevice::ReadOnly))
        saw.body = f.readAll();
    return saw;
}

void TestProxyCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("neither") << QStringList{} << "give either --upstream URL";
    QTest::newRow("both") << QStringList{"--forward", "--upstream", "http://127.0.0.1:1/"} << "give either";
    QTest::newRow("bad url") << QStringList{"--upstream", "ftp://127.0.0.1/"} << "invalid --upstream";
    QTest::newRow("no host") << QStringList{"--upstream", "http://"} << "invalid --upstream";
    QTest::newRow("bad mode") << QStringList{"--upstream", "http://127.0.0.1:1/", "--mode", "envoy"}
                              << "unknown proxy mode 'envoy'";
    QTest::newRow("keep-host forward") << QStringList{"--forward", "--keep-host"} << "--keep-host is for a reverse";
    QTest::newRow("allow-remote reverse")
        << QStringList{"--upstream", "http://127.0.0.1:1/", "--allow-remote"} << "--allow-remote is for a forward";
    QTest::newRow("insecure plain") << QStringList{"--upstream", "http://127.0.0.1:1/", "-k"}
                                    << "are for an https:// --upstream";
    QTest::newRow("bad cacert") << QStringList{"--upstream", "https://127.0.0.1:1/", "--cacert", "/nonexistent.pem"}
                                << "cannot read the --cacert file";
    QTest::newRow("bad limit") << QStringList{"--forward", "--max-body", "lots"} << "invalid --max-body";
    QTest::newRow("bad timeout") << QStringList{"--forward", "--upstream-timeout", "0"} << "invalid --upstream-timeout";
    QTest::newRow("bad port") << QStringList{"--forward", "--port", "70000"} << "invalid port";
    QTest::newRow("bad host") << QStringList{"--forward", "--host", "nowhere"} << "invalid host address";
    QTest::newRow("empty save") << QStringList{"--forward", "--save", ""} << "--save needs a file name";
    QTest::newRow("positional") << QStringList{"--forward", "extra"} << "unexpected argument 'extra'";
}

void TestProxyCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const RunResult r = run(expectlabBin(), QStringList{QStringLiteral("proxy")} + args, 20000);
    QVERIFY2(r.finished && r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestProxyCli::listensAndSaysWhereItForwards()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({}));
    ServeProcess proxy;
    QVERIFY2(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--mode"),
                                QStringLiteral("answer-100")}),
             proxy.firstLine.constData());
    QVERIFY2(QRegularExpression(QStringLiteral("^listening http://127\\.0\\.0\\.1:\\d+/\\n$"))
                 .match(QString::fromLatin1(proxy.firstLine))
                 .hasMatch(),
             proxy.firstLine.constData());
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += proxy.process.readAllStandardError()).contains("forwarding to"), 10000);
    QVERIFY2(err.contains(origin.url.toLatin1()) && err.contains("answer-100") && err.contains("Envoy"),
             err.constData());
    // SIGTERM is a clean stop.
    proxy.process.terminate();
    QVERIFY(proxy.process.waitForFinished(10000));
    QCOMPARE(proxy.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(proxy.process.exitCode(), 0);
}

void TestProxyCli::portInUseExitsOne()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({}));
    const QUrl taken(origin.url);
    const RunResult r = run(
        expectlabBin(),
        {QStringLiteral("proxy"), QStringLiteral("--forward"), QStringLiteral("--port"), QString::number(taken.port())},
        20000);
    QVERIFY2(r.finished && r.exitCode == 1, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("cannot listen"), r.err.constData());
}

void TestProxyCli::unreachableUpstreamWarnsThenAnswers502()
{
    const quint16 nobody = freePort();
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), QStringLiteral("http://127.0.0.1:%1/").arg(nobody)}));
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += proxy.process.readAllStandardError()).contains("warning"), 10000);
    QVERIFY2(err.contains("does not answer"), err.constData());
    const CurlSaw saw = curlUpload(proxy.url);
    QCOMPARE(saw.httpCode, 502);
    const QJsonObject o = QJsonDocument::fromJson(saw.body).object();
    QCOMPARE(o.value(QStringLiteral("error")).toString(), QStringLiteral("bad_gateway"));
    QVERIFY2(o.value(QStringLiteral("reason")).toString().contains(QString::number(nobody)), saw.body.constData());
}

void TestProxyCli::transparentIsInvisible_data()
{
    QTest::addColumn<QString>("policy");
    for (const char *policy : {"continue", "delay:200", "ignore", "reject", "final:413", "continue-twice",
                               "continue-after-body", "interim:103", "reject-after-body"})
        QTest::newRow(policy) << QString::fromLatin1(policy);
}

// The same upload, straight to the origin and through the proxy: the same status lines, the same
// body bytes sent, about the same time (R13, R18).
void TestProxyCli::transparentIsInvisible()
{
    QFETCH(QString, policy);
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), policy}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url}));
    const CurlSaw direct = curlUpload(origin.url);
    const CurlSaw proxied = curlUpload(proxy.url);
    QVERIFY2(direct.exitCode == 0, qPrintable(direct.describe()));
    QVERIFY2(proxied.exitCode == 0, qPrintable(proxied.describe()));
    QVERIFY2(direct.statuses == proxied.statuses,
             qPrintable(QStringLiteral("direct: %1\nproxied: %2").arg(direct.describe(), proxied.describe())));
    QCOMPARE(proxied.httpCode, direct.httpCode);
    QCOMPARE(proxied.uploaded, direct.uploaded);
    // Within a bound: the proxy adds its own hop, never a wait of its own.
    QVERIFY2(qAbs(proxied.seconds - direct.seconds) < 0.35,
             qPrintable(QStringLiteral("direct: %1\nproxied: %2").arg(direct.describe(), proxied.describe())));
}

void TestProxyCli::faultsGetAStatus_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("garbage") << "garbage" << 502 << "bad_gateway";
    QTest::newRow("close") << "close" << 502 << "bad_gateway";
    QTest::newRow("close-mid-body") << "close-mid-body" << 502 << "bad_gateway";
    QTest::newRow("silent") << "silent" << 504 << "gateway_timeout";
}

// Where the origin misbehaves past HTTP, the client still gets a status that says why (502, 504)
// with a JSON body, and the proxy an event.
void TestProxyCli::faultsGetAStatus()
{
    QFETCH(QString, policy);
    QFETCH(int, status);
    QFETCH(QString, error);
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), policy}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--upstream-timeout"),
                               QStringLiteral("1500"), QStringLiteral("--events")}));
    const CurlSaw saw = curlUpload(proxy.url);
    QVERIFY2(saw.httpCode == status, qPrintable(saw.describe()));
    QCOMPARE(QJsonDocument::fromJson(saw.body).object().value(QStringLiteral("error")).toString(), error);
    QList<QJsonObject> events;
    QVERIFY(proxy.eventsUntil(&events, QStringLiteral("final_sent"), 1, QDeadlineTimer(10000)));
    QStringList decisions;
    for (const QJsonObject &e : events)
        decisions << e.value(QStringLiteral("decision")).toString();
    QVERIFY2(decisions.contains(error), qPrintable(decisions.join(QLatin1Char(','))));
}

void TestProxyCli::modesReproduceTheirIntermediary_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QList<int>>("statuses");     // what curl sees
    QTest::addColumn<QJsonValue>("originExpect"); // the Expect the origin saw on the request that got 200
    QTest::addColumn<QString>("originVersion");
    QTest::addColumn<double>("atLeastSeconds"); // the client waited out its own timer

    // Envoy: the origin would refuse with 417, but never learns the client asked.
    QTest::newRow("answer-100") << "answer-100"
                                << "reject" << QList<int>{100, 200} << QJsonValue() << "1.1" << 0.0;
    QTest::newRow("buffer") << "buffer"
                            << "reject" << QList<int>{100, 200} << QJsonValue() << "1.1" << 0.0;
    // Squid 2.7: 417 to any Expect, and the connection closes (curl does not repeat the request then).
    QTest::newRow("reject-expect") << "reject-expect"
                                   << "continue" << QList<int>{417} << QJsonValue() << "1.1" << 0.0;
    QTest::newRow("http10-upstream") << "http10-upstream"
                                     << "continue" << QList<int>{100, 200} << QJsonValue() << "1.0" << 0.0;
    // Traefik 1.4.5, Caddy 2.6: the proxy's 100 and the origin's.
    QTest::newRow("double-100") << "double-100"
                                << "continue" << QList<int>{100, 100, 200} << QJsonValue(QStringLiteral("100-continue"))
                                << "1.1" << 0.0;
    // No 100 from anyone: curl waits its 1 s (R5).
    QTest::newRow("strip-expect") << "strip-expect"
                                  << "continue" << QList<int>{200} << QJsonValue() << "1.1" << 0.9;
    QTest::newRow("transparent") << "transparent"
                                 << "continue" << QList<int>{100, 200} << QJsonValue(QStringLiteral("100-continue"))
                                 << "1.1" << 0.0;
}

void TestProxyCli::modesReproduceTheirIntermediary()
{
    QFETCH(QString, mode);
    QFETCH(QString, policy);
    QFETCH(QList<int>, statuses);
    QFETCH(QJsonValue, originExpect);
    QFETCH(QString, originVersion);
    QFETCH(double, atLeastSeconds);
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), policy}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--mode"), mode}));
    const CurlSaw saw = curlUpload(proxy.url);
    QVERIFY2(saw.exitCode == 0 && saw.statuses == statuses, qPrintable(saw.describe()));
    QVERIFY2(saw.seconds >= atLeastSeconds, qPrintable(saw.describe()));
    if (statuses.last() == 417) {
        // The proxy's own refusal: no body went anywhere, and the reason names what it imitates.
        QCOMPARE(saw.uploaded, 0);
        const QJsonObject o = QJsonDocument::fromJson(saw.body).object();
        QCOMPARE(o.value(QStringLiteral("error")).toString(), QStringLiteral("expectation_failed"));
        QVERIFY2(o.value(QStringLiteral("reason")).toString().contains(QLatin1String("Squid")), saw.body.constData());
        return;
    }
    QCOMPARE(saw.uploaded, kBodyBytes);
    // The origin's echo: what reached it through the proxy.
    const QJsonObject echo = QJsonDocument::fromJson(saw.body).object();
    QCOMPARE(echo.value(QStringLiteral("received_bytes")).toInteger(), kBodyBytes);
    QCOMPARE(echo.value(QStringLiteral("expect")), originExpect);
    QCOMPARE(echo.value(QStringLiteral("version")).toString(), originVersion);
}

// --events: one JSON line per event of both hops, side "proxy", the hop, and one exchange id for
// both hops of one request; decisions carry the mode.
void TestProxyCli::eventsShareTheExchange()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), QStringLiteral("continue")}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--events")}));
    const CurlSaw saw = curlUpload(proxy.url);
    QCOMPARE(saw.statuses, (QList<int>{100, 200}));
    QList<QJsonObject> events;
    QVERIFY(proxy.eventsUntil(&events, QStringLiteral("final_sent"), 1, QDeadlineTimer(10000)));
    QStringList seen;
    for (const QJsonObject &e : std::as_const(events)) {
        QCOMPARE(e.value(QStringLiteral("side")).toString(), QStringLiteral("proxy"));
        const QString hop = e.value(QStringLiteral("hop")).toString();
        QVERIFY2(hop == QLatin1String("downstream") || hop == QLatin1String("upstream"), qPrintable(hop));
        const QString kind = e.value(QStringLiteral("kind")).toString();
        seen << hop + QLatin1Char(':') + kind;
        if (kind == QLatin1String("head") || kind == QLatin1String("head_sent") || kind == QLatin1String("final") ||
            kind == QLatin1String("final_sent"))
            QCOMPARE(e.value(QStringLiteral("exchange")).toInt(), 1);
        if (kind == QLatin1String("decision")) {
            QCOMPARE(e.value(QStringLiteral("mode")).toString(), QStringLiteral("transparent"));
            QVERIFY(!e.value(QStringLiteral("decision")).toString().isEmpty());
        }
    }
    for (const char *expected :
         {"downstream:accepted", "downstream:head", "upstream:connect", "upstream:head_sent", "upstream:interim",
          "downstream:interim_sent", "upstream:final", "downstream:final_sent", "downstream:decision"})
        QVERIFY2(seen.contains(QLatin1String(expected)), qPrintable(seen.join(QLatin1Char(' '))));
    QVERIFY(seen.indexOf(QStringLiteral("upstream:interim")) < seen.indexOf(QStringLiteral("downstream:interim_sent")));
}

// Python's http.client sends its body at once and never waits (R4): through the proxy it gets the
// origin's answer as it would directly.
void TestProxyCli::pythonThroughTheProxy()
{
    const QString python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), "python3");
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), QStringLiteral("reject")}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url}));
    const QUrl url(proxy.url);
    const QString script =
        QStringLiteral("import http.client\n"
                       "c = http.client.HTTPConnection('127.0.0.1', %1, timeout=10)\n"
                       "c.request('PUT', '/py', body=b'x' * 5000, headers={'Expect': '100-continue'})\n"
                       "r = c.getresponse()\n"
                       "print(r.status, len(r.read()))\n"
                       "c.request('PUT', '/py2', body=b'y' * 10)\n"
                       "r = c.getresponse()\n"
                       "print(r.status)\n")
            .arg(url.port());
    const RunResult r = run(python, {QStringLiteral("-c"), script}, 30000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    // 417 to the Expect; after it the proxy closed the connection (the body was sent unasked:
    // R10), so http.client reconnects for the second request, which has no Expect: 200.
    const QStringList lines = QString::fromUtf8(r.out).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("417 ")), qPrintable(lines.at(0)));
    QCOMPARE(lines.at(1), QStringLiteral("200"));
}

// A forward proxy for clients configured with HTTP_PROXY or -x: loopback targets pass, others are
// refused unless --allow-remote (no open relay).
void TestProxyCli::forwardProxy()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), QStringLiteral("continue")}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--forward"), QStringLiteral("--events")}));
    const CurlSaw saw = curlUpload(origin.url, {QStringLiteral("-x"), proxy.url});
    QVERIFY2(saw.statuses == (QList<int>{100, 200}), qPrintable(saw.describe()));
    QCOMPARE(QJsonDocument::fromJson(saw.body).object().value(QStringLiteral("received_bytes")).toInteger(),
             kBodyBytes);

    // HTTP_PROXY from the environment, as Python's urllib reads it.
    const QString python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), "python3");
    QProcess py;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("http_proxy"), proxy.url);
    env.remove(QStringLiteral("no_proxy"));
    env.remove(QStringLiteral("NO_PROXY"));
    py.setProcessEnvironment(env);
    py.start(python, {QStringLiteral("-c"),
                      QStringLiteral("import urllib.request\n"
                                     "r = urllib.request.urlopen(urllib.request.Request('%1py', data=b'abc', "
                                     "method='POST'), timeout=10)\n"
                                     "print(r.status, r.read().decode())\n")
                          .arg(origin.url)});
    QVERIFY(py.waitForFinished(30000));
    const QByteArray out = py.readAllStandardOutput();
    QVERIFY2(out.startsWith("200 ") && out.contains("\"received_bytes\":3"),
             (out + py.readAllStandardError()).constData());

    // A target that is not loopback is refused with 403 and a reason, without a connection.
    const RunResult remote = run(m_curl,
                                 {QStringLiteral("-s"), QStringLiteral("-x"), proxy.url, QStringLiteral("-w"),
                                  QStringLiteral("\n%{http_code}"), QStringLiteral("http://192.0.2.1/")},
                                 20000);
    QVERIFY2(remote.out.endsWith("\n403"), remote.out.constData());
    QVERIFY2(remote.out.contains("--allow-remote"), remote.out.constData());
}

// --save: on stop, a session file with both hops of every exchange, the proxy's connections and
// how it ran, which the workbench opens.
void TestProxyCli::saveWritesBothHops()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--policy"), QStringLiteral("reject")}));
    const QString save = m_dir.filePath(QStringLiteral("proxy.expectlab.json"));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--mode"),
                               QStringLiteral("double-100"), QStringLiteral("--save"), save}));
    const CurlSaw saw = curlUpload(proxy.url);
    QVERIFY2(saw.statuses == (QList<int>{100, 417}), qPrintable(saw.describe()));
    proxy.process.terminate();
    QVERIFY(proxy.process.waitForFinished(10000));
    QCOMPARE(proxy.process.exitCode(), 0);
    QFile file(save);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(o.value(QStringLiteral("version")).toInt(), 5);
    QCOMPARE(o.value(QStringLiteral("proxy")).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("double-100"));
    QCOMPARE(o.value(QStringLiteral("proxy")).toObject().value(QStringLiteral("upstream")).toString(), origin.url);
    QSet<QString> hops;
    QSet<int> exchanges;
    QStringList decisions;
    for (const QJsonValue &v : o.value(QStringLiteral("proxy_events")).toArray()) {
        const QJsonObject e = v.toObject();
        hops << e.value(QStringLiteral("hop")).toString();
        if (e.contains(QStringLiteral("exchange")))
            exchanges << e.value(QStringLiteral("exchange")).toInt();
        if (e.contains(QStringLiteral("decision")))
            decisions << e.value(QStringLiteral("decision")).toString();
    }
    QCOMPARE(hops, (QSet<QString>{QStringLiteral("downstream"), QStringLiteral("upstream")}));
    QCOMPARE(exchanges, QSet<int>{1});
    QVERIFY2(decisions.contains(QStringLiteral("own_100")), qPrintable(decisions.join(QLatin1Char(','))));
    const QJsonArray connections = o.value(QStringLiteral("proxy_connections")).toArray();
    QCOMPARE(connections.size(), 2);
}

// curl through the forward proxy to our TLS server: CONNECT opens a tunnel the proxy records as
// bytes each way; the handshake and the Expect exchange inside it are the server's and curl's.
void TestProxyCli::connectTunnelToOurTlsServer()
{
    const auto made = makeTestIdentity();
    QVERIFY(made);
    const QString cert = m_dir.filePath(QStringLiteral("tunnel-cert.pem"));
    const QString key = m_dir.filePath(QStringLiteral("tunnel-key.pem"));
    for (const auto &[path, bytes] : {std::pair{cert, made->certPem}, std::pair{key, made->identity.key.toPem()}}) {
        QSaveFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        QVERIFY(f.commit());
    }
    ServeProcess origin;
    QVERIFY2(origin.startServe({QStringLiteral("--tls"), QStringLiteral("--cert"), cert, QStringLiteral("--key"), key}),
             origin.firstLine.constData());
    QVERIFY(origin.url.startsWith(QLatin1String("https://")));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--forward"), QStringLiteral("--events")}));
    const CurlSaw saw = curlUpload(origin.url, {QStringLiteral("-x"), proxy.url, QStringLiteral("--cacert"), cert});
    // curl prints the proxy's 200 for the CONNECT, then the server's own answers inside the tunnel.
    QVERIFY2(saw.exitCode == 0 && saw.statuses == (QList<int>{200, 100, 200}), qPrintable(saw.describe()));
    QCOMPARE(QJsonDocument::fromJson(saw.body).object().value(QStringLiteral("received_bytes")).toInteger(),
             kBodyBytes);
    QList<QJsonObject> events;
    QVERIFY(proxy.eventsUntil(&events, QStringLiteral("closed"), 1, QDeadlineTimer(10000)));
    QStringList decisions;
    qint64 fromClient = -1;
    for (const QJsonObject &e : std::as_const(events)) {
        const QString d = e.value(QStringLiteral("decision")).toString();
        if (d.isEmpty())
            continue;
        decisions << d;
        if (d == QLatin1String("tunnel_closed") &&
            e.value(QStringLiteral("hop")).toString() == QLatin1String("downstream"))
            fromClient = e.value(QStringLiteral("bytes")).toInteger();
    }
    QVERIFY2(decisions.contains(QStringLiteral("tunnel")) && decisions.contains(QStringLiteral("tunnel_closed")),
             qPrintable(decisions.join(QLatin1Char(','))));
    QVERIFY2(fromClient > kBodyBytes, qPrintable(QString::number(fromClient))); // the body, encrypted, and more
}

// An https:// upstream (issue 16 builds on 15): the proxy's upstream hop does the TLS handshake,
// trusting the origin with --cacert; curl speaks plain HTTP to the proxy and sees the origin's 100.
void TestProxyCli::httpsUpstream()
{
    const auto made = makeTestIdentity();
    QVERIFY(made);
    const QString cert = m_dir.filePath(QStringLiteral("upstream-cert.pem"));
    const QString key = m_dir.filePath(QStringLiteral("upstream-key.pem"));
    for (const auto &[path, bytes] : {std::pair{cert, made->certPem}, std::pair{key, made->identity.key.toPem()}}) {
        QSaveFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        QVERIFY(f.commit());
    }
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--tls"), QStringLiteral("--cert"), cert, QStringLiteral("--key"), key}));
    // Untrusted: the proxy's handshake fails, the client gets a 502 that says why.
    {
        ServeProcess proxy;
        QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url}));
        const CurlSaw saw = curlUpload(proxy.url);
        QCOMPARE(saw.httpCode, 502);
        QVERIFY2(saw.body.contains("--cacert"), saw.body.constData());
    }
    ServeProcess proxy;
    QVERIFY(startProxy(proxy, {QStringLiteral("--upstream"), origin.url, QStringLiteral("--cacert"), cert,
                               QStringLiteral("--events")}));
    const CurlSaw saw = curlUpload(proxy.url);
    QVERIFY2(saw.statuses == (QList<int>{100, 200}), qPrintable(saw.describe()));
    QList<QJsonObject> events;
    QVERIFY(proxy.eventsUntil(&events, QStringLiteral("final_sent"), 1, QDeadlineTimer(10000)));
    const auto tls = std::find_if(events.cbegin(), events.cend(), [](const QJsonObject &e) {
        return e.value(QStringLiteral("kind")).toString() == QLatin1String("tls_done");
    });
    QVERIFY(tls != events.cend());
    QCOMPARE(tls->value(QStringLiteral("hop")).toString(), QStringLiteral("upstream"));
    QCOMPARE(tls->value(QStringLiteral("tls")).toObject().value(QStringLiteral("alpn")).toString(),
             QStringLiteral("http/1.1"));
}

// The listener keeps serve's limits: a body over --max-body gets 413 from the proxy before any of it
// is read (R11), and the origin never sees the request.
void TestProxyCli::limitsAsServeHasThem()
{
    ServeProcess origin;
    QVERIFY(origin.startServe({QStringLiteral("--events")}));
    ServeProcess proxy;
    QVERIFY(startProxy(proxy,
                       {QStringLiteral("--upstream"), origin.url, QStringLiteral("--max-body"), QStringLiteral("1K")}));
    const CurlSaw saw = curlUpload(proxy.url);
    QVERIFY2(saw.statuses == QList<int>{413}, qPrintable(saw.describe()));
    QCOMPARE(saw.uploaded, 0);
    QCOMPARE(QJsonDocument::fromJson(saw.body).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("content_too_large"));
    // A small request after it does pass; the origin's first head is that one's.
    const RunResult small = run(m_curl,
                                {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                 QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("--data"),
                                 QStringLiteral("hi"), proxy.url + QStringLiteral("small")},
                                20000);
    QCOMPARE(small.out, QByteArray("200"));
    QList<QJsonObject> events;
    QVERIFY(origin.eventsUntil(&events, QStringLiteral("head"), 2, QDeadlineTimer(10000)) ||
            origin.eventsUntil(&events, QStringLiteral("head"), 1, QDeadlineTimer(10000)));
    QStringList heads;
    for (const QJsonObject &e : std::as_const(events)) {
        if (e.value(QStringLiteral("kind")).toString() == QLatin1String("head"))
            heads << e.value(QStringLiteral("detail")).toString();
    }
    QCOMPARE(heads.size(), 1);
    QVERIFY2(heads.first().startsWith(QLatin1String("POST /small")), qPrintable(heads.first()));
}

QTEST_GUILESS_MAIN(TestProxyCli)
#include "tst_proxycli.moc"
