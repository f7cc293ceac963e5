// `expectlab probe` against `expectlab serve` under each policy, and the CLI's contract: exit codes,
// the JSON document (docs/probe-json.md), JUnit XML, one clear error for an unreachable server.
#include "peerprocess.h"
#include "requirepeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QXmlStreamReader>

using namespace testsupport;

namespace {
constexpr auto kTimeout = "800";

QMap<QString, QJsonObject> scenariosById(const QJsonObject &doc)
{
    QMap<QString, QJsonObject> out;
    for (const QJsonValue &v : doc.value(QStringLiteral("scenarios")).toArray())
        out.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
    return out;
}

QList<int> statuses(const QJsonObject &scenario)
{
    QList<int> out;
    for (const QJsonValue &v : scenario.value(QStringLiteral("statuses")).toArray())
        out << v.toInt();
    return out;
}
} // namespace

class TstProbeServe : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void policies_data();
    void policies();
    void junitReport();
    void readableTable();
    void unreachableServer();
    void usageErrors_data();
    void usageErrors();
};

void TstProbeServe::initTestCase()
{
    QVERIFY2(QFile::exists(expectlabBin()), "EXPECTLAB_BIN must name the built expectlab binary");
}

void TstProbeServe::policies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("exitCode");
    // scenario id -> verdict; every scenario of the battery is listed.
    QTest::addColumn<QStringList>("verdicts");

    QTest::newRow("continue passes everything")
        << "continue" << 0 << QStringList{"continue-small=pass",     "continue-large=pass",
                                          "body-at-once=pass",       "unknown-expectation=pass",
                                          "case-variant=pass",       "http10-expect=pass",
                                          "no-content=pass",         "early-final=info",
                                          "early-final-desync=pass", "chunked=pass"};
    QTest::newRow("ignore fails R11") << "ignore" << 1
                                      << QStringList{"continue-small=fail", "continue-large=fail", "body-at-once=pass",
                                                     "unknown-expectation=pass", "case-variant=fail",
                                                     "http10-expect=pass",
                                                     // No answer at all to the 4 GiB head: R11 broken (case 15).
                                                     "no-content=pass", "early-final=fail", "early-final-desync=pass",
                                                     "chunked=fail"};
    QTest::newRow("reject answers 417") << "reject" << 0
                                        << QStringList{"continue-small=warn",     "continue-large=warn",
                                                       "body-at-once=warn",       "unknown-expectation=pass",
                                                       "case-variant=warn",       "http10-expect=pass",
                                                       "no-content=pass",         "early-final=pass",
                                                       "early-final-desync=pass", "chunked=warn"};
    QTest::newRow("final:413 answers before the body")
        << "final:413" << 0 << QStringList{"continue-small=pass",     "continue-large=pass",
                                           "body-at-once=pass",       "unknown-expectation=pass",
                                           "case-variant=pass",       "http10-expect=pass",
                                           "no-content=pass",         "early-final=pass",
                                           "early-final-desync=pass", "chunked=pass"};
}

void TstProbeServe::policies()
{
    QFETCH(QString, policy);
    QFETCH(int, exitCode);
    QFETCH(QStringList, verdicts);

    Peer server;
    QVERIFY(server.start(expectlabBin(), {QStringLiteral("serve"), QStringLiteral("--policy"), policy}));
    const QString url = server.waitForListening();
    QVERIFY2(!url.isEmpty(), qPrintable(server.output()));

    const RunResult r = run(expectlabBin(), {QStringLiteral("probe"), url, QStringLiteral("--json"),
                                             QStringLiteral("--timeout"), QLatin1String(kTimeout)});
    QVERIFY2(r.exitCode == exitCode,
             qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
    QJsonParseError error;
    const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.value(QStringLiteral("url")).toString(), url);
    QVERIFY(doc.value(QStringLiteral("error")).isNull());
    const auto byId = scenariosById(doc);
    QCOMPARE(byId.size(), verdicts.size());
    for (const QString &pair : verdicts) {
        const QString id = pair.section(QLatin1Char('='), 0, 0);
        const QString verdict = pair.section(QLatin1Char('='), 1);
        QVERIFY2(byId.contains(id), qPrintable(id));
        const QJsonObject s = byId.value(id);
        QVERIFY2(s.value(QStringLiteral("verdict")).toString() == verdict,
                 qPrintable(QStringLiteral("%1: %2 (%3)")
                                .arg(id, s.value(QStringLiteral("verdict")).toString(),
                                     s.value(QStringLiteral("message")).toString())));
        QVERIFY(!s.value(QStringLiteral("rules")).toArray().isEmpty());
        QVERIFY(!s.value(QStringLiteral("evidence")).toArray().isEmpty());
        QVERIFY(s.value(QStringLiteral("timings")).toObject().contains(QStringLiteral("duration_ms")));
        if (verdict == QLatin1String("fail") && policy == QLatin1String("ignore"))
            QVERIFY(s.value(QStringLiteral("rules")).toArray().contains(QStringLiteral("R11")));
    }
    const int fails = int(std::count_if(verdicts.begin(), verdicts.end(),
                                        [](const QString &p) { return p.endsWith(QLatin1String("=fail")); }));
    QCOMPARE(doc.value(QStringLiteral("summary")).toObject().value(QStringLiteral("fail")).toInt(), fails);

    if (policy == QLatin1String("reject")) {
        // Every HTTP/1.1 expectation is answered 417 at once; HTTP/1.0's is ignored (R7).
        for (auto it = byId.begin(); it != byId.end(); ++it) {
            const QList<int> st = statuses(it.value());
            QVERIFY2(!st.isEmpty(), qPrintable(it.key()));
            if (it.key() == QLatin1String("http10-expect"))
                QCOMPARE(st, QList<int>{200});
            else
                QVERIFY2(st.first() == 417, qPrintable(it.key()));
        }
    }
    if (policy == QLatin1String("continue")) {
        QCOMPARE(statuses(byId.value(QStringLiteral("continue-small"))), (QList<int>{100, 200}));
        QCOMPARE(statuses(byId.value(QStringLiteral("unknown-expectation"))), QList<int>{417});
    }
}

