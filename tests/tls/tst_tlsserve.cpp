// HTTPS end to end (issue 15): real curl and Python's http.client over ssl against `expectlab serve
// --tls`, and `expectlab send https://` against servers whose certificates the test makes with our
// generator (expired, not yet valid, another name), each TLS failure with its exit code, error code
// and sentence. The handshake is its own phase: tls_start and tls_done come between the connect and
// the head, so the expect wait (R2) never includes it.
#include "certificategenerator.h"
#include "peerprocess.h"
#include "requirepeer.h"
#include "serveprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryDir>

using namespace expectlab;
using namespace testsupport;

namespace {
constexpr int kProcessMs = 20000;

QStringList kindsOf(const QList<QJsonObject> &events)
{
    QStringList kinds;
    for (const QJsonObject &e : events) {
        const QString kind = e.value(QStringLiteral("kind")).toString();
        if (kind != QLatin1String("client_profile"))
            kinds << kind;
    }
    return kinds;
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() && f.commit();
}

// The JSON document `send --json` printed on stdout.
QJsonObject sendJson(const RunResult &r)
{
    return QJsonDocument::fromJson(r.out).object();
}
} // namespace

class TestTlsServe : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void curlWithCaCert_data();
    void curlWithCaCert();
    void pythonHttpClientOverSsl_data();
    void pythonHttpClientOverSsl();
    void sendTrustsTheGeneratedCertificate();
    void sendFailures_data();
    void sendFailures();
    void probeOverTls();
    void plainRequestOnTheTlsPort();
    void tlsRequestOnAPlainPort();
    void usageErrors_data();
    void usageErrors();

private:
    // A certificate for 127.0.0.1 (or the names given) valid from..to, written as cert.pem/key.pem
    // in a folder of its own; the certificate file's path.
    QString makeCertificate(const QString &name, const QDateTime &from, const QDateTime &to,
                            const QStringList &dnsNames = {}, const QStringList &ips = {QStringLiteral("127.0.0.1")});

    QTemporaryDir m_dir;
    QString m_curl;
    QString m_python;
    QString m_generatedCert; // serve --tls's own certificate, found from its stderr
};

void TestTlsServe::initTestCase()
{
    QVERIFY2(QFileInfo(expectlabBin()).isExecutable(), "EXPECTLAB_BIN is not set");
    QVERIFY(m_dir.isValid());
    // serve --tls keeps its certificate in the data folder: ours, not the user's.
    qputenv("XDG_DATA_HOME", QDir(m_dir.path()).filePath(QStringLiteral("data")).toLocal8Bit());
    m_curl = findProgram(QStringLiteral("curl"));
    m_python = pythonProgram();

    ServeProcess serve;
    QVERIFY2(serve.startServe({QStringLiteral("--tls")}), serve.firstLine.constData());
    QVERIFY2(serve.url.startsWith(QLatin1String("https://127.0.0.1:")), qPrintable(serve.url));
    // stderr names the file and its fingerprint, and how to trust it.
    QByteArray stderrBytes;
    QTRY_VERIFY_WITH_TIMEOUT((stderrBytes += serve.process.readAllStandardError()).contains("curl --cacert"), 10000);
    serve.stop();
    const QString err = QString::fromUtf8(stderrBytes);
    const QRegularExpression certRe(
        QStringLiteral("TLS certificate (\\S+-cert\\.pem), SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2}); "
                       "trust it with curl --cacert (\\S+)"));
    const auto m = certRe.match(err);
    QVERIFY2(m.hasMatch(), qPrintable(err));
    QCOMPARE(m.captured(3), m.captured(1));
    m_generatedCert = m.captured(1);
    QVERIFY2(m_generatedCert.startsWith(m_dir.path()), qPrintable(m_generatedCert));
    QVERIFY(QFile::exists(m_generatedCert));
}

