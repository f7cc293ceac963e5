// The command line as other programs see it: the built binary run with QProcess (path in
// EXPECTLAB_BIN), its stdout, stderr and exit codes, and real peers: curl as a client of
// `expectlab serve`, and `expectlab send` against Python's http.server (tests/peers/).
#include "peerprocess.h"
#include "requirepeer.h"
#include "serveprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>

#include <QUrl>

#include <cmath>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace {

constexpr int kProcessMs = 20000; // bound for one short-lived process; they take ~50 ms

const QStringList kClientKinds{
    QStringLiteral("connect"),   QStringLiteral("connected"),      QStringLiteral("head_sent"),
    QStringLiteral("interim"),   QStringLiteral("expect_timeout"), QStringLiteral("body_start"),
    QStringLiteral("body_done"), QStringLiteral("final"),          QStringLiteral("response_done"),
    QStringLiteral("retry"),     QStringLiteral("closed"),         QStringLiteral("error")};
const QStringList kServerKinds{QStringLiteral("accepted"),     QStringLiteral("head"),
                               QStringLiteral("interim_sent"), QStringLiteral("body_start"),
                               QStringLiteral("body_done"),    QStringLiteral("final_sent"),
                               QStringLiteral("closed"),       QStringLiteral("error")};

using testsupport::RunResult;
using testsupport::ServeProcess;

RunResult run(const QString &program, const QStringList &args, int timeoutMs = kProcessMs)
{
    return testsupport::run(program, args, timeoutMs);
}

QStringList kindsOf(const QJsonArray &events)
{
    QStringList kinds;
    for (const QJsonValue &v : events)
        kinds << v.toObject().value(QStringLiteral("kind")).toString();
    return kinds;
}

// The documented server kinds only. serve --events also prints `profile` events (the client
// profiler of issue 4), an extension beyond issue 2's list of kinds.
QStringList kindsOf(const QList<QJsonObject> &events)
{
    QStringList kinds;
    for (const QJsonObject &o : events) {
        const QString kind = o.value(QStringLiteral("kind")).toString();
        if (kind != QLatin1String("profile"))
            kinds << kind;
    }
    return kinds;
}

QList<QJsonObject> withoutProfiles(const QList<QJsonObject> &events)
{
    QList<QJsonObject> out;
    for (const QJsonObject &o : events) {
        if (o.value(QStringLiteral("kind")).toString() != QLatin1String("profile"))
            out << o;
    }
    return out;
}

bool isMicrosecondPrecise(double ms)
{
    const double us = ms * 1000.0;
    return qAbs(us - std::round(us)) < 1e-6;
}

// A port on 127.0.0.1 nobody listens on: bound, then released.
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void version();
    void help();
    void serveListensAndStopsOnSignal_data();
    void serveListensAndStopsOnSignal();
    void serveEventsAreJsonLines();
    void sendJsonDocument_data();
    void sendJsonDocument();
    void sendReadableTimeline();
    void exitCodes_data();
    void exitCodes();
    void usageErrors_data();
    void usageErrors();

    void curlAgainstServe_data();
    void curlAgainstServe();
    void sendAgainstPythonPeer_data();
    void sendAgainstPythonPeer();

private:
    QString m_bin;
    QString m_sourceDir;
    QString m_python; // the interpreter itself, not a wrapper: terminate() must reach it
    QString m_curl;
};

void TestCli::initTestCase()
{
    m_bin = qEnvironmentVariable("EXPECTLAB_BIN");
    QVERIFY2(!m_bin.isEmpty() && QFileInfo(m_bin).isExecutable(), "EXPECTLAB_BIN must name the built expectlab");
    m_sourceDir = testsupport::sourceDir();

    m_curl = testsupport::findProgram(QStringLiteral("curl"));

    // EXPECTLAB_PYTHON may be a wrapper (pyenv shims fork): ask it for the real interpreter so that
    // stopping the peer stops the server itself.
    const QString python = testsupport::pythonProgram();
    if (!python.isEmpty()) {
        const RunResult r = run(python, {QStringLiteral("-c"), QStringLiteral("import sys; print(sys.executable)")});
        if (r.finished && r.exitCode == 0)
            m_python = QString::fromUtf8(r.out).trimmed();
    }
}

