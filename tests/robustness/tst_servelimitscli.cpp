// The limit options of `expectlab serve` end to end: the binary with its flags, our send command
// as the client, and clear usage errors for bad values.
#include <QProcess>
#include <QTest>

namespace {
QString binary()
{
    return qEnvironmentVariable("EXPECTLAB_BIN");
}
} // namespace

class TestServeLimitsCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badValues_data();
    void badValues();
    void bodyLimitAnswers413();
};

void TestServeLimitsCli::initTestCase()
{
    QVERIFY2(QFile::exists(binary()), "EXPECTLAB_BIN must name the built expectlab");
}

void TestServeLimitsCli::badValues_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("max-body") << QStringList{"--max-body", "lots"} << "invalid --max-body";
    QTest::newRow("max-head") << QStringList{"--max-head", "-1"} << "invalid --max-head";
    QTest::newRow("head-timeout") << QStringList{"--head-timeout", "-5"} << "invalid --head-timeout";
    QTest::newRow("idle-timeout") << QStringList{"--idle-timeout", "soon"} << "invalid --idle-timeout";
    QTest::newRow("max-connections") << QStringList{"--max-connections", "x"} << "invalid --max-connections";
    QTest::newRow("interim code") << QStringList{"--policy", "interim:99"} << "interim needs";
    QTest::newRow("unknown misbehaviour") << QStringList{"--policy", "explode"} << "unknown policy";
}

void TestServeLimitsCli::badValues()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QProcess p;
    p.start(binary(), QStringList{QStringLiteral("serve")} + args);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY(p.readAllStandardOutput().isEmpty()); // no "listening" line when it cannot start
}

void TestServeLimitsCli::bodyLimitAnswers413()
{
    QProcess server;
    server.start(binary(), {QStringLiteral("serve"), QStringLiteral("--max-body"), QStringLiteral("1K")});
    QVERIFY(server.waitForReadyRead(10000));
    const QByteArray line = server.readLine().trimmed();
    QVERIFY2(line.startsWith("listening http://127.0.0.1:"), line.constData());
    const QString url = QString::fromLatin1(line.mid(10));

    QProcess send;
    send.start(binary(), {QStringLiteral("send"), url, QStringLiteral("--data-size"), QStringLiteral("4K"),
                          QStringLiteral("--json")});
    QVERIFY(send.waitForFinished(15000));
    QCOMPARE(send.exitCode(), 0); // a final response came, whatever its status
    const QByteArray out = send.readAllStandardOutput();
    QVERIFY2(out.contains("\"final_status\": 413"), out.constData());
    QVERIFY2(out.contains("\"body_bytes_sent\": 0"), out.constData()); // R11: refused before the body

    QProcess small;
    small.start(binary(), {QStringLiteral("send"), url, QStringLiteral("--data-size"), QStringLiteral("512"),
                           QStringLiteral("--json")});
    QVERIFY(small.waitForFinished(15000));
    QVERIFY(small.readAllStandardOutput().contains("\"final_status\": 200"));

    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServeLimitsCli)
#include "tst_servelimitscli.moc"