QString TestTlsServe::makeCertificate(const QString &name, const QDateTime &from, const QDateTime &to,
                                      const QStringList &dnsNames, const QStringList &ips)
{
    CertificateRequest request;
    request.dnsNames = dnsNames;
    request.ipAddresses = ips;
    request.notBefore = from;
    request.notAfter = to;
    QString error;
    const std::optional<GeneratedCertificate> made = generateCertificate(request, &error);
    if (!made) {
        qWarning("generateCertificate: %s", qPrintable(error));
        return {};
    }
    const QDir folder(QDir(m_dir.path()).filePath(name));
    if (!QDir().mkpath(folder.path()) ||
        !writeBytes(folder.filePath(QStringLiteral("cert.pem")), made->certificatePem) ||
        !writeBytes(folder.filePath(QStringLiteral("key.pem")), made->privateKeyPem))
        return {};
    return folder.filePath(QStringLiteral("cert.pem"));
}

void TestTlsServe::curlWithCaCert_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("httpCode");
    QTest::addColumn<bool>("sees100");
    QTest::addColumn<bool>("bodySent");
    // Over TLS curl sends Expect and waits exactly as over plain HTTP (expect-rules.md, clients).
    QTest::newRow("continue") << "continue" << 200 << true << true;
    QTest::newRow("reject") << "reject" << 417 << false << false;
    QTest::newRow("final:413") << "final:413" << 413 << false << false;
    // No 100: curl's own timer (0.3 s here) sends the body anyway (R4).
    QTest::newRow("ignore") << "ignore" << 200 << false << true;
}

void TestTlsServe::curlWithCaCert()
{
    QFETCH(QString, policy);
    QFETCH(int, httpCode);
    QFETCH(bool, sees100);
    QFETCH(bool, bodySent);
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), QStringLiteral("curl"));

    ServeProcess serve;
    QVERIFY(
        serve.startServe({QStringLiteral("--tls"), QStringLiteral("--policy"), policy, QStringLiteral("--events")}));
    QVERIFY(serve.url.startsWith(QLatin1String("https://")));
    const RunResult r =
        run(m_curl, {QStringLiteral("-sS"), QStringLiteral("-v"), QStringLiteral("--cacert"), m_generatedCert,
                     QStringLiteral("--expect100-timeout"), QStringLiteral("0.3"), QStringLiteral("-o"),
                     QStringLiteral("/dev/null"), QStringLiteral("-w"), QStringLiteral("%{http_code}"),
                     QStringLiteral("-H"), QStringLiteral("Expect: 100-continue"), QStringLiteral("--data-binary"),
                     QStringLiteral("hello"), serve.url + QStringLiteral("upload")});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray::number(httpCode));
    // curl 7.88 says "ALPN: server accepted http/1.1", older ones "ALPN, server accepted to use".
    QVERIFY2(QRegularExpression(QStringLiteral("ALPN[:,] server accepted (to use )?http/1.1"))
                 .match(QString::fromUtf8(r.err))
                 .hasMatch(),
             r.err.constData());
    QVERIFY2(r.err.contains("\n> Expect: 100-continue"), r.err.constData());
    QCOMPARE(r.err.contains("\n< HTTP/1.1 100 Continue"), sees100);
    QVERIFY2(r.err.contains("\n< HTTP/1.1 " + QByteArray::number(httpCode)), r.err.constData());

    // The server's side: the handshake between accepted and head, then the same exchange as over
    // plain HTTP.
    QList<QJsonObject> events;
    QVERIFY2(serve.eventsUntil(&events, QStringLiteral("closed"), 1, QDeadlineTimer(kProcessMs)),
             qPrintable(kindsOf(events).join(QLatin1Char(' '))));
    const QStringList kinds = kindsOf(events);
    const QString all = kinds.join(QLatin1Char(' '));
    QVERIFY2(all.startsWith(QLatin1String("accepted tls_start tls_done head ")), qPrintable(all));
    const QJsonObject done = events.at(kinds.indexOf(QStringLiteral("tls_done")));
    const QJsonObject tls = done.value(QStringLiteral("tls")).toObject();
    QCOMPARE(tls.value(QStringLiteral("alpn")).toString(), QStringLiteral("http/1.1"));
    QVERIFY2(tls.value(QStringLiteral("protocol")).toString().startsWith(QLatin1String("TLSv1.")),
             QJsonDocument(done).toJson().constData());
    QCOMPARE(kinds.contains(QStringLiteral("interim_sent")), sees100);
    QCOMPARE(kinds.contains(QStringLiteral("body_done")), bodySent);
    QCOMPARE(events.at(kinds.indexOf(QStringLiteral("final_sent"))).value(QStringLiteral("status")).toInt(), httpCode);
}

