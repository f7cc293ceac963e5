// `expectlab probe` and `expectlab send` against real servers, started here on 127.0.0.1 from the
// configs in tests/interop and stopped afterwards; each run's verdicts are checked against what
// expect-rules.md's servers table says those servers do. nginx and Apache also serve HTTPS with a
// certificate made here by `openssl req` (issue 15): over TLS the verdicts are the plain rows' own.
#include "interopservers.h"
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

} // namespace

class TstProbeInterop : public QObject
{
    Q_OBJECT
private slots:
    void servers_data();
    void servers();
};

void TstProbeInterop::servers_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<bool>("tls");
    // scenario id -> verdict for every scenario, then the status lists worth pinning.
    QTest::addColumn<QStringList>("verdicts");
    QTest::addColumn<QStringList>("firstStatuses");

    // nginx 1.22: 100 when it starts reading the body, `100-continue` in any case; unknown
    // expectations ignored (R1 warn, not 417); 413 + Connection: close before any 100. `return 200`
    // answers before the body and then discards it: no desync.
    const QStringList nginxVerdicts{
        "continue-small=pass",     "continue-large=pass", "body-at-once=pass", "unknown-expectation=warn",
        "case-variant=pass",       "http10-expect=pass",  "no-content=pass",   "early-final=pass",
        "early-final-desync=pass", "chunked=pass"};
    const QStringList nginxStatuses{"continue-small=100", "unknown-expectation=200", "case-variant=100",
                                    "early-final=413"};
    QTest::newRow("nginx") << "nginx" << false << nginxVerdicts << nginxStatuses;
    // Over TLS nothing of the handshake changes (curl/curl#953 was a client bug, not a TLS rule).
    QTest::newRow("nginx https") << "nginx" << true << nginxVerdicts << nginxStatuses;
    // Apache httpd 2.4: 100 when the body is first read; 417 to unknown expectations; 413 before any
    // 100 (LimitRequestBody).
    const QStringList apacheVerdicts{
        "continue-small=pass",     "continue-large=pass", "body-at-once=pass", "unknown-expectation=pass",
        "case-variant=pass",       "http10-expect=pass",  "no-content=pass",   "early-final=pass",
        "early-final-desync=info", "chunked=pass"};
    const QStringList apacheStatuses{"continue-small=100", "unknown-expectation=417", "early-final=413"};
    QTest::newRow("apache2") << "apache2" << false << apacheVerdicts << apacheStatuses;
    QTest::newRow("apache2 https") << "apache2" << true << apacheVerdicts << apacheStatuses;
    // lighttpd 1.4.69: sends the 100; 413 before any 100.
    QTest::newRow("lighttpd") << "lighttpd" << false
                              << QStringList{"continue-small=pass",     "continue-large=pass",
                                             "body-at-once=pass",       "unknown-expectation=warn",
                                             "case-variant=pass",       "http10-expect=pass",
                                             "no-content=pass",         "early-final=pass",
                                             "early-final-desync=info", "chunked=pass"}
                              << QStringList{"continue-small=100", "case-variant=100", "early-final=413"};
    // Node.js http: 100 automatically (no checkContinue listener); 417 to unknown expectations.
    QTest::newRow("node") << "node" << false << QStringList{"continue-small=pass",     "continue-large=pass",
                                                            "body-at-once=pass",       "unknown-expectation=pass",
                                                            "case-variant=pass",       "http10-expect=pass",
                                                            "no-content=pass",         "early-final=info",
                                                            "early-final-desync=pass", "chunked=pass"}
                          << QStringList{"continue-small=100", "unknown-expectation=417", "early-final=100"};
    // Python http.server with protocol_version HTTP/1.1: sends the 100; unknown expectations ignored.
    QTest::newRow("python http.server HTTP/1.1")
        << "python" << false << QStringList{"continue-small=pass",     "continue-large=pass",
                                            "body-at-once=pass",       "unknown-expectation=warn",
                                            "case-variant=pass",       "http10-expect=pass",
                                            "no-content=pass",         "early-final=info",
                                            "early-final-desync=info", "chunked=pass"}
        << QStringList{"continue-small=100", "unknown-expectation=200", "early-final=100"};
}

void TstProbeInterop::servers()
{
    QFETCH(QString, server);
    QFETCH(bool, tls);
    QFETCH(QStringList, verdicts);
    QFETCH(QStringList, firstStatuses);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Peer peer;
    const InteropServer started = startInteropServer(server, tls, peer, dir.path());
    EXPECTLAB_REQUIRE_PEER(started.missing.isEmpty(), started.missing);
    QVERIFY2(!started.url.isEmpty(), qPrintable(peer.output()));
    const quint16 port = quint16(QUrl(started.url).port());
    QTRY_VERIFY2_WITH_TIMEOUT(accepts(port) || !peer.running(), qPrintable(peer.output()), 15000);
    QVERIFY2(peer.running(), qPrintable(peer.output()));

    const QStringList trust = tls ? QStringList{QStringLiteral("--cacert"), started.caCert} : QStringList{};

    // `send`: the one exchange a user tries first gets the server's 100 and its final.
    const RunResult sent = run(expectlabBin(), QStringList{QStringLiteral("send"), QStringLiteral("--json"),
                                                           QStringLiteral("--data-size"), QStringLiteral("64K")} +
                                                   trust + QStringList{started.url});
    QVERIFY2(sent.ok(), qPrintable(sent.describe()));
    const QJsonObject exchange = QJsonDocument::fromJson(sent.out).object();
    QCOMPARE(exchange.value(QStringLiteral("interim_statuses")).toArray(), QJsonArray{100});
    QCOMPARE(exchange.value(QStringLiteral("final_status")).toInt(), 200);
    QCOMPARE(exchange.value(QStringLiteral("tls")).isObject(), tls);

    const RunResult r = run(expectlabBin(), QStringList{QStringLiteral("probe"), started.url, QStringLiteral("--json"),
                                                        QStringLiteral("--timeout"), QLatin1String(kTimeout)} +
                                                trust);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(doc.value(QStringLiteral("error")).isNull(), r.err.constData());
    if (tls) {
        // What the handshake negotiated is in the report, from a certificate we did not make.
        const QJsonObject negotiated = doc.value(QStringLiteral("tls")).toObject();
        QVERIFY2(negotiated.value(QStringLiteral("protocol")).toString().startsWith(QLatin1String("TLSv1.")),
                 r.out.constData());
        QCOMPARE(negotiated.value(QStringLiteral("peer")).toObject().value(QStringLiteral("subject")).toString(),
                 QStringLiteral("CN=ExpectLab interop test"));
    } else {
        QVERIFY(doc.value(QStringLiteral("tls")).isNull());
    }
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
