// Handshake latency: sequential Expect exchanges with a small body, over one keep-alive connection
// and over a new connection each, head sent to 100 received (client) and head received to 100 sent
// (server); the same exchanges with curl and nginx; then over TLS 1.3, 2,000 new connections each
// with a full handshake (issue 15); then the rate with 64 concurrent connections.
//
//   bench_handshake [COUNT]      COUNT sequential exchanges per row (default 10000)
//   bench_handshake COUNT URL    only the 64-connection rate against a running server (for a profiler)

#include "benchutil.h"
#include "bodyfeeder.h"
#include "clientexchange.h"
#include "exchangerunner.h"
#include "monotonicclock.h"
#include "platformlatency.h"
#include "pump.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace bench;
using namespace expectlab;

namespace {

using Run = ExchangeRun;

// ExchangeRunner as the workbench and `expectlab send` use it: one new connection per exchange.
Run sequentialNewConnections(const QString &url, int count, const QString &caCertFile = {}, QString *cipher = nullptr)
{
    Run run;
    QElapsedTimer timer;
    timer.start();
    ClientRequest request = helloRequest(url, ClientRequest::kDefaultExpectTimeoutMs);
    request.tls.caCertFile = caCertFile;
    for (int i = 0; i < count; ++i) {
        ExchangeRunner runner(i + 1, request);
        runToEnd(runner);
        const ExchangeSummary &s = runner.exchange().summary();
        if (s.finalStatus != 200 || !s.expectWaitNs) {
            if (run.firstError.isEmpty())
                run.firstError = s.outcomeText();
            ++run.failures;
            continue;
        }
        if (cipher && s.tls)
            *cipher = s.tls->protocol + QLatin1Char(' ') + s.tls->cipher;
        run.clientUs.push_back(double(*s.expectWaitNs) / 1e3);
        run.totalUs.push_back(double(s.durationNs()) / 1e3);
    }
    run.seconds = double(timer.nsecsElapsed()) / 1e9;
    return run;
}

// The same ClientExchange, driven over one QTcpSocket that stays open: a fresh exchange per request.
// ClientExchange closes after each response (one exchange per connection); here its close is only
// acknowledged, so the next exchange reuses the connection.
class KeepAliveClient
{
public:
    // The socket outlives the members its handlers touch: silence it first.
    ~KeepAliveClient()
    {
        m_socket.disconnect();
        m_socket.abort();
    }
    Run run(const QString &url, int count)
    {
        m_request = helloRequest(url, ClientRequest::kDefaultExpectTimeoutMs);
        m_remaining = count;
        QElapsedTimer timer;
        timer.start();
        QObject::connect(&m_socket, &QTcpSocket::connected, [this] {
            m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
            next();
        });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
            if (m_exchange)
                m_exchange->receive(m_socket.readAll(), monotonicNowNs());
            pump();
        });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, [this] {
            m_result.firstError = QStringLiteral("server closed the connection");
            m_loop.quit();
        });
        m_socket.connectToHost(m_request.url.host(), quint16(m_request.url.port(80)));
        QTimer::singleShot(120000, &m_loop, &QEventLoop::quit);
        m_loop.exec();
        m_result.seconds = double(timer.nsecsElapsed()) / 1e9;
        m_result.failures += m_remaining;
        return m_result;
    }