void TestCli::version()
{
    const RunResult r = run(m_bin, {QStringLiteral("--version")});
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(QRegularExpression(QStringLiteral("^expectlab \\d+\\.\\d+\\.\\d+\\n$"))
                 .match(QString::fromUtf8(r.out))
                 .hasMatch(),
             r.out.constData());
    QVERIFY(r.err.isEmpty());
}

void TestCli::help()
{
    for (const QString &flag : {QStringLiteral("--help"), QStringLiteral("-h")}) {
        const RunResult r = run(m_bin, {flag});
        QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
        for (const char *text : {"serve", "send", "--policy", "--expect-timeout", "--json", "Exit codes"})
            QVERIFY2(r.out.contains(text), text);
    }
    for (const QString &command : {QStringLiteral("serve"), QStringLiteral("send")}) {
        const RunResult r = run(m_bin, {command, QStringLiteral("--help")});
        QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY(r.out.contains("--"));
    }
}

void TestCli::serveListensAndStopsOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QStringList>("args");
#ifdef Q_OS_UNIX
    QTest::newRow("SIGTERM") << int(SIGTERM) << QStringList{};
    QTest::newRow("SIGINT") << int(SIGINT) << QStringList{};
    QTest::newRow("SIGTERM, --policy reject --events")
        << int(SIGTERM)
        << QStringList{QStringLiteral("--policy"), QStringLiteral("reject"), QStringLiteral("--events")};
#endif
}

void TestCli::serveListensAndStopsOnSignal()
{
#ifndef Q_OS_UNIX
    QSKIP("signals are Unix only");
#else
    QFETCH(int, signalNumber);
    QFETCH(QStringList, args);

    ServeProcess serve;
    QVERIFY2(serve.start(m_bin, QStringList{QStringLiteral("serve")} + args),
             serve.firstLine.isEmpty() ? serve.process.readAllStandardError().constData()
                                       : serve.firstLine.constData());
    // Exactly one line, flushed at once, and the port really serves. The answer also proves that the
    // event loop runs: `serve` installs its signal handlers only after printing the listening line,
    // so a signal sent right after that line can still kill it (reported to the lead).
    const quint16 port = QUrl(serve.url).port();
    QVERIFY(port > 0);
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(probe.waitForConnected(kProcessMs));
    probe.write("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += probe.readAll()).contains("\r\n\r\n"), kProcessMs);
    QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.constData());
    probe.abort();

    if (signalNumber == SIGTERM)
        serve.process.terminate();
    else
        QCOMPARE(::kill(pid_t(serve.process.processId()), signalNumber), 0);
    QVERIFY(serve.process.waitForFinished(kProcessMs));
    QCOMPARE(serve.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.process.exitCode(), 0);
    // Nothing but JSON event lines may follow the listening line.
    const QList<QByteArray> rest = serve.process.readAllStandardOutput().split('\n');
    for (const QByteArray &line : rest) {
        if (!line.isEmpty())
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
    }
#endif
}

