// The recording proxy against the proxies users run (issue 16), side by side in one run, all in
// front of the same nginx (bench/nginx.conf, one process): a 1 GiB upload from curl through
// `expectlab proxy` (transparent), through HAProxy 2.6 and through nginx as a reverse proxy with
// proxy_request_buffering off, and straight to nginx; with the peak RSS growth of our proxy. Then the
// latency one Expect exchange gains through each proxy, keep-alive on both hops (p50 and p99 of the
// exchange through it, less the same without it).
//
//   bench_proxy [SIZE] [REPEATS] [COUNT]    (defaults 1G, 3 (median), 2000 exchanges)

#include "benchutil.h"
#include "byteformat.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

using namespace bench;

namespace {

// A config file from text with @KEY@ placeholders.
bool writeFile(const QString &path, QString text, const QMap<QString, QString> &vars)
{
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        text.replace(QLatin1Char('@') + it.key() + QLatin1Char('@'), it.value());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text.toUtf8()) >= 0;
}

// The proxies: each listens on 127.0.0.1 and forwards to nginx.
struct Proxies
{
    Peer ours;
    Peer oursAnswering; // answer-100: the proxy's own 100, as nginx gives
    quint16 oursAnsweringPort = 0;
    Peer haproxy;
    Peer nginxProxy;
    quint16 oursPort = 0;
    quint16 haproxyPort = 0;
    quint16 nginxProxyPort = 0;
    QTemporaryDir dir{QStringLiteral("/dev/shm/expectlab-bench-proxy-XXXXXX")};

    bool start(quint16 nginxPort, QString *error)
    {
        const QString upstream = QStringLiteral("127.0.0.1:%1").arg(nginxPort);
        // Ours, as users run it: transparent, the Expect handshake passed through.
        if (!ours.start(expectlabBin(), {QStringLiteral("proxy"), QStringLiteral("--upstream"),
                                         QStringLiteral("http://%1/").arg(upstream)})) {
            *error = QStringLiteral("expectlab proxy did not start");
            return false;
        }
        const QUrl url(ours.waitForListening());
        oursPort = quint16(url.port());
        if (oursPort == 0) {
            *error = ours.output();
            return false;
        }
        // Ours in answer-100, which handles Expect as nginx does (its own 100, none upstream): the row to
        // set beside nginx's.
        if (!oursAnswering.start(expectlabBin(), {QStringLiteral("proxy"), QStringLiteral("--upstream"),
                                                  QStringLiteral("http://%1/").arg(upstream), QStringLiteral("--mode"),
                                                  QStringLiteral("answer-100")})) {
            *error = QStringLiteral("expectlab proxy --mode answer-100 did not start");
            return false;
        }
        oursAnsweringPort = quint16(QUrl(oursAnswering.waitForListening()).port());
        // HAProxy 2.6 with its defaults: keep-alive on both sides, Expect forwarded.
        haproxyPort = freePort();
        const QString hap = dir.filePath(QStringLiteral("haproxy.cfg"));
        writeFile(hap,
                  QStringLiteral("global\n  maxconn 1024\ndefaults\n  mode http\n  timeout connect 5s\n"
                                 "  timeout client 600s\n  timeout server 600s\n"
                                 "frontend f\n  bind 127.0.0.1:@PORT@\n  default_backend b\n"
                                 "backend b\n  server n @UPSTREAM@\n"),
                  {{QStringLiteral("PORT"), QString::number(haproxyPort)}, {QStringLiteral("UPSTREAM"), upstream}});
        if (!haproxy.startAndWait(findProgram(QStringLiteral("haproxy")),
                                  {QStringLiteral("-db"), QStringLiteral("-f"), hap}, QString(), haproxyPort)) {
            *error = QStringLiteral("haproxy: ") + haproxy.output();
            return false;
        }
        // nginx as a reverse proxy that streams the body (proxy_request_buffering off) and keeps its
        // upstream connections (keepalive), one process like the origin.
        nginxProxyPort = freePort();
        const QString prefix = dir.filePath(QStringLiteral("nginx-proxy"));
        QDir().mkpath(prefix);
        const QString conf = prefix + QStringLiteral("/nginx.conf");
        writeFile(conf,
                  QStringLiteral("daemon off;\nmaster_process off;\nworker_processes 1;\npid @PREFIX@/nginx.pid;\n"
                                 "error_log @PREFIX@/error.log warn;\nevents { worker_connections 1024; }\n"
                                 "http {\n  access_log off;\n  client_body_temp_path @PREFIX@/body;\n"
                                 "  proxy_temp_path @PREFIX@/proxy;\n  fastcgi_temp_path @PREFIX@/fastcgi;\n"
                                 "  uwsgi_temp_path @PREFIX@/uwsgi;\n  scgi_temp_path @PREFIX@/scgi;\n"
                                 "  client_max_body_size 0;\n  keepalive_requests 1000000;\n"
                                 "  upstream origin { server @UPSTREAM@; keepalive 16; }\n"
                                 "  server {\n    listen 127.0.0.1:@PORT@;\n    location / {\n"
                                 "      proxy_pass http://origin;\n      proxy_http_version 1.1;\n"
                                 "      proxy_set_header Connection \"\";\n      proxy_request_buffering off;\n"
                                 "    }\n  }\n}\n"),
                  {{QStringLiteral("PREFIX"), prefix},
                   {QStringLiteral("PORT"), QString::number(nginxProxyPort)},
                   {QStringLiteral("UPSTREAM"), upstream}});
        if (!nginxProxy.startAndWait(findProgram(QStringLiteral("nginx")),
                                     {QStringLiteral("-p"), prefix, QStringLiteral("-c"), conf, QStringLiteral("-e"),
                                      prefix + QStringLiteral("/error.log")},
                                     QString(), nginxProxyPort)) {
            *error = QStringLiteral("nginx proxy: ") + nginxProxy.output();
            return false;
        }
        return true;
    }
};

