// `expectlab send` against a scripted raw peer on 127.0.0.1 (tests/peers/scripted_server.py) that
// answers as real and broken servers do (issue 12, cases 1-6): real sockets, real segmentation and
// resets, and the command line's contract (exit code, stderr, JSON fields) for each.
#include "peerprocess.h"
#include "requirepeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace testsupport;

class TestClientPeers : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void answers_data();
    void answers();
    void retryAfterA417MidUpload();

private:
    QString m_python;
};

void TestClientPeers::initTestCase()
{
    QVERIFY2(QFileInfo(expectlabBin()).isExecutable(), "EXPECTLAB_BIN is not set");
    m_python = pythonProgram();
}

void TestClientPeers::answers_data()
{
    QTest::addColumn<QString>("script"); // scripted_server.py's JSON: one step list per connection
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("finalStatus");   // 0: none (null in the JSON)
    QTest::addColumn<QString>("errorCode"); // "" : null
    QTest::addColumn<bool>("retried");
    QTest::addColumn<QString>("stderrPart");

    const QStringList body{QStringLiteral("--data"), QStringLiteral("hello")};
    const int none = 0;
    // Case 1 (Caddy 2.6 answers an HTTP/1.0 request so; curl shows the 200).
    QTest::newRow("HTTP/1.0 100, HTTP/1.0 200 and a close")
        << R"([[["head"],["send","HTTP/1.0 100 Continue\r\n\r\n"],["drain",200],["send","HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],["fin"]]])"
        << body << 0 << 200 << "" << false << "";
    QTest::newRow("100 with Connection: close, then 200, server stays open")
        << R"([[["head"],["send","HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n"],["drain",200],["send","HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]]])"
        << body << 0 << 200 << "" << false << "";
    // Case 2: more bytes in the 417's own segment: the retry still happens.
    QTest::newRow("keep-alive 417 and more bytes in one segment")
        << R"([[["head"],["send","HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]],
               [["head"],["drain",100],["send","HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]]])"
        << body << 0 << 200 << "" << true << "";
    QTest::newRow("keep-alive 417, more bytes 200 ms later")
        << R"([[["head"],["send","HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"],["sleep",200],["send","HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]],
               [["head"],["drain",100],["send","HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]]])"
        << body << 0 << 200 << "" << true << "";
    // Case 3: the retry's connection closes with no answer.
    QTest::newRow("retry closed without an answer")
        << R"([[["head"],["send","HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"],["fin"]],
               [["head"],["fin"]]])"
        << body << 1 << none << "closed_early" << true << "before a final response";
    // Case 4: incomplete and invalid responses.
    QTest::newRow("Content-Length 100, 20 bytes, close")
        << R"([[["head"],["send","HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n01234567890123456789"],["fin"]]])"
        << QStringList{} << 1 << 200 << "closed_early" << false << "20 of 100 body bytes";
    QTest::newRow("chunked body that never ends")
        << R"([[["head"],["send","HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"]]])"
        << QStringList{QStringLiteral("--timeout"), QStringLiteral("800")} << 1 << 200 << "timeout" << false
        << "timed out";
    QTest::newRow("status 099") << R"([[["head"],["send","HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n"]]])"
                                << QStringList{} << 1 << none << "invalid_status" << false << "099";
    QTest::newRow("status 600") << R"([[["head"],["send","HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n"]]])"
                                << QStringList{} << 1 << none << "invalid_status" << false << "600";
    // Case 5: a 101 we never asked for.
    QTest::newRow("101 with Upgrade")
        << R"([[["head"],["send","HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"]]])"
        << body << 1 << none << "unexpected_upgrade" << false << "switched protocols";
    QTest::newRow("bare 101") << R"([[["head"],["send","HTTP/1.1 101 Switching Protocols\r\n\r\n"]]])" << body << 1
                              << none << "unexpected_upgrade" << false << "switched protocols";
    // Case 6: resets are resets.
    QTest::newRow("reset before the answer")
        << R"([[["head"],["rst"]]])" << body << 1 << none << "reset" << false << "reset";
}

void TestClientPeers::answers()
{
    QFETCH(QString, script);
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(int, finalStatus);
    QFETCH(QString, errorCode);
    QFETCH(bool, retried);
    QFETCH(QString, stderrPart);
    EXPECTLAB_REQUIRE_PEER(!m_python.isEmpty(), QStringLiteral("python3"));
    Peer peer;
    QVERIFY(peer.start(m_python, {sourceDir() + QStringLiteral("/tests/peers/scripted_server.py"), script}));
    const QString url = peer.waitForListening();
    QVERIFY2(!url.isEmpty(), qPrintable(peer.output()));

    const RunResult r =
        run(expectlabBin(),
            QStringList{QStringLiteral("send"), url + QStringLiteral("up"), QStringLiteral("--json")} + args, 20000);
    const QString why =
        QStringLiteral("exit %1\n%2\n%3").arg(r.exitCode).arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
    QCOMPARE(r.exitCode, exitCode);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(!o.isEmpty(), qPrintable(why));
    QCOMPARE(o.value(QStringLiteral("final_status")).toInt(0), finalStatus);
    QCOMPARE(o.value(QStringLiteral("final_status")).isNull(), finalStatus == 0);
    QCOMPARE(o.value(QStringLiteral("error_code")).toString(), errorCode);
    QCOMPARE(o.value(QStringLiteral("retried")).toBool(), retried);
    QCOMPARE(o.value(QStringLiteral("error")).isNull(), exitCode == 0);
    QVERIFY2(QString::fromUtf8(r.err).contains(stderrPart), qPrintable(why));
    if (exitCode == 0)
        QVERIFY2(r.err.isEmpty(), qPrintable(why));
    // One failure, one error event: what follows it is its consequence (case 6).
    int errors = 0;
    for (const QJsonValue &v : o.value(QStringLiteral("events")).toArray())
        errors += v.toObject().value(QStringLiteral("kind")).toString() == QLatin1String("error");
    QCOMPARE(errors, exitCode == 0 ? 0 : 1);
    QVERIFY(!r.out.contains("HPE_"));
    QVERIFY(!o.value(QStringLiteral("outcome_code")).toString().isEmpty());
}

void TestClientPeers::retryAfterA417MidUpload()
{
    // The body goes at once (--expect-timeout 0) and the 417 arrives while it is being written: what
    // the first attempt left in the socket must not be counted for the retry (which then took every
    // answer for bytes "before the request").
    Peer serve;
    QVERIFY(
        serve.start(expectlabBin(), {QStringLiteral("serve"), QStringLiteral("--policy"), QStringLiteral("reject")}));
    const QString url = serve.waitForListening();
    QVERIFY2(!url.isEmpty(), qPrintable(serve.output()));
    const RunResult r = run(expectlabBin(),
                            {QStringLiteral("send"), url + QStringLiteral("up"), QStringLiteral("--json"),
                             QStringLiteral("--data-size"), QStringLiteral("20M"), QStringLiteral("--expect-timeout"),
                             QStringLiteral("0")},
                            30000);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(r.exitCode == 0, qPrintable(QString::fromUtf8(r.err)));
    QVERIFY(o.value(QStringLiteral("retried")).toBool());
    QCOMPARE(o.value(QStringLiteral("final_status")).toInt(), 200);
    QCOMPARE(o.value(QStringLiteral("earlier_attempts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("final_status"))
                 .toInt(),
             417);
}

QTEST_GUILESS_MAIN(TestClientPeers)
#include "tst_clientpeers.moc"