void TestCli::serveEventsAreJsonLines()
{
    ServeProcess serve;
    QVERIFY(serve.start(m_bin, {QStringLiteral("serve"), QStringLiteral("--events")}));
    const RunResult send =
        run(m_bin, {QStringLiteral("send"), serve.url, QStringLiteral("--data"), QStringLiteral("hello")});
    QVERIFY2(send.finished && send.exitCode == 0, qPrintable(send.describe()));

    QList<QJsonObject> allEvents;
    QVERIFY2(serve.eventsUntil(&allEvents, QStringLiteral("closed"), 1, QDeadlineTimer(kProcessMs)),
             qPrintable(kindsOf(allEvents).join(QLatin1Char(' '))));
    const QList<QJsonObject> events = withoutProfiles(allEvents);
    QCOMPARE(kindsOf(events),
             (QStringList{QStringLiteral("accepted"), QStringLiteral("head"), QStringLiteral("interim_sent"),
                          QStringLiteral("body_start"), QStringLiteral("body_done"), QStringLiteral("final_sent"),
                          QStringLiteral("closed")}));

    const QSet<QString> documented{QStringLiteral("t_ms"),  QStringLiteral("side"),   QStringLiteral("conn"),
                                   QStringLiteral("kind"),  QStringLiteral("status"), QStringLiteral("bytes"),
                                   QStringLiteral("detail")};
    double lastT = 0;
    for (const QJsonObject &o : allEvents) {
        const QString line = QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
        // Every documented field is present, null when it does not apply.
        for (const QString &key : documented)
            QVERIFY2(o.contains(key), qPrintable(key + QStringLiteral(" missing in ") + line));
        QVERIFY2(o.value(QStringLiteral("t_ms")).isDouble(), qPrintable(line));
        QVERIFY(o.value(QStringLiteral("t_ms")).toDouble() >= lastT);
        lastT = o.value(QStringLiteral("t_ms")).toDouble();
        QCOMPARE(o.value(QStringLiteral("side")).toString(), QStringLiteral("server"));
        QVERIFY(o.value(QStringLiteral("conn")).isDouble());
        QCOMPARE(o.value(QStringLiteral("conn")).toInt(), 1);
        const QString kind = o.value(QStringLiteral("kind")).toString();
        QVERIFY2(kServerKinds.contains(kind) || kind == QLatin1String("profile"), qPrintable(line));
        QVERIFY2(o.value(QStringLiteral("status")).isNull() || o.value(QStringLiteral("status")).isDouble(),
                 qPrintable(line));
        QVERIFY2(o.value(QStringLiteral("bytes")).isNull() || o.value(QStringLiteral("bytes")).isDouble(),
                 qPrintable(line));
        QVERIFY2(o.value(QStringLiteral("detail")).isNull() || o.value(QStringLiteral("detail")).isString(),
                 qPrintable(line));
    }
    QCOMPARE(events.at(2).value(QStringLiteral("status")).toInt(), 100);
    QVERIFY(events.at(0).value(QStringLiteral("status")).isNull());
    QCOMPARE(events.at(4).value(QStringLiteral("bytes")).toInteger(), 5);
    QCOMPARE(events.at(5).value(QStringLiteral("status")).toInt(), 200);
}

void TestCli::sendJsonDocument_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QList<int>>("interims");
    QTest::addColumn<int>("finalStatus");
    QTest::addColumn<bool>("expectSent");
    QTest::addColumn<bool>("retried");
    QTest::addColumn<qint64>("bodySent");
    QTest::addColumn<QString>("expectValue");

    const QString data = QStringLiteral("--data");
    const QString hello = QStringLiteral("hello");
    QTest::newRow("continue") << "continue" << QStringList{data, hello} << 0 << QList<int>{100} << 200 << true << false
                              << qint64(5) << "100-continue";
    QTest::newRow("continue, --no-expect") << "continue" << QStringList{data, hello, QStringLiteral("--no-expect")} << 0
                                           << QList<int>{} << 200 << false << false << qint64(5) << "100-continue";
    QTest::newRow("reject, retried") << "reject" << QStringList{data, hello} << 0 << QList<int>{} << 200 << true << true
                                     << qint64(5) << "100-continue";
    // A 417 is a final response: exit 0 like any other.
    QTest::newRow("reject, --no-retry") << "reject" << QStringList{data, hello, QStringLiteral("--no-retry")} << 0
                                        << QList<int>{} << 417 << true << false << qint64(0) << "100-continue";
    QTest::newRow("final:413, generated body")
        << "final:413" << QStringList{QStringLiteral("--data-size"), QStringLiteral("64K")} << 0 << QList<int>{} << 413
        << true << false << qint64(0) << "100-continue";
    QTest::newRow("ignore, --expect-timeout 200")
        << "ignore" << QStringList{data, hello, QStringLiteral("--expect-timeout"), QStringLiteral("200")} << 0
        << QList<int>{} << 200 << true << false << qint64(5) << "100-continue";
    QTest::newRow("GET without body") << "continue" << QStringList{} << 0 << QList<int>{} << 200 << false << false
                                      << qint64(0) << "100-continue";
    // No final response: exit 1, and the document still says why.
    QTest::newRow("close") << "close" << QStringList{data, hello} << 1 << QList<int>{} << 0 << true << false
                           << qint64(0) << "100-continue";
    // R1 then R6: an unknown expectation gets 417, the retry without it gets 200.
    QTest::newRow("--expect-value x-unknown")
        << "continue" << QStringList{data, hello, QStringLiteral("--expect-value"), QStringLiteral("x-unknown")} << 0
        << QList<int>{} << 200 << true << true << qint64(5) << "x-unknown";
    // Works as root; elsewhere it warns on stderr and the exchange is the same.
    QTest::newRow("continue, --precise-timing")
        << "continue" << QStringList{data, hello, QStringLiteral("--precise-timing")} << 0 << QList<int>{100} << 200
        << true << false << qint64(5) << "100-continue";
    QTest::newRow("--expect without body (R2 test)")
        << "continue" << QStringList{QStringLiteral("--expect")} << 0 << QList<int>{} << 200 << true << false
        << qint64(0) << "100-continue";
}