void TestTlsServe::pythonHttpClientOverSsl_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("seen"); // what the script printed: the statuses in order
    QTest::newRow("continue") << "continue"
                              << "100 200";
    QTest::newRow("reject") << "reject"
                            << "417";
    QTest::newRow("final:413") << "final:413"
                               << "413";
    QTest::newRow("ignore") << "ignore"
                            << "waited 200";
}

void TestTlsServe::pythonHttpClientOverSsl()
{
    QFETCH(QString, policy);
    QFETCH(QString, seen);
    EXPECTLAB_REQUIRE_PEER(!m_python.isEmpty(), QStringLiteral("python3"));

    ServeProcess serve;
    QVERIFY(serve.startServe({QStringLiteral("--tls"), QStringLiteral("--policy"), policy}));
    // http.client writes the request; it would skip a 100 silently, so the script reads the status
    // heads off the TLS socket itself and sends the body after a 100 or a 0.5 s wait (R4).
    const QString script =
        QStringLiteral("import http.client, socket, ssl, sys\n"
                       "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
                       "c = http.client.HTTPSConnection('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=10)\n"
                       "c.putrequest('POST', '/upload')\n"
                       "c.putheader('Content-Length', '5')\n"
                       "c.putheader('Expect', '100-continue')\n"
                       "c.endheaders()\n"
                       "assert c.sock.version().startswith('TLSv1'), c.sock.version()\n"
                       "buf = b''\n"
                       "def head():\n"
                       "    global buf\n"
                       "    while b'\\r\\n\\r\\n' not in buf:\n"
                       "        chunk = c.sock.recv(4096)\n"
                       "        if not chunk: raise EOFError('closed')\n"
                       "        buf += chunk\n"
                       "    h, buf = buf.split(b'\\r\\n\\r\\n', 1)\n"
                       "    return int(h.split()[1])\n"
                       "seen = []\n"
                       "c.sock.settimeout(0.5)\n"
                       "try:\n"
                       "    status = head()\n"
                       "except (socket.timeout, TimeoutError):\n"
                       "    status = None\n"
                       "    seen.append('waited')\n"
                       "c.sock.settimeout(10)\n"
                       "if status is None or status == 100:\n"
                       "    if status: seen.append('100')\n"
                       "    c.send(b'hello')\n"
                       "    status = head()\n"
                       "seen.append(str(status))\n"
                       "print(' '.join(seen))\n");
    const RunResult r =
        run(m_python, {QStringLiteral("-c"), script, QString::number(QUrl(serve.url).port()), m_generatedCert});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(QString::fromUtf8(r.out.trimmed()), seen);
}

