// Load: 1,000 Expect exchanges, 100 at a time, from our client and from curl against our server,
// over plain HTTP and over TLS (issue 15: each exchange its own handshake). Every exchange must end
// with 100 then 200, no descriptor may stay open, and memory must not grow with the number of
// exchanges (a second round of 1,000 costs no more than a small allowance).
#include "exchangerunner.h"
#include "proxyserver.h"
#include "requirepeer.h"
#include "testidentity.h"
#include "testserver.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QTest>

#ifdef EXPECTLAB_SANITIZED
// ASan keeps freed memory in quarantine (256 MiB by default), so RSS grows with every allocation
// until the quarantine is full, however little the program keeps: a growth bound would measure the
// quarantine. Without it the bound means what it says (ASAN_OPTIONS still overrides this).
extern "C" const char *__asan_default_options()
{
    return "quarantine_size_mb=0";
}
#endif

using namespace expectlab;

namespace {
constexpr int kExchanges = 1000;
constexpr int kConcurrency = 100;

// Linux only: the test reads /proc to count descriptors and resident memory.
int openDescriptors()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
}

qint64 residentKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
} // namespace

class TestLoad : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void ourClient_data();
    void ourClient();
    void curlClient_data();
    void curlClient();
    void throughTheProxy();

private:
    struct Round
    {
        int ok = 0;
        int failed = 0;
        QString firstFailure;
    };
    QString m_caCertFile;
    void runOurRound(TestServer &server, Round &round);
    // Serves HTTPS with a generated certificate when tls; its PEM is in certFile for the client.
    bool setUpServer(TestServer &server, bool tls, QTemporaryFile &certFile);
};

bool TestLoad::setUpServer(TestServer &server, bool tls, QTemporaryFile &certFile)
{
    if (tls) {
        const auto made = testsupport::makeTestIdentity();
        if (!made || !certFile.open() || certFile.write(made->certPem) != made->certPem.size() || !certFile.flush())
            return false;
        server.setTls(made->identity);
    }
    return server.listen(QHostAddress::LocalHost, 0);
}

void TestLoad::initTestCase()
{
    if (!QFile::exists(QStringLiteral("/proc/self/fd")))
        QSKIP("needs /proc to count descriptors and memory");
}

void TestLoad::runOurRound(TestServer &server, Round &round)
{
    int started = 0;
    int running = 0;
    ClientRequest request;
    request.url = QUrl(server.url() + QStringLiteral("load"));
    request.tls.caCertFile = m_caCertFile; // empty over plain HTTP
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 4096;
    request.expectTimeoutMs = 5000; // every exchange must see the 100, not a timeout
    request.timeoutMs = 20000;

    std::function<void()> startOne = [&] {
        auto *runner = new ExchangeRunner(started++, request, this);
        ++running;
        connect(runner, &ExchangeRunner::finished, this, [&, runner] {
            const ExchangeSummary &s = runner->exchange().summary();
            if (s.finalStatus == 200 && s.interimStatuses() == QList<int>{100} && s.bodyBytesSent == 4096) {
                ++round.ok;
            } else {
                ++round.failed;
                if (round.firstFailure.isEmpty())
                    round.firstFailure = s.outcomeText();
            }
            --running;
            runner->deleteLater();
            if (started < kExchanges)
                startOne();
        });
        runner->start();
    };
    for (int i = 0; i < kConcurrency; ++i)
        startOne();
    QTRY_VERIFY_WITH_TIMEOUT(round.ok + round.failed == kExchanges, 120000);
}

void TestLoad::ourClient_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("http") << false;
    QTest::newRow("https") << true;
}

void TestLoad::ourClient()
{
    QFETCH(bool, tls);
    TestServer server;
    QTemporaryFile certFile;
    QVERIFY(setUpServer(server, tls, certFile));
    m_caCertFile = tls ? certFile.fileName() : QString();
    const int fdBefore = openDescriptors();

    Round warm;
    runOurRound(server, warm);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(warm.failed == 0, qPrintable(warm.firstFailure));
    QCOMPARE(warm.ok, kExchanges);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 10000);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const qint64 rssAfterWarmUp = residentKiB();

    Round second;
    runOurRound(server, second);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(second.failed == 0, qPrintable(second.firstFailure));
    QCOMPARE(second.ok, kExchanges);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 10000);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdBefore, 10000);
    const qint64 growth = residentKiB() - rssAfterWarmUp;
    qInfo("RSS after warm-up %lld KiB, growth over 1000 more exchanges %lld KiB", rssAfterWarmUp, growth);
    QVERIFY2(growth < 8 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
}

void TestLoad::curlClient_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("http") << false;
    QTest::newRow("https") << true;
}