struct Upload
{
    bool ok = false;
    double mbps = 0;
    QString note;
};

// curl -T of the file to url: what it says it uploaded in how long.
Upload curlUpload(const QString &url, const QString &file, qint64 size)
{
    Upload u;
    const RunResult r = run(findProgram(QStringLiteral("curl")),
                            {QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                             QStringLiteral("-w"), QStringLiteral("%{http_code} %{time_total} %{size_upload}"),
                             QStringLiteral("-X"), QStringLiteral("POST"), QStringLiteral("-T"), file, url});
    const QStringList parts = QString::fromUtf8(r.out).split(QLatin1Char(' '));
    const double seconds = parts.value(1).toDouble();
    u.ok = r.ok() && parts.value(0) == QLatin1String("200") && parts.value(2).toLongLong() >= size && seconds > 0;
    if (u.ok)
        u.mbps = double(size) / seconds / 1e6;
    else
        u.note =
            QStringLiteral("failed: %1 %2").arg(QString::fromUtf8(r.err.left(200)), QString::fromUtf8(r.out.left(200)));
    return u;
}

double median(std::vector<double> v)
{
    return v.empty() ? 0 : percentile(std::move(v), 50);
}

bool writeBody(const QString &path, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray block(1 << 20, 'x');
    for (qint64 left = size; left > 0; left -= block.size())
        if (f.write(block.constData(), qMin<qint64>(left, block.size())) < 0)
            return false;
    return true;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 size = 1LL << 30;
    if (args.size() > 1 && !expectlab::parseByteSize(args[1], &size)) {
        std::fprintf(stderr, "bench_proxy: invalid size %s\n", qPrintable(args[1]));
        return 2;
    }
    const int repeats = args.size() > 2 ? qMax(1, args[2].toInt()) : 3;
    const int count = args.size() > 3 ? qMax(10, args[3].toInt()) : 2000;
    for (const char *program : {"curl", "haproxy", "nginx"}) {
        if (findProgram(QString::fromLatin1(program)).isEmpty()) {
            std::printf("bench_proxy: %s is not installed (bench/run-bench.sh installs it)\n", program);
            return 0;
        }
    }
    Nginx nginx;
    QString error;
    if (!nginx.start(&error)) {
        std::printf("bench_proxy: nginx did not start: %s\n", qPrintable(error));
        return 1;
    }
    Proxies proxies;
    if (!proxies.start(nginx.port(), &error)) {
        std::printf("bench_proxy: %s\n", qPrintable(error));
        return 1;
    }
    const QString body = proxies.dir.filePath(QStringLiteral("body.bin"));
    if (!writeBody(body, size)) {
        std::printf("bench_proxy: cannot write %s\n", qPrintable(body));
        return 1;
    }

    struct Path
    {
        QString name;
        quint16 port;
    };
    // Transparent passes Expect on, as HAProxy does; answer-100 answers it, as nginx does.
    const QList<Path> paths{{QStringLiteral("none (curl -> nginx)"), nginx.port()},
                            {QStringLiteral("expectlab proxy (transparent)"), proxies.oursPort},
                            {QStringLiteral("HAProxy 2.6"), proxies.haproxyPort},
                            {QStringLiteral("expectlab proxy (answer-100)"), proxies.oursAnsweringPort},
                            {QStringLiteral("nginx, proxy_request_buffering off"), proxies.nginxProxyPort}};

    printHeader(QStringLiteral("Upload of %1 through each proxy to nginx, curl -T, median of %2")
                    .arg(expectlab::formatBytes(size))
                    .arg(repeats));
    std::vector<std::vector<double>> mbps(paths.size());
    qint64 oursGrowthKb = 0;
    const qint64 oursPid = proxies.ours.pid();
    for (int r = 0; r < repeats; ++r) {
        for (qsizetype i = 0; i < paths.size(); ++i) {
            const bool ours = paths[i].port == proxies.oursPort;
            if (ours)
                resetPeak(oursPid);
            const qint64 before = ours ? procStatusKb(oursPid, "VmRSS") : 0;
            const Upload u = curlUpload(QStringLiteral("http://127.0.0.1:%1/upload").arg(paths[i].port), body, size);
            if (ours)
                oursGrowthKb = qMax(oursGrowthKb, procStatusKb(oursPid, "VmHWM") - before);
            if (!u.ok) {
                std::printf("%s: %s\n", qPrintable(paths[i].name), qPrintable(u.note));
                continue;
            }
            mbps[size_t(i)].push_back(u.mbps);
        }
    }
    Table upload({QStringLiteral("proxy"), QStringLiteral("MB/s"), QStringLiteral("x HAProxy"),
                  QStringLiteral("x nginx proxy"), QStringLiteral("proxy RSS growth")});
    const double haproxyMbps = median(mbps[2]);
    const double nginxProxyMbps = median(mbps[4]);
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const double m = median(mbps[size_t(i)]);
        upload.add({paths[i].name, fmt(m, 0), i == 0 ? QString() : fmt(m / haproxyMbps, 2),
                    i == 0 ? QString() : fmt(m / nginxProxyMbps, 2),
                    paths[i].port == proxies.oursPort ? QStringLiteral("%1 MiB").arg(fmt(oursGrowthKb / 1024.0, 1))
                                                      : QString()});
    }
    upload.print();

    printHeader(QStringLiteral("Latency an Expect exchange gains through each proxy, %1 sequential exchanges "
                               "(curl, keep-alive both hops), microseconds")
                    .arg(count));
    Table latency({QStringLiteral("proxy"), QStringLiteral("exchange p50"), QStringLiteral("exchange p99"),
                   QStringLiteral("added p50"), QStringLiteral("added p99"), QStringLiteral("failures")});
    double directP50 = 0, directP99 = 0;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const ExchangeRun run =
            curlSequential(QStringLiteral("http://127.0.0.1:%1/upload").arg(paths[i].port), count, false);
        const double p50 = percentile(run.totalUs, 50), p99 = percentile(run.totalUs, 99);
        if (i == 0) {
            directP50 = p50;
            directP99 = p99;
        }
        latency.add({paths[i].name, fmt(p50, 0), fmt(p99, 0), i == 0 ? QString() : fmt(p50 - directP50, 0),
                     i == 0 ? QString() : fmt(p99 - directP99, 0), QString::number(run.failures)});
    }
    latency.print();
    return 0;
}