void TstProbeServe::junitReport()
{
    Peer server;
    QVERIFY(
        server.start(expectlabBin(), {QStringLiteral("serve"), QStringLiteral("--policy"), QStringLiteral("ignore")}));
    const QString url = server.waitForListening();
    QVERIFY(!url.isEmpty());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("probe.xml"));
    const RunResult r = run(expectlabBin(), {QStringLiteral("probe"), url, QStringLiteral("--junit"), file,
                                             QStringLiteral("--timeout"), QLatin1String(kTimeout)});
    QCOMPARE(r.exitCode, 1);
    QFile xml(file);
    QVERIFY(xml.open(QIODevice::ReadOnly));
    QXmlStreamReader reader(&xml);
    int testcases = 0;
    int failures = 0;
    QString suiteFailures;
    while (!reader.atEnd()) {
        if (reader.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (reader.name() == QLatin1String("testsuite"))
            suiteFailures = reader.attributes().value(QStringLiteral("failures")).toString();
        else if (reader.name() == QLatin1String("testcase"))
            ++testcases;
        else if (reader.name() == QLatin1String("failure"))
            ++failures;
    }
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
    QCOMPARE(testcases, 10);
    QCOMPARE(failures, 5);
    QCOMPARE(suiteFailures, QStringLiteral("5"));
}

void TstProbeServe::readableTable()
{
    Peer server;
    QVERIFY(server.start(expectlabBin(), {QStringLiteral("serve")}));
    const QString url = server.waitForListening();
    QVERIFY(!url.isEmpty());
    const RunResult r =
        run(expectlabBin(), {QStringLiteral("probe"), url, QStringLiteral("--timeout"), QLatin1String(kTimeout)});
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY(out.contains(QLatin1String("VERDICT")));
    for (const char *id : {"continue-small", "unknown-expectation", "http10-expect", "early-final", "chunked"})
        QVERIFY2(out.contains(QLatin1String(id)), id);
    QVERIFY(out.contains(QLatin1String("R11 R12")));
    QVERIFY(out.contains(QLatin1String("0 fail")));
}

void TstProbeServe::unreachableServer()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1/").arg(port);
    const RunResult r =
        run(expectlabBin(), {QStringLiteral("probe"), url, QStringLiteral("--timeout"), QLatin1String(kTimeout)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    const QList<QByteArray> errLines = r.err.trimmed().split('\n');
    // Progress goes to stderr too; the error is one line, said once.
    QCOMPARE(r.err.count("cannot connect"), 1);
    QVERIFY(errLines.last().startsWith("expectlab: cannot connect to 127.0.0.1:"));

    const RunResult j = run(expectlabBin(), {QStringLiteral("probe"), url, QStringLiteral("--json")});
    QCOMPARE(j.exitCode, 1);
    const QJsonObject doc = QJsonDocument::fromJson(j.out).object();
    QVERIFY(doc.value(QStringLiteral("error")).toString().contains(QLatin1String("cannot connect")));
    QVERIFY(doc.value(QStringLiteral("scenarios")).toArray().isEmpty());
}

void TstProbeServe::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no URL") << QStringList{} << "missing URL";
    QTest::newRow("not http") << QStringList{"ftp://127.0.0.1/"} << "not an http:// or https:// URL";
    QTest::newRow("no host") << QStringList{"http:///x"} << "not an http:// or https:// URL";
    QTest::newRow("bad timeout") << QStringList{"http://127.0.0.1:1/", "--timeout", "abc"} << "invalid --timeout";
    QTest::newRow("zero timeout") << QStringList{"http://127.0.0.1:1/", "--timeout", "0"} << "invalid --timeout";
    QTest::newRow("unknown flag") << QStringList{"http://127.0.0.1:1/", "--bogus"} << "bogus";
    QTest::newRow("two URLs") << QStringList{"http://127.0.0.1:1/", "http://127.0.0.1:2/"} << "unexpected argument";
    QTest::newRow("unwritable --junit") << QStringList{"http://127.0.0.1:1/", "--junit", "/nonexistent-dir/p.xml"}
                                        << "cannot write";
}

void TstProbeServe::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const RunResult r = run(expectlabBin(), QStringList{QStringLiteral("probe")} + args, 10000);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
}

QTEST_GUILESS_MAIN(TstProbeServe)
#include "tst_probeserve.moc"