void TestCli::sendJsonDocument()
{
    QFETCH(QString, policy);
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QList<int>, interims);
    QFETCH(int, finalStatus);
    QFETCH(bool, expectSent);
    QFETCH(bool, retried);
    QFETCH(qint64, bodySent);
    QFETCH(QString, expectValue);
    const QString data = QStringLiteral("--data");

    ServeProcess serve;
    QVERIFY(serve.start(m_bin, {QStringLiteral("serve"), QStringLiteral("--policy"), policy}));
    const QString url = serve.url + QStringLiteral("upload?x=1");
    const RunResult r = run(m_bin, QStringList{QStringLiteral("send"), url, QStringLiteral("--json")} + args);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit && r.exitCode == exitCode, qPrintable(r.describe()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &parseError);
    QVERIFY2(doc.isObject(), qPrintable(parseError.errorString() + QLatin1Char('\n') + r.describe()));
    const QJsonObject o = doc.object();

    // Every documented field, with its type.
    for (const char *key : {"url", "method", "request_headers", "body_bytes", "events", "interim_statuses",
                            "final_status", "expect_wait_ms", "body_bytes_sent", "retried", "error"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QCOMPARE(o.value(QStringLiteral("url")).toString(), url);
    const bool hasBody = args.contains(data) || args.contains(QStringLiteral("--data-size"));
    QCOMPARE(o.value(QStringLiteral("method")).toString(), hasBody ? QStringLiteral("POST") : QStringLiteral("GET"));

    QVERIFY(o.value(QStringLiteral("request_headers")).isArray());
    bool hasExpect = false;
    for (const QJsonValue &h : o.value(QStringLiteral("request_headers")).toArray()) {
        QVERIFY(h.isArray());
        const QJsonArray pair = h.toArray();
        QCOMPARE(pair.size(), 2);
        QVERIFY(pair.at(0).isString() && pair.at(1).isString());
        if (pair.at(0).toString().compare(QLatin1String("Expect"), Qt::CaseInsensitive) == 0) {
            hasExpect = true;
            QCOMPARE(pair.at(1).toString(), expectValue);
        }
    }
    QCOMPARE(hasExpect, expectSent);

    QVERIFY(o.value(QStringLiteral("body_bytes")).isDouble());
    QCOMPARE(o.value(QStringLiteral("body_bytes")).toInteger(),
             args.contains(QStringLiteral("64K")) ? 65536 : (hasBody ? 5 : 0));
    QVERIFY(o.value(QStringLiteral("body_bytes_sent")).isDouble());
    QCOMPARE(o.value(QStringLiteral("body_bytes_sent")).toInteger(), bodySent);
    QVERIFY(o.value(QStringLiteral("retried")).isBool());
    QCOMPARE(o.value(QStringLiteral("retried")).toBool(), retried);

    QVERIFY(o.value(QStringLiteral("interim_statuses")).isArray());
    QList<int> actualInterims;
    for (const QJsonValue &v : o.value(QStringLiteral("interim_statuses")).toArray()) {
        QVERIFY(v.isDouble());
        actualInterims << v.toInt();
    }
    QCOMPARE(actualInterims, interims);

    const QJsonValue final = o.value(QStringLiteral("final_status"));
    if (finalStatus == 0) {
        QVERIFY(final.isNull());
        QVERIFY(o.value(QStringLiteral("error")).isString());
        QVERIFY(!o.value(QStringLiteral("error")).toString().isEmpty());
        QVERIFY2(!r.err.isEmpty(), "the reason goes to stderr");
    } else {
        QVERIFY(final.isDouble());
        QCOMPARE(final.toInt(), finalStatus);
        QVERIFY(o.value(QStringLiteral("error")).isNull());
    }

    // expect_wait_ms: a number from head_sent to the first answer when Expect was sent, else null.
    const QJsonValue wait = o.value(QStringLiteral("expect_wait_ms"));
    if (expectSent && finalStatus != 0) {
        QVERIFY(wait.isDouble());
        QVERIFY(isMicrosecondPrecise(wait.toDouble()));
        if (args.contains(QStringLiteral("--expect-timeout")))
            QVERIFY2(wait.toDouble() >= 200.0, qPrintable(QString::number(wait.toDouble())));
    } else if (!expectSent) {
        QVERIFY(wait.isNull());
    }

    QVERIFY(o.value(QStringLiteral("events")).isArray());
    const QJsonArray events = o.value(QStringLiteral("events")).toArray();
    QVERIFY(events.size() >= 4);
    double lastT = 0;
    for (const QJsonValue &v : events) {
        QVERIFY(v.isObject());
        const QJsonObject e = v.toObject();
        const QString line = QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact));
        QVERIFY2(e.value(QStringLiteral("t_ms")).isDouble(), qPrintable(line));
        const double t = e.value(QStringLiteral("t_ms")).toDouble();
        QVERIFY2(t >= lastT && isMicrosecondPrecise(t), qPrintable(line));
        lastT = t;
        QCOMPARE(e.value(QStringLiteral("side")).toString(), QStringLiteral("client"));
        QVERIFY2(kClientKinds.contains(e.value(QStringLiteral("kind")).toString()), qPrintable(line));
        // status, bytes and detail appear only when they apply.
        if (e.contains(QStringLiteral("status")))
            QVERIFY2(e.value(QStringLiteral("status")).isDouble(), qPrintable(line));
        if (e.contains(QStringLiteral("bytes")))
            QVERIFY2(e.value(QStringLiteral("bytes")).isDouble(), qPrintable(line));
        if (e.contains(QStringLiteral("detail")))
            QVERIFY2(e.value(QStringLiteral("detail")).isString(), qPrintable(line));
    }
    const QStringList kinds = kindsOf(events);
    QCOMPARE(kinds.first(), QStringLiteral("connect"));
    QCOMPARE(kinds.last(), QStringLiteral("closed"));
    QCOMPARE(kinds.contains(QStringLiteral("retry")), retried);
    QCOMPARE(kinds.count(QStringLiteral("connect")), retried ? 2 : 1);
    QCOMPARE(kinds.contains(QStringLiteral("expect_timeout")), args.contains(QStringLiteral("--expect-timeout")));
    if (retried) {
        // Both attempts, in order: the 417, the retry, then the second attempt's 200.
        const int retryAt = kinds.indexOf(QStringLiteral("retry"));
        QVERIFY(kinds.indexOf(QStringLiteral("final")) < retryAt);
        QCOMPARE(events.at(kinds.indexOf(QStringLiteral("final"))).toObject().value(QStringLiteral("status")).toInt(),
                 417);
        QCOMPARE(
            events.at(kinds.lastIndexOf(QStringLiteral("final"))).toObject().value(QStringLiteral("status")).toInt(),
            200);
        QVERIFY(kinds.lastIndexOf(QStringLiteral("final")) > retryAt);
    }
}

