// The limit options of `expectlab serve` end to end: the binary with its flags, our send command
// as the client, and clear usage errors for bad values.
#include "requirepeer.h"
#include "serveprocess.h"
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>

#include <QTest>
#include <memory>

namespace {
QString binary()
{
    return qEnvironmentVariable("EXPECTLAB_BIN");
}
} // namespace

using testsupport::ServeProcess;

class TestServeLimitsCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badValues_data();
    void badValues();
    void bodyLimitAnswers413();
    void stalledBodyEndsWith408();
    void pipelinedFloodKeepsMemoryBounded_data();
    void pipelinedFloodKeepsMemoryBounded();
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
    QTest::newRow("body-timeout") << QStringList{"--body-timeout", "-1"} << "invalid --body-timeout";
    QTest::newRow("send-timeout") << QStringList{"--send-timeout", "never"} << "invalid --send-timeout";
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
    ServeProcess server;
    QVERIFY2(server.startServe({QStringLiteral("--max-body"), QStringLiteral("1K")}), server.firstLine.constData());
    const QString url = server.url;

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

    server.process.terminate();
    QVERIFY(server.process.waitForFinished(10000));
    QCOMPARE(server.process.exitCode(), 0);
}

// Issue 12, case 8: a head and half a body, then nothing: 408 and a close after --body-timeout,
// so stalled uploads cannot hold every slot of --max-connections.
void TestServeLimitsCli::stalledBodyEndsWith408()
{
    ServeProcess server;
    QVERIFY2(
        server.startServe({QStringLiteral("--body-timeout"), QStringLiteral("500"), QStringLiteral("--head-timeout"),
                           QStringLiteral("2000"), QStringLiteral("--idle-timeout"), QStringLiteral("2000"),
                           QStringLiteral("--max-connections"), QStringLiteral("5")}),
        server.firstLine.constData());
    const quint16 port = quint16(QUrl(server.url).port());
    QList<std::shared_ptr<QTcpSocket>> stalled;
    for (int i = 0; i < 5; ++i) {
        auto s = std::make_shared<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s->waitForConnected(5000));
        s->write("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhalf!");
        QVERIFY(s->waitForBytesWritten(5000));
        stalled << s;
    }
    QElapsedTimer timer;
    timer.start();
    for (const auto &s : std::as_const(stalled)) {
        QTRY_VERIFY_WITH_TIMEOUT(s->state() == QAbstractSocket::UnconnectedState || s->bytesAvailable() > 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(s->state() == QAbstractSocket::UnconnectedState, 5000);
        QVERIFY2(s->readAll().startsWith("HTTP/1.1 408 "), "a 408 before the close");
    }
    QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
    // The slots are free again: a sixth upload is served.
    QProcess send;
    send.start(binary(), {QStringLiteral("send"), server.url, QStringLiteral("--data"), QStringLiteral("ok")});
    QVERIFY(send.waitForFinished(15000));
    QCOMPARE(send.exitCode(), 0);
    server.process.terminate();
    QVERIFY(server.process.waitForFinished(10000));
}

void TestServeLimitsCli::pipelinedFloodKeepsMemoryBounded_data()
{
    QTest::addColumn<bool>("reads");
    QTest::newRow("a client that never reads") << false;
    QTest::newRow("a client that reads") << true;
}

// Issue 12, case 9: 600,000 pipelined GETs on one keep-alive connection took the server from 21 to
// 136 MB, and to 300 MB when the client read nothing. Records and output are bounded now.
void TestServeLimitsCli::pipelinedFloodKeepsMemoryBounded()
{
    QFETCH(bool, reads);
    const QString python = qEnvironmentVariable("EXPECTLAB_PYTHON");
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), QStringLiteral("python3"));
    ServeProcess server;
#ifdef EXPECTLAB_SANITIZED
    // ASan keeps freed memory in quarantine (256 MiB by default): without it the bound still means
    // something, if a looser one (its allocator's overhead).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ASAN_OPTIONS"),
               env.value(QStringLiteral("ASAN_OPTIONS")) + QStringLiteral(":quarantine_size_mb=0"));
    server.process.setProcessEnvironment(env);
    constexpr qint64 kBoundKiB = 192 * 1024;
#else
    constexpr qint64 kBoundKiB = 64 * 1024;
#endif
    QVERIFY2(server.startServe({}), server.firstLine.constData());
    const QString port = QString::number(QUrl(server.url).port());
    auto kb = [&server](const char *field) {
        QFile status(QStringLiteral("/proc/%1/status").arg(server.process.processId()));
        if (!status.open(QIODevice::ReadOnly))
            return qint64(-1);
        for (const QByteArray &l : status.readAll().split('\n')) {
            if (l.startsWith(field))
                return l.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
        }
        return qint64(-1);
    };
    const qint64 before = kb("VmRSS:");
    QVERIFY(before > 0);
    QProcess flood;
    QStringList args{qEnvironmentVariable("EXPECTLAB_SOURCE_DIR") + QStringLiteral("/tests/peers/pipeline_flood.py"),
                     port, QStringLiteral("600000")};
    if (reads)
        args << QStringLiteral("--read");
    flood.start(python, args);
    QVERIFY(flood.waitForStarted(5000));
    QVERIFY2(flood.waitForReadyRead(30000), flood.readAllStandardError().constData());
    QVERIFY(flood.readAll().startsWith("sent "));
    const qint64 peak = kb("VmHWM:");
    qInfo("server RSS %lld KiB before, peak %lld KiB during the flood", before, peak);
    QVERIFY2(peak - before < kBoundKiB, qPrintable(QString::number(peak - before)));
    flood.closeWriteChannel(); // the client goes
    QVERIFY(flood.waitForFinished(10000));
    server.process.terminate();
    QVERIFY(server.process.waitForFinished(10000));
}

QTEST_GUILESS_MAIN(TestServeLimitsCli)
#include "tst_servelimitscli.moc"