void TestTlsServe::sendTrustsTheGeneratedCertificate()
{
    ServeProcess serve;
    QVERIFY(serve.startServe({QStringLiteral("--tls")}));
    const RunResult r = run(expectlabBin(), {QStringLiteral("send"), QStringLiteral("--json"),
                                             QStringLiteral("--cacert"), m_generatedCert, QStringLiteral("--data-size"),
                                             QStringLiteral("64K"), serve.url + QStringLiteral("upload")});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject o = sendJson(r);
    QCOMPARE(o.value(QStringLiteral("final_status")).toInt(), 200);
    QCOMPARE(o.value(QStringLiteral("interim_statuses")).toArray(), QJsonArray{100});
    // The contract's fields (issue 15).
    const QJsonObject tls = o.value(QStringLiteral("tls")).toObject();
    QVERIFY2(tls.value(QStringLiteral("protocol")).toString().startsWith(QLatin1String("TLSv1.")),
             QJsonDocument(o).toJson().constData());
    QVERIFY(!tls.value(QStringLiteral("cipher")).toString().isEmpty());
    QCOMPARE(tls.value(QStringLiteral("alpn")).toString(), QStringLiteral("http/1.1"));
    const QJsonObject peer = tls.value(QStringLiteral("peer")).toObject();
    QCOMPARE(peer.value(QStringLiteral("subject")).toString(), QStringLiteral("CN=ExpectLab local test server"));
    QCOMPARE(peer.value(QStringLiteral("issuer")).toString(), QStringLiteral("CN=ExpectLab local test server"));
    QVERIFY(QDateTime::fromString(peer.value(QStringLiteral("not_after")).toString(), Qt::ISODate) >
            QDateTime::currentDateTimeUtc());
    QCOMPARE(peer.value(QStringLiteral("sha256")).toString().size(), 32 * 3 - 1);

    // On the client's timeline the handshake sits between connected and head_sent, and the expect
    // wait is measured from head_sent on, never from the connect.
    QStringList kinds;
    QList<double> times;
    for (const QJsonValue &v : o.value(QStringLiteral("events")).toArray()) {
        kinds << v.toObject().value(QStringLiteral("kind")).toString();
        times << v.toObject().value(QStringLiteral("t_ms")).toDouble();
    }
    const qsizetype start = kinds.indexOf(QStringLiteral("tls_start"));
    const qsizetype done = kinds.indexOf(QStringLiteral("tls_done"));
    const qsizetype headSent = kinds.indexOf(QStringLiteral("head_sent"));
    const qsizetype interim = kinds.indexOf(QStringLiteral("interim"));
    const qsizetype connected = kinds.indexOf(QStringLiteral("connected"));
    QVERIFY2(connected >= 0 && connected < start && start < done && done < headSent,
             qPrintable(kinds.join(QLatin1Char(' '))));
    QVERIFY(interim > headSent);
    QVERIFY2(o.value(QStringLiteral("expect_wait_ms")).toDouble() <= times.at(interim) - times.at(headSent) + 0.01,
             QJsonDocument(o).toJson().constData());

    // Plain HTTP says so: null.
    ServeProcess plain;
    QVERIFY(plain.startServe({}));
    const RunResult p =
        run(expectlabBin(), {QStringLiteral("send"), QStringLiteral("--json"), plain.url + QStringLiteral("x")});
    QVERIFY2(p.ok(), qPrintable(p.describe()));
    QVERIFY(sendJson(p).contains(QStringLiteral("tls")));
    QVERIFY(sendJson(p).value(QStringLiteral("tls")).isNull());
}

void TestTlsServe::sendFailures_data()
{
    QTest::addColumn<QString>("certificate"); // "generated", or a made one: expired, future, othername
    QTest::addColumn<QString>("trust");       // "", "cacert" or "insecure"
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("errorCode");
    QTest::addColumn<QString>("sentence"); // a part of stderr's sentence: the cause and the flag

    QTest::newRow("untrusted") << "generated"
                               << "" << 1 << "tls_untrusted"
                               << "not trusted";
    QTest::newRow("untrusted, --insecure") << "generated"
                                           << "insecure" << 0 << ""
                                           << "";
    QTest::newRow("expired") << "expired"
                             << "cacert" << 1 << "tls_expired"
                             << "expired";
    QTest::newRow("expired, --insecure") << "expired"
                                         << "insecure" << 0 << ""
                                         << "";
    QTest::newRow("not yet valid") << "future"
                                   << "cacert" << 1 << "tls_not_yet_valid"
                                   << "not valid before";
    QTest::newRow("not yet valid, --insecure") << "future"
                                               << "insecure" << 0 << ""
                                               << "";
    QTest::newRow("name mismatch") << "othername"
                                   << "cacert" << 1 << "tls_name_mismatch"
                                   << "other.example";
    QTest::newRow("name mismatch, --insecure") << "othername"
                                               << "insecure" << 0 << ""
                                               << "";
}