void TestCli::sendReadableTimeline()
{
    ServeProcess serve;
    QVERIFY(serve.start(m_bin, {QStringLiteral("serve")}));
    const RunResult r = run(m_bin, {QStringLiteral("send"), serve.url, QStringLiteral("--data"), QStringLiteral("hi")});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));

    QList<QByteArray> lines = r.out.split('\n');
    QVERIFY(lines.size() >= 2);
    QCOMPARE(lines.takeLast(), QByteArray()); // ends with a newline
    const QByteArray summary = lines.takeLast();
    QVERIFY2(summary.startsWith("-- 200"), summary.constData());
    // One event a line, the times right-aligned in one column.
    static const QRegularExpression re(QStringLiteral("^( *\\d+\\.\\d{3}) ms  client  (\\w+)\\b"));
    QStringList kinds;
    qsizetype timeWidth = -1;
    for (const QByteArray &line : std::as_const(lines)) {
        const auto m = re.match(QString::fromUtf8(line));
        QVERIFY2(m.hasMatch(), line.constData());
        if (timeWidth < 0)
            timeWidth = m.capturedLength(1);
        QCOMPARE(m.capturedLength(1), timeWidth);
        kinds << m.captured(2);
    }
    QCOMPARE(kinds.join(QLatin1Char(' ')),
             QStringLiteral("connect connected head_sent interim body_start body_done final response_done closed"));
}