private:
    void next()
    {
        QString error;
        ClientUpload upload = makeClientUpload(++m_id, m_request, &error);
        m_feeder.reset();
        m_exchange = std::move(upload.exchange);
        m_feeder = std::move(upload.feeder);
        m_feeder->startAttempt(monotonicNowNs());
        m_exchange->connected(monotonicNowNs(), {});
        pump();
    }
    void pump()
    {
        while (m_exchange) {
            bool wrote = false;
            while (m_exchange->wantsToSend()) {
                const QByteArray out = m_feeder->nextOutgoing(Pump::kSliceSize, monotonicNowNs());
                if (out.isEmpty())
                    break;
                // The adapter's half of the contract (Pump does the same): the bytes went to the
                // kernel now. Without it the exchange takes any answer for one that came before
                // its request left.
                m_socket.write(out);
                m_exchange->sent(out.size(), monotonicNowNs());
                wrote = true;
            }
            if (wrote)
                m_socket.flush();
            m_exchange->takeEvents();
            if (!m_exchange->wantsClose())
                return;
            m_exchange->transportClosed(monotonicNowNs());
            const ExchangeSummary &s = m_exchange->summary();
            if (s.finalStatus == 200 && s.expectWaitNs) {
                m_result.clientUs.push_back(double(*s.expectWaitNs) / 1e3);
                m_result.totalUs.push_back(double(s.durationNs()) / 1e3);
            } else {
                if (m_result.firstError.isEmpty())
                    m_result.firstError = s.outcomeText();
                ++m_result.failures;
            }
            if (--m_remaining == 0) {
                m_feeder.reset();
                m_exchange.reset();
                m_loop.quit();
                return;
            }
            next();
            return;
        }
    }

    QTcpSocket m_socket;
    QEventLoop m_loop;
    ClientRequest m_request;
    std::unique_ptr<ClientExchange> m_exchange;
    std::unique_ptr<BodyFeeder> m_feeder; // refers to m_exchange
    int m_remaining = 0;
    int m_id = 0;
    Run m_result;
};

// 64 exchanges in flight at all times (a new connection each), count in all; exchanges per second.
double concurrentRate(const QString &url, int count, int inFlight, int *failures,
                      std::vector<double> *totalMs = nullptr)
{
    int started = 0, done = 0;
    *failures = 0;
    QEventLoop loop;
    QElapsedTimer timer;
    std::function<void()> startOne = [&] {
        auto *runner = new ExchangeRunner(++started, helloRequest(url, ClientRequest::kDefaultExpectTimeoutMs));
        QObject::connect(runner, &ExchangeRunner::finished, [&, runner] {
            const ExchangeSummary &s = runner->exchange().summary();
            if (s.finalStatus != 200)
                ++*failures;
            if (totalMs)
                totalMs->push_back(double(s.durationNs()) / 1e6);
            runner->deleteLater();
            if (++done == count)
                loop.quit();
            else if (started < count)
                startOne();
        });
        runner->start();
    };
    timer.start();
    for (int i = 0; i < inFlight && started < count; ++i)
        startOne();
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    loop.exec();
    return double(done) / (double(timer.nsecsElapsed()) / 1e9);
}