void TestTlsServe::sendFailures()
{
    QFETCH(QString, certificate);
    QFETCH(QString, trust);
    QFETCH(int, exitCode);
    QFETCH(QString, errorCode);
    QFETCH(QString, sentence);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString cert = m_generatedCert;
    if (certificate == QLatin1String("expired"))
        cert = makeCertificate(certificate, now.addDays(-30), now.addDays(-1));
    else if (certificate == QLatin1String("future"))
        cert = makeCertificate(certificate, now.addDays(1), now.addDays(30));
    else if (certificate == QLatin1String("othername"))
        cert = makeCertificate(certificate, now.addDays(-1), now.addDays(30), {QStringLiteral("other.example")}, {});
    QVERIFY(!cert.isEmpty());

    QStringList serveArgs{QStringLiteral("--tls")};
    if (certificate != QLatin1String("generated"))
        serveArgs << QStringLiteral("--cert") << cert << QStringLiteral("--key")
                  << QFileInfo(cert).dir().filePath(QStringLiteral("key.pem"));
    ServeProcess serve;
    QVERIFY2(serve.startServe(serveArgs), serve.process.readAllStandardError().constData());

    QStringList args{QStringLiteral("send"), QStringLiteral("--json"), QStringLiteral("--data"), QStringLiteral("hi")};
    if (trust == QLatin1String("cacert"))
        args << QStringLiteral("--cacert") << cert;
    else if (trust == QLatin1String("insecure"))
        args << QStringLiteral("-k");
    const RunResult r = run(expectlabBin(), args << serve.url + QStringLiteral("upload"));
    QVERIFY2(r.finished && r.exitCode == exitCode, qPrintable(r.describe()));
    const QJsonObject o = sendJson(r);
    if (exitCode == 0) {
        QCOMPARE(o.value(QStringLiteral("final_status")).toInt(), 200);
        QVERIFY(o.value(QStringLiteral("tls")).isObject());
        return;
    }
    QCOMPARE(o.value(QStringLiteral("error_code")).toString(), errorCode);
    QVERIFY(o.value(QStringLiteral("final_status")).isNull());
    // One sentence: the cause, and the flag that would change it.
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains(sentence), qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("--insecure")), qPrintable(err));
    QCOMPARE(err.trimmed().count(QLatin1Char('\n')), 0);
}

void TestTlsServe::probeOverTls()
{
    ServeProcess serve;
    QVERIFY(serve.startServe({QStringLiteral("--tls")}));
    const QString url = serve.url + QStringLiteral("upload");
    const RunResult r = run(expectlabBin(),
                            {QStringLiteral("probe"), QStringLiteral("--json"), QStringLiteral("--cacert"),
                             m_generatedCert, QStringLiteral("--timeout"), QStringLiteral("1000"), url},
                            60000);
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("tls")).toObject().value(QStringLiteral("alpn")).toString(),
             QStringLiteral("http/1.1"));
    const QJsonArray scenarios = o.value(QStringLiteral("scenarios")).toArray();
    QVERIFY(scenarios.size() >= 5);
    for (const QJsonValue &s : scenarios) {
        // Each scenario is its own TLS connection, and its head leaves after the handshake.
        QStringList kinds;
        for (const QJsonValue &e : s.toObject().value(QStringLiteral("evidence")).toArray())
            kinds << e.toObject().value(QStringLiteral("kind")).toString();
        const qsizetype done = kinds.indexOf(QStringLiteral("tls_done"));
        QVERIFY2(done > 0 && done < kinds.indexOf(QStringLiteral("head_sent")), qPrintable(kinds.join(' ')));
        QVERIFY2(s.toObject().value(QStringLiteral("verdict")).toString() != QLatin1String("fail"),
                 QJsonDocument(s.toObject()).toJson().constData());
    }

    // Without trust: one clear error that names the cause and the flags, no table of failures.
    const RunResult untrusted = run(expectlabBin(), {QStringLiteral("probe"), QStringLiteral("--json"), url}, 60000);
    QVERIFY2(untrusted.finished && untrusted.exitCode == 1, qPrintable(untrusted.describe()));
    const QJsonObject u = QJsonDocument::fromJson(untrusted.out).object();
    QVERIFY2(u.value(QStringLiteral("error")).toString().contains(QLatin1String("--cacert")),
             untrusted.out.constData());
    QVERIFY(u.value(QStringLiteral("scenarios")).toArray().isEmpty());
}