void TestCli::exitCodes_data()
{
    QTest::addColumn<QString>("target"); // a serve policy, or "refused" for a port nobody listens on
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrPattern"); // empty: stderr must be empty

    QTest::newRow("200") << "continue" << QStringList{QStringLiteral("--data"), QStringLiteral("x")} << 0 << QString();
    QTest::newRow("417 with --no-retry") << "reject"
                                         << QStringList{QStringLiteral("--data"), QStringLiteral("x"),
                                                        QStringLiteral("--no-retry")}
                                         << 0 << QString();
    QTest::newRow("413") << "final:413" << QStringList{QStringLiteral("--data"), QStringLiteral("x")} << 0 << QString();
    QTest::newRow("refused") << "refused" << QStringList{QStringLiteral("--data"), QStringLiteral("x")} << 1
                             << QStringLiteral("(?i)^expectlab: .*refused");
    QTest::newRow("refused, --json") << "refused" << QStringList{QStringLiteral("--json")} << 1
                                     << QStringLiteral("(?i)^expectlab: .*refused");
    QTest::newRow("closed without response") << "close" << QStringList{QStringLiteral("--data"), QStringLiteral("x")}
                                             << 1 << QStringLiteral("^expectlab: .*closed");
}

void TestCli::exitCodes()
{
    QFETCH(QString, target);
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrPattern);

    ServeProcess serve;
    QString url;
    if (target == QLatin1String("refused")) {
        const quint16 port = closedPort();
        QVERIFY(port > 0);
        url = QStringLiteral("http://127.0.0.1:%1/").arg(port);
    } else {
        QVERIFY(serve.start(m_bin, {QStringLiteral("serve"), QStringLiteral("--policy"), target}));
        url = serve.url;
    }
    const RunResult r = run(m_bin, QStringList{QStringLiteral("send"), url} + args);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit, qPrintable(r.describe()));
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    if (stderrPattern.isEmpty())
        QVERIFY2(r.err.isEmpty(), r.err.constData());
    else
        QVERIFY2(QRegularExpression(stderrPattern).match(QString::fromUtf8(r.err)).hasMatch(), r.err.constData());
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrPattern");

    // Nobody listens on port 9 here, and nothing may be sent anyway: usage errors come first.
    const QString url = QStringLiteral("http://127.0.0.1:9/");
    const QString send = QStringLiteral("send");
    QTest::newRow("ftp URL") << QStringList{send, QStringLiteral("ftp://x")} << QStringLiteral("ftp");
    QTest::newRow("URL without host") << QStringList{send, QStringLiteral("http://")}
                                      << QStringLiteral("(?i)invalid URL");
    QTest::newRow("not a URL") << QStringList{send, QStringLiteral("not a url")} << QStringLiteral("(?i)invalid URL");
    QTest::newRow("missing URL") << QStringList{send} << QStringLiteral("(?i)URL");
    QTest::newRow("unknown send flag") << QStringList{send, url, QStringLiteral("--bogus")} << QStringLiteral("bogus");
    QTest::newRow("unknown serve flag") << QStringList{QStringLiteral("serve"), QStringLiteral("--bogus")}
                                        << QStringLiteral("bogus");
    QTest::newRow("unknown global flag") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("bogus");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
    for (const char *policy : {"bogus", "delay:abc", "delay:-1", "final:99", "final:", "continue:1"}) {
        QTest::addRow("bad --policy %s", policy)
            << QStringList{QStringLiteral("serve"), QStringLiteral("--policy"), QString::fromLatin1(policy)}
            << QStringLiteral("(?i)policy|delay|final|continue");
    }
    QTest::newRow("missing --data-file") << QStringList{send, url, QStringLiteral("--data-file"),
                                                        QStringLiteral("/nonexistent/expectlab-body")}
                                         << QStringLiteral("/nonexistent/expectlab-body");
    QTest::newRow("directory as --data-file") << QStringList{send, url, QStringLiteral("--data-file"), QDir::tempPath()}
                                              << QRegularExpression::escape(QDir::tempPath());
    QTest::newRow("--data with --data-size") << QStringList{send,
                                                            url,
                                                            QStringLiteral("--data"),
                                                            QStringLiteral("x"),
                                                            QStringLiteral("--data-size"),
                                                            QStringLiteral("3")}
                                             << QStringLiteral("exclude");
    QTest::newRow("--data with --data-file") << QStringList{send,
                                                            url,
                                                            QStringLiteral("--data"),
                                                            QStringLiteral("x"),
                                                            QStringLiteral("--data-file"),
                                                            QStringLiteral("/etc/hostname")}
                                             << QStringLiteral("exclude");
    for (const char *timeout : {"abc", "-5", "1.5", ""}) {
        QTest::addRow("--expect-timeout '%s'", timeout) << QStringList{send,
                                                                       url,
                                                                       QStringLiteral("--data"),
                                                                       QStringLiteral("x"),
                                                                       QStringLiteral("--expect-timeout"),
                                                                       QString::fromLatin1(timeout)}
                                                        << QStringLiteral("expect-timeout");
    }
    QTest::newRow("bad --data-size") << QStringList{send, url, QStringLiteral("--data-size"), QStringLiteral("12X")}
                                     << QStringLiteral("data-size");
    QTest::newRow("--expect with --no-expect")
        << QStringList{send, url, QStringLiteral("--expect"), QStringLiteral("--no-expect")}
        << QStringLiteral("exclude");
    QTest::newRow("bad serve port") << QStringList{QStringLiteral("serve"), QStringLiteral("--port"),
                                                   QStringLiteral("70000")}
                                    << QStringLiteral("70000");
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrPattern);

    const RunResult r = run(m_bin, args);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit, qPrintable(r.describe()));
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(QLatin1String("expectlab: ")), qPrintable(err));
    QVERIFY2(QRegularExpression(stderrPattern).match(err).hasMatch(), qPrintable(err));
    // A usage error never starts the server or the exchange.
    QVERIFY2(!r.out.contains("listening") && !r.out.contains("connect"), r.out.constData());
}