QStringList row(const QString &client, const QString &server, const QString &connection, const Run &r)
{
    return {client,
            server,
            connection,
            QString::number(r.clientUs.size() + (r.clientUs.empty() ? r.totalUs.size() : 0)),
            fmt(percentile(r.clientUs, 50), 0),
            fmt(percentile(r.clientUs, 99), 0),
            fmt(percentile(r.totalUs, 50), 0),
            fmt(percentile(r.totalUs, 99), 0),
            fmt(double(r.totalUs.size()) / r.seconds, 0),
            r.failures ? QStringLiteral("%1 failed: %2").arg(r.failures).arg(r.firstError) : QString()};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int count = qMax(1, app.arguments().value(1, QStringLiteral("10000")).toInt());
    if (app.arguments().size() > 2) {
        int failures = 0;
        std::vector<double> ms;
        const double rate = concurrentRate(app.arguments().at(2), count, 64, &failures, &ms);
        std::printf("%s: %.0f exchanges/s, %d failed, exchange ms p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
                    qPrintable(app.arguments().at(2)), rate, failures, percentile(ms, 50), percentile(ms, 90),
                    percentile(ms, 99), percentile(ms, 100));
        return failures ? 1 : 0;
    }
    printHeader(QStringLiteral("Handshake latency: %1 sequential Expect exchanges per row, 5-byte body, microseconds")
                    .arg(count));

    // Our server as users run it, a process of its own like nginx. (Its own record of head -> 100 is
    // 0 by construction: ServerConnection stamps both with the time the head was read. How far that
    // is from the wire is bench_fidelity's question.)
    QString error;
    ExpectlabServe ours;
    if (!ours.start({QStringLiteral("--max-connections"), QStringLiteral("0")}, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const QString oursUrl = ours.url();
    Nginx nginx;
    const bool haveNginx = nginx.start(&error);
    if (!haveNginx)
        std::fprintf(stderr, "without nginx: %s\n", qPrintable(error));
    const bool haveCurl = !findProgram(QStringLiteral("curl")).isEmpty();

    Table t({QStringLiteral("timing"), QStringLiteral("client"), QStringLiteral("server"), QStringLiteral("connection"),
             QStringLiteral("n"), QStringLiteral("client p50"), QStringLiteral("client p99"),
             QStringLiteral("exchange p50"), QStringLiteral("exchange p99"), QStringLiteral("exchanges/s"),
             QStringLiteral("note")});
    const QString keep = QStringLiteral("keep-alive"), fresh = QStringLiteral("new each");
    const QString expectlab = QStringLiteral("expectlab");
    // Every row as the tools run by default, then with --precise-timing: this process holds it (CPUs
    // kept out of deep idle, system-wide; real-time priority for our client's thread), and a second
    // pair of servers is started from here meanwhile, so that they, like the curl processes, inherit
    // the real-time priority: every party of a precise row is treated alike.
    for (const bool precise : {false, true}) {
        platform::PreciseTiming timing;
        if (precise && (!timing.acquire(&error) || !platform::setThreadRealtime(true, &error))) {
            std::fprintf(stderr, "--precise-timing rows skipped: %s\n", qPrintable(error));
            break;
        }
        ExpectlabServe preciseOurs;
        Nginx preciseNginx;
        QString serverUrl = oursUrl, nginxUrl = haveNginx ? nginx.url() : QString();
        if (precise) {
            if (!preciseOurs.start(
                    {QStringLiteral("--max-connections"), QStringLiteral("0"), QStringLiteral("--precise-timing")},
                    &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                platform::setThreadRealtime(false, nullptr);
                break;
            }
            serverUrl = preciseOurs.url();
            if (haveNginx && preciseNginx.start(&error))
                nginxUrl = preciseNginx.url();
            else if (haveNginx)
                std::fprintf(stderr, "precise nginx: %s\n", qPrintable(error));
        }
        const QString mode = precise ? QStringLiteral("--precise-timing") : QStringLiteral("default");
        const auto add = [&](const QString &client, const QString &server, const QString &connection, const Run &r) {
            t.add(QStringList{mode} + row(client, server, connection, r));
        };
        add(expectlab, expectlab, keep, KeepAliveClient().run(serverUrl, count));
        add(expectlab, expectlab, fresh, sequentialNewConnections(serverUrl, count));
        if (haveCurl) {
            add(QStringLiteral("curl"), expectlab, keep, curlSequential(serverUrl, count, false));
            add(QStringLiteral("curl"), expectlab, fresh, curlSequential(serverUrl, count, true));
        }
        if (haveNginx) {
            add(expectlab, QStringLiteral("nginx"), keep, KeepAliveClient().run(nginxUrl, count));
            add(expectlab, QStringLiteral("nginx"), fresh, sequentialNewConnections(nginxUrl, count));
            if (haveCurl) {
                add(QStringLiteral("curl"), QStringLiteral("nginx"), keep, curlSequential(nginxUrl, count, false));
                add(QStringLiteral("curl"), QStringLiteral("nginx"), fresh, curlSequential(nginxUrl, count, true));
            }
        }
        if (precise)
            platform::setThreadRealtime(false, nullptr);
    }
    t.print();
    std::printf("\nclient: head sent -> 100 received (our client only); exchange: start to end of one exchange\n"
                "(curl: time_total). Targets: p50 < 150 us, p99 < 1000 us.\n");

    // Over TLS: connect, a full TLS 1.3 handshake (no resumption: nginx keeps no session cache and
    // curl is told --no-sessionid; our client resumes nothing), then the Expect exchange. Both
    // servers present nginx's certificate (EC P-256), so the cipher suite and the signature match.
    const int tlsCount = qMin(count, 2000);
    printHeader(QStringLiteral("TLS: %1 sequential exchanges, a new connection and handshake each").arg(tlsCount));
    ExpectlabServe oursTls;
    if (haveNginx &&
        oursTls.start({QStringLiteral("--max-connections"), QStringLiteral("0"), QStringLiteral("--tls"),
                       QStringLiteral("--cert"), nginx.certFile(), QStringLiteral("--key"), nginx.keyFile()},
                      &error)) {
        Table tls({QStringLiteral("client"), QStringLiteral("server"), QStringLiteral("connection"),
                   QStringLiteral("n"), QStringLiteral("client p50"), QStringLiteral("client p99"),
                   QStringLiteral("exchange p50"), QStringLiteral("exchange p99"), QStringLiteral("exchanges/s"),
                   QStringLiteral("note")});
        const QStringList curlTrust{QStringLiteral("--cacert"), nginx.certFile(), QStringLiteral("--no-sessionid")};
        const QString tlsFresh = QStringLiteral("new each, TLS");
        QString cipher;
        const Run oursToNginx = sequentialNewConnections(nginx.tlsUrl(), tlsCount, nginx.certFile(), &cipher);
        const Run curlToNginx = haveCurl ? curlSequential(nginx.tlsUrl(), tlsCount, true, curlTrust) : Run();
        tls.add(row(expectlab, QStringLiteral("nginx"), tlsFresh, oursToNginx));
        if (haveCurl)
            tls.add(row(QStringLiteral("curl"), QStringLiteral("nginx"), tlsFresh, curlToNginx));
        tls.add(
            row(expectlab, expectlab, tlsFresh, sequentialNewConnections(oursTls.url(), tlsCount, nginx.certFile())));
        if (haveCurl)
            tls.add(row(QStringLiteral("curl"), expectlab, tlsFresh,
                        curlSequential(oursTls.url(), tlsCount, true, curlTrust)));
        tls.print();
        std::printf("\nNegotiated: %s. Target: our client -> nginx exchange p50 within 1.2x of curl -> nginx: "
                    "%s x.\n",
                    qPrintable(cipher),
                    qPrintable(fmt(percentile(oursToNginx.totalUs, 50) / percentile(curlToNginx.totalUs, 50), 2)));
    } else {
        std::fprintf(stderr, "TLS rows skipped: %s\n", haveNginx ? qPrintable(error) : "no nginx");
    }

    // The servers' rate under load, each in its own process with one thread: the same client
    // (ExchangeRunner, 64 connections in flight) drives both.
    printHeader(QStringLiteral("Server rate: %1 exchanges, 64 concurrent connections, new connection each").arg(count));
    Table rate({QStringLiteral("server"), QStringLiteral("exchanges/s (median of 3, interleaved)"),
                QStringLiteral("failed"), QStringLiteral("x nginx")});
    // Rounds alternate between the two servers so that a burst of load from elsewhere hits both.
    std::vector<double> nginxRates, oursRates;
    int nginxFailures = 0, oursFailures = 0;
    for (int round = 0; round < 3; ++round) {
        int failures = 0;
        if (haveNginx) {
            nginxRates.push_back(concurrentRate(nginx.url(), count, 64, &failures));
            nginxFailures += failures;
        }
        oursRates.push_back(concurrentRate(oursUrl, count, 64, &failures));
        oursFailures += failures;
    }
    const double nginxRate = percentile(nginxRates, 50), oursRate = percentile(oursRates, 50);
    rate.add({QStringLiteral("nginx (1 worker)"), fmt(nginxRate, 0), QString::number(nginxFailures),
              QStringLiteral("1.00")});
    rate.add({QStringLiteral("expectlab serve"), fmt(oursRate, 0), QString::number(oursFailures),
              fmt(oursRate / nginxRate, 2)});
    rate.print();
    std::printf("\nTarget: expectlab serve >= 0.8x nginx.\n");
    return 0;
}