void TestTlsServe::plainRequestOnTheTlsPort()
{
    ServeProcess serve;
    QVERIFY(serve.startServe({QStringLiteral("--tls"), QStringLiteral("--events")}));
    QUrl plain(serve.url);
    plain.setScheme(QStringLiteral("http"));
    const RunResult r = run(expectlabBin(), {QStringLiteral("send"), QStringLiteral("--json"), QStringLiteral("--data"),
                                             QStringLiteral("hi"), plain.toString() + QStringLiteral("upload")});
    QVERIFY2(r.finished && r.exitCode == 1, qPrintable(r.describe()));
    QCOMPARE(sendJson(r).value(QStringLiteral("error_code")).toString(), QStringLiteral("closed_early"));
    QVERIFY2(r.err.contains("use https://"), r.err.constData());

    // The server knows exactly what happened, and says so as a typed error.
    QList<QJsonObject> events;
    QVERIFY2(serve.eventsUntil(&events, QStringLiteral("closed"), 1, QDeadlineTimer(kProcessMs)),
             qPrintable(kindsOf(events).join(QLatin1Char(' '))));
    const auto error = std::find_if(events.cbegin(), events.cend(), [](const QJsonObject &e) {
        return e.value(QStringLiteral("kind")).toString() == QLatin1String("error");
    });
    QVERIFY2(error != events.cend(), qPrintable(kindsOf(events).join(QLatin1Char(' '))));
    QCOMPARE(error->value(QStringLiteral("error_code")).toString(), QStringLiteral("tls_plain_request"));
    QVERIFY(!kindsOf(events).contains(QStringLiteral("head")));
}

void TestTlsServe::tlsRequestOnAPlainPort()
{
    ServeProcess serve;
    QVERIFY(serve.startServe({}));
    QUrl tls(serve.url);
    tls.setScheme(QStringLiteral("https"));
    const RunResult r = run(expectlabBin(), {QStringLiteral("send"), QStringLiteral("--json"), QStringLiteral("-k"),
                                             QStringLiteral("--data"), QStringLiteral("hi"),
                                             tls.toString() + QStringLiteral("upload")});
    QVERIFY2(r.finished && r.exitCode == 1, qPrintable(r.describe()));
    QCOMPARE(sendJson(r).value(QStringLiteral("error_code")).toString(), QStringLiteral("tls_peer_not_tls"));
    QVERIFY2(r.err.contains("use http://"), r.err.constData());
}

void TestTlsServe::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString missing = QDir(m_dir.path()).filePath(QStringLiteral("missing.pem"));
    const QString notPem = QDir(m_dir.path()).filePath(QStringLiteral("not.pem"));
    QVERIFY(writeBytes(notPem, "this is not a certificate\n"));
    QTest::newRow("--cert without --tls") << QStringList{"serve", "--cert", missing, "--key", missing} << 2 << "--tls";
    QTest::newRow("--cert without --key") << QStringList{"serve", "--tls", "--cert", missing} << 2 << "--key";
    QTest::newRow("missing --cert file") << QStringList{"serve", "--tls", "--cert", missing, "--key", missing} << 1
                                         << missing;
    QTest::newRow("--cert not PEM") << QStringList{"serve", "--tls", "--cert", notPem, "--key", notPem} << 1 << notPem;
    QTest::newRow("send: missing --cacert file")
        << QStringList{"send", "--cacert", missing, "https://127.0.0.1:1/"} << 2 << missing;
    QTest::newRow("send: --cacert not PEM")
        << QStringList{"send", "--cacert", notPem, "https://127.0.0.1:1/"} << 2 << notPem;
}

void TestTlsServe::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const RunResult r = run(expectlabBin(), args, kProcessMs);
    QVERIFY2(r.finished && r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), qPrintable(r.describe()));
    QVERIFY2(!r.out.contains("listening"), r.out.constData());
}

QTEST_GUILESS_MAIN(TestTlsServe)
#include "tst_tlsserve.moc"