void TestCli::curlAgainstServe_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("bigBody"); // over 1 MiB curl sends Expect by itself; else we ask for it
    QTest::addColumn<int>("httpCode");

    for (bool big : {false, true}) {
        const char *how = big ? "body over 1 MiB" : "Expect header";
        QTest::addRow("continue, %s", how) << "continue" << big << 200;
        QTest::addRow("reject, %s", how) << "reject" << big << 417;
    }
}

void TestCli::curlAgainstServe()
{
    QFETCH(QString, policy);
    QFETCH(bool, bigBody);
    QFETCH(int, httpCode);
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), QStringLiteral("curl"));

    ServeProcess serve;
    QVERIFY(
        serve.start(m_bin, {QStringLiteral("serve"), QStringLiteral("--policy"), policy, QStringLiteral("--events")}));

    QStringList args{QStringLiteral("-sS"),       QStringLiteral("-v"), QStringLiteral("-o"),
                     QStringLiteral("/dev/null"), QStringLiteral("-w"), QStringLiteral("%{http_code}")};
    QTemporaryFile body;
    qint64 bodySize = 5;
    if (bigBody) {
        // curl adds Expect only above 1 MiB: exactly 1,048,576 bytes would not do.
        bodySize = 1024 * 1024 + 1;
        QVERIFY(body.open());
        QCOMPARE(body.write(QByteArray(bodySize, 'b')), bodySize);
        QVERIFY(body.flush());
        args << QStringLiteral("--data-binary") << QLatin1Char('@') + body.fileName();
    } else {
        args << QStringLiteral("-H") << QStringLiteral("Expect: 100-continue") << QStringLiteral("--data-binary")
             << QStringLiteral("hello");
    }
    args << serve.url;
    const RunResult r = run(m_curl, args);
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray::number(httpCode));
    // curl -v: '>' lines are what it sent, '<' lines what it received.
    QVERIFY2(r.err.contains("\n> Expect: 100-continue"), r.err.constData());
    QCOMPARE(r.err.contains("\n< HTTP/1.1 100 Continue"), httpCode == 200);
    QVERIFY2(r.err.contains("\n< HTTP/1.1 " + QByteArray::number(httpCode)), r.err.constData());

    // The server's side of the same exchange.
    QList<QJsonObject> allEvents;
    QVERIFY2(serve.eventsUntil(&allEvents, QStringLiteral("closed"), 1, QDeadlineTimer(kProcessMs)),
             qPrintable(kindsOf(allEvents).join(QLatin1Char(' '))));
    const QList<QJsonObject> events = withoutProfiles(allEvents);
    const QStringList kinds = kindsOf(events);
    if (httpCode == 200) {
        QCOMPARE(kinds, (QStringList{QStringLiteral("accepted"), QStringLiteral("head"), QStringLiteral("interim_sent"),
                                     QStringLiteral("body_start"), QStringLiteral("body_done"),
                                     QStringLiteral("final_sent"), QStringLiteral("closed")}));
        QCOMPARE(events.at(4).value(QStringLiteral("bytes")).toInteger(), bodySize);
    } else {
        // curl does not retry on this connection: our 417 says Connection: close.
        QCOMPARE(kinds, (QStringList{QStringLiteral("accepted"), QStringLiteral("head"), QStringLiteral("final_sent"),
                                     QStringLiteral("closed")}));
    }
    QCOMPARE(events.at(kinds.indexOf(QStringLiteral("final_sent"))).value(QStringLiteral("status")).toInt(), httpCode);
}