void TestLoad::curlClient()
{
    QFETCH(bool, tls);
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    EXPECTLAB_REQUIRE_PEER(!curl.isEmpty(), QStringLiteral("curl"));
    TestServer server;
    QTemporaryFile certFile;
    QVERIFY(setUpServer(server, tls, certFile));
    int heads = 0;
    int interims = 0;
    int finals = 0;
    connect(&server, &TestServer::eventRecorded, this, [&](const TimelineEvent &e) {
        heads += e.kind == EventKind::Head;
        interims += e.kind == EventKind::InterimSent && e.status == 100;
        finals += e.kind == EventKind::FinalSent && e.status == 200;
    });
    QTemporaryFile body;
    QVERIFY(body.open());
    body.write(QByteArray(4096, 'x'));
    body.flush();
    const int fdBefore = openDescriptors();

    QStringList args{QStringLiteral("--silent"),
                     QStringLiteral("--parallel"),
                     QStringLiteral("--parallel-max"),
                     QString::number(kConcurrency),
                     QStringLiteral("--expect100-timeout"),
                     QStringLiteral("5"),
                     QStringLiteral("-H"),
                     QStringLiteral("Expect: 100-continue"),
                     QStringLiteral("--data-binary"),
                     QLatin1Char('@') + body.fileName(),
                     QStringLiteral("-o"),
                     QStringLiteral("/dev/null"),
                     QStringLiteral("-w"),
                     QStringLiteral("%{http_code}\\n"),
                     server.url() + QStringLiteral("load/[1-%1]").arg(kExchanges)};
    if (tls)
        args << QStringLiteral("--cacert") << certFile.fileName();
    QProcess process;
    process.start(curl, args);
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 120000);
    QCOMPARE(process.exitCode(), 0);
    const QList<QByteArray> codes = process.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(codes.size(), kExchanges);
    QCOMPARE(codes.count("200"), kExchanges);
    QCOMPARE(heads, kExchanges);
    QCOMPARE(interims, kExchanges);
    QCOMPARE(finals, kExchanges);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 10000);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdBefore, 10000);
}

// Issue 16: the same 1,000 curl uploads through the recording proxy (transparent, keep-alive
// towards curl), twice: every one gets the origin's 100 and 200, the proxy and the origin let every
// connection go, no descriptor stays open, and the second 1,000 cost no more memory than a small
// allowance.
void TestLoad::throughTheProxy()
{
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    EXPECTLAB_REQUIRE_PEER(!curl.isEmpty(), QStringLiteral("curl"));
    TestServer origin;
    QVERIFY(origin.listen(QHostAddress::LocalHost, 0));
    int originInterims = 0;
    connect(&origin, &TestServer::eventRecorded, this,
            [&](const TimelineEvent &e) { originInterims += e.kind == EventKind::InterimSent && e.status == 100; });
    ProxyServer proxy;
    ProxyConfig config;
    config.upstream = QUrl(origin.url());
    proxy.setConfig(config);
    QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
    int relayed = 0;
    connect(&proxy, &ProxyServer::eventRecorded, this, [&](const TimelineEvent &e) {
        relayed += e.hop == Hop::Downstream && e.kind == EventKind::FinalSent && e.status == 200;
    });
    QTemporaryFile body;
    QVERIFY(body.open());
    body.write(QByteArray(4096, 'x'));
    body.flush();
    const int fdBefore = openDescriptors();
    qint64 rssAfterFirst = 0;
    for (int round = 0; round < 2; ++round) {
        QProcess process;
        process.start(curl, {QStringLiteral("--silent"), QStringLiteral("--parallel"), QStringLiteral("--parallel-max"),
                             QString::number(kConcurrency), QStringLiteral("--expect100-timeout"), QStringLiteral("5"),
                             QStringLiteral("-H"), QStringLiteral("Expect: 100-continue"),
                             QStringLiteral("--data-binary"), QLatin1Char('@') + body.fileName(), QStringLiteral("-o"),
                             QStringLiteral("/dev/null"), QStringLiteral("-w"), QStringLiteral("%{http_code}\\n"),
                             proxy.url() + QStringLiteral("load/[1-%1]").arg(kExchanges)});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 180000);
        QCOMPARE(process.exitCode(), 0);
        const QList<QByteArray> codes = process.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(codes.count("200"), kExchanges);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionCount(), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(origin.connectionCount(), 0, 10000);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (round == 0)
            rssAfterFirst = residentKiB();
    }
    QCOMPARE(originInterims, 2 * kExchanges);
    QCOMPARE(relayed, 2 * kExchanges);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdBefore, 10000);
    const qint64 growth = residentKiB() - rssAfterFirst;
    qInfo("RSS after 1000 proxied exchanges %lld KiB, growth over 1000 more %lld KiB", rssAfterFirst, growth);
    QVERIFY2(growth < 8 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
}

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