void TestCli::sendAgainstPythonPeer_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QList<int>>("interims");
    QTest::addColumn<qint64>("bodySize");

    QTest::newRow("Expect, Content-Length")
        << QStringList{QStringLiteral("--data-size"), QStringLiteral("100K")} << QList<int>{100} << qint64(100 * 1024);
    QTest::newRow("Expect, chunked") << QStringList{QStringLiteral("--data-size"), QStringLiteral("100K"),
                                                    QStringLiteral("--chunked")}
                                     << QList<int>{100} << qint64(100 * 1024);
    QTest::newRow("Expect, text, PUT") << QStringList{QStringLiteral("-X"), QStringLiteral("PUT"),
                                                      QStringLiteral("--data"), QStringLiteral("hello python")}
                                       << QList<int>{100} << qint64(12);
    QTest::newRow("no Expect") << QStringList{QStringLiteral("--data-size"), QStringLiteral("100K"),
                                              QStringLiteral("--no-expect")}
                               << QList<int>{} << qint64(100 * 1024);
}

// http.server with protocol_version HTTP/1.1 sends 100 Continue itself, before the handler runs.
void TestCli::sendAgainstPythonPeer()
{
    QFETCH(QStringList, args);
    QFETCH(QList<int>, interims);
    QFETCH(qint64, bodySize);
    EXPECTLAB_REQUIRE_PEER(!m_python.isEmpty(), QStringLiteral("python3"));

    ServeProcess peer;
    const QString script = m_sourceDir + QStringLiteral("/tests/peers/http11_server.py");
    QVERIFY2(QFileInfo::exists(script), qPrintable(script));
    QVERIFY2(peer.start(m_python, {script}),
             qPrintable(QString::fromUtf8(peer.firstLine + peer.process.readAllStandardError())));

    const RunResult r = run(m_bin, QStringList{QStringLiteral("send"), peer.url, QStringLiteral("--json")} + args);
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QList<int> actualInterims;
    for (const QJsonValue &v : o.value(QStringLiteral("interim_statuses")).toArray())
        actualInterims << v.toInt();
    QCOMPARE(actualInterims, interims);
    QCOMPARE(o.value(QStringLiteral("final_status")).toInt(), 200);
    QVERIFY(o.value(QStringLiteral("error")).isNull());
    QCOMPARE(o.value(QStringLiteral("body_bytes_sent")).toInteger(), bodySize);
    QCOMPARE(o.value(QStringLiteral("retried")).toBool(), false);
    const QStringList kinds = kindsOf(o.value(QStringLiteral("events")).toArray());
    QCOMPARE(kinds.contains(QStringLiteral("expect_timeout")), false);
    if (!interims.isEmpty()) {
        QVERIFY(kinds.indexOf(QStringLiteral("interim")) < kinds.indexOf(QStringLiteral("body_start")));
        QVERIFY(o.value(QStringLiteral("expect_wait_ms")).toDouble() < 1000.0);
    } else {
        QVERIFY(o.value(QStringLiteral("expect_wait_ms")).isNull());
    }
    QVERIFY(o.value(QStringLiteral("response_body_bytes")).toInteger() > 0);
    // The peer's own account of what it read: all of the body, whatever the framing.
    const QByteArray expected = "peer: received " + QByteArray::number(bodySize) + " bytes";
    QByteArray peerLog;
    QTRY_VERIFY2_WITH_TIMEOUT((peerLog += peer.process.readAllStandardError()).contains(expected), peerLog.constData(),
                              kProcessMs);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
