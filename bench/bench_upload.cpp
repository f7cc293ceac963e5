// Upload throughput and memory: a generated body (1 GiB by default) over loopback, with
// Content-Length and chunked, between our client, curl, our server and nginx, with iperf3's raw
// loopback TCP figure as the ceiling; then the same over TLS 1.3 (issue 15), both servers with one
// certificate. Also the peak RSS growth of our client and server.
//
//   bench_upload [SIZE] [REPEATS]      SIZE with K/M/G suffix (default 1G), REPEATS (default 3; median)

#include "benchutil.h"
#include "byteformat.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <cstdio>

using namespace bench;

namespace {

struct Sample
{
    bool ok = false;
    double mbps = 0; // 10^6 bytes per second
    qint64 clientPeakKb = -1;
    qint64 serverGrowthKb = -1;
    QString note;
};

// One upload, timed by the client itself (process start-up excluded for every client alike).
Sample ourClient(const QString &url, qint64 size, bool chunked, const QString &file = {}, const QStringList &trust = {})
{
    Sample s;
    QStringList args = QStringList{QStringLiteral("send"), url, QStringLiteral("--json"), QStringLiteral("--timeout"),
                                   QStringLiteral("600000")} +
                       trust;
    if (file.isEmpty())
        args << QStringLiteral("--data-size") << QString::number(size);
    else
        args << QStringLiteral("--data-file") << file;
    if (chunked)
        args << QStringLiteral("--chunked");
    const RunResult r = runTimed(expectlabBin(), args, &s.clientPeakKb);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    const double totalMs = o.value(QStringLiteral("total_ms")).toDouble();
    const qint64 sent = qint64(o.value(QStringLiteral("body_bytes_sent")).toDouble());
    s.ok = r.ok() && o.value(QStringLiteral("final_status")).toInt() == 200 && sent == size && totalMs > 0;
    if (!s.ok)
        s.note =
            QStringLiteral("failed: %1 %2").arg(QString::fromUtf8(r.err.left(200)), QString::fromUtf8(r.out.left(200)));
    else
        s.mbps = double(size) / (totalMs / 1000.0) / 1e6;
    return s;
}

Sample curlClient(const QString &url, const QString &file, qint64 size, bool chunked, const QStringList &trust = {})
{
    Sample s;
    QStringList args{QStringLiteral("-sS"),
                     QStringLiteral("-o"),
                     QStringLiteral("/dev/null"),
                     QStringLiteral("-w"),
                     QStringLiteral("%{http_code} %{time_total} %{size_upload}"),
                     QStringLiteral("-X"),
                     QStringLiteral("POST"),
                     QStringLiteral("-T"),
                     file};
    if (chunked)
        args << QStringLiteral("-H") << QStringLiteral("Transfer-Encoding: chunked");
    args << trust << url;
    const RunResult r = runTimed(findProgram(QStringLiteral("curl")), args, &s.clientPeakKb);
    const QStringList parts = QString::fromUtf8(r.out).split(QLatin1Char(' '));
    const double seconds = parts.value(1).toDouble();
    s.ok = r.ok() && parts.value(0) == QLatin1String("200") && parts.value(2).toLongLong() >= size && seconds > 0;
    if (!s.ok)
        s.note =
            QStringLiteral("failed: %1 %2").arg(QString::fromUtf8(r.err.left(200)), QString::fromUtf8(r.out.left(200)));
    else
        s.mbps = double(size) / seconds / 1e6;
    return s;
}

double iperf3(qint64 size, QString *note)
{
    const QString prog = findProgram(QStringLiteral("iperf3"));
    if (prog.isEmpty()) {
        *note = QStringLiteral("iperf3 not installed");
        return 0;
    }
    const quint16 port = freePort();
    Peer server;
    // Ready when it prints (its output is block-buffered in a pipe: --forceflush).
    if (!server.startAndWait(prog,
                             {QStringLiteral("-s"), QStringLiteral("--forceflush"), QStringLiteral("-B"),
                              QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)},
                             QStringLiteral("listening"))) {
        *note = server.output();
        return 0;
    }
    const RunResult r =
        run(prog, {QStringLiteral("-c"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port),
                   QStringLiteral("-n"), QString::number(size), QStringLiteral("-J")});
    const QJsonObject end = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("end")).toObject();
    return end.value(QStringLiteral("sum_received")).toObject().value(QStringLiteral("bits_per_second")).toDouble() /
           8 / 1e6;
}

bool writeBodyFile(const QString &path, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray block(1 << 20, Qt::Uninitialized);
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
    for (int i = 0; i < block.size(); ++i)
        block[i] = alphabet[i % 64];
    for (qint64 left = size; left > 0; left -= block.size())
        if (f.write(block.constData(), qMin<qint64>(left, block.size())) < 0)
            return false;
    return true;
}

// The median sample by throughput; the failed ones reported when all failed.
Sample median(QList<Sample> samples)
{
    QList<Sample> ok;
    for (const Sample &s : samples)
        if (s.ok)
            ok << s;
    if (ok.isEmpty())
        return samples.value(0);
    std::sort(ok.begin(), ok.end(), [](const Sample &a, const Sample &b) { return a.mbps < b.mbps; });
    Sample m = ok.at(ok.size() / 2);
    for (const Sample &s : ok) { // memory: the worst run counts
        m.clientPeakKb = qMax(m.clientPeakKb, s.clientPeakKb);
        m.serverGrowthKb = qMax(m.serverGrowthKb, s.serverGrowthKb);
    }
    if (ok.size() < samples.size())
        m.note = QStringLiteral("%1 of %2 runs failed").arg(samples.size() - ok.size()).arg(samples.size());
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 size = 0;
    if (!expectlab::parseByteSize(args.value(1, QStringLiteral("1G")), &size))
        size = -1;
    const int repeats = qMax(1, args.value(2, QStringLiteral("3")).toInt());
    if (size <= 0) {
        std::fprintf(stderr, "usage: bench_upload [SIZE[K|M|G]] [REPEATS]\n");
        return 2;
    }
    printHeader(
        QStringLiteral("Upload throughput: %1 MiB body over loopback, median of %2").arg(size >> 20).arg(repeats));

    QString error;
    ExpectlabServe ours;
    if (!ours.start({QStringLiteral("--max-connections"), QStringLiteral("0")}, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    Nginx nginx;
    const bool haveNginx = nginx.start(&error);
    if (!haveNginx)
        std::fprintf(stderr, "without nginx: %s\n", qPrintable(error));
    const bool haveCurl = !findProgram(QStringLiteral("curl")).isEmpty();

    const QString bodyFile = QStringLiteral("/dev/shm/expectlab-bench-body-%1").arg(QCoreApplication::applicationPid());
    if (!writeBodyFile(bodyFile, size)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(bodyFile));
        return 1;
    }

    // Our client's own footprint without a body to move: the growth is the peak above it.
    qint64 clientBaseKb = -1;
    runTimed(
        expectlabBin(),
        {QStringLiteral("send"), ours.url(), QStringLiteral("--json"), QStringLiteral("--data"), QStringLiteral("x")},
        &clientBaseKb);
    const qint64 serverBaseKb = procStatusKb(ours.pid(), "VmRSS");

    QString iperfNote;
    double ceiling = 0;
    {
        QList<double> runs;
        for (int i = 0; i < repeats; ++i)
            runs << iperf3(size, &iperfNote);
        std::sort(runs.begin(), runs.end());
        ceiling = runs.at(runs.size() / 2);
    }

    struct Path
    {
        QString client, server, framing;
        Sample result;
    };
    QList<Path> paths;
    // One path measured `repeats` times; serverPid: our server's process, whose peak RSS counts.
    const auto measureOn = [&](const QString &client, const QString &server, const QString &framing, qint64 serverPid,
                               qint64 serverBase, auto &&once) {
        QList<Sample> samples;
        for (int i = 0; i < repeats; ++i) {
            if (serverPid > 0)
                resetPeak(serverPid);
            Sample s = once();
            if (serverPid > 0)
                s.serverGrowthKb = procStatusKb(serverPid, "VmHWM") - serverBase;
            if (server == QLatin1String("nginx") && s.ok) {
                // nginx must have read the whole body: its request_length counts head + body.
                // nginx logs after it answered: give it a moment.
                QStringList log = nginx.takeAccessLog();
                for (int tries = 0; log.isEmpty() && tries < 100; ++tries) {
                    QThread::msleep(10);
                    log = nginx.takeAccessLog();
                }
                const QStringList last = log.value(log.size() - 1).split(QLatin1Char(' '));
                if (last.value(0) != QLatin1String("200") || last.value(1).toLongLong() < size) {
                    s.ok = false;
                    s.note = QStringLiteral("nginx logged '%1'").arg(log.value(log.size() - 1));
                }
            }
            samples << s;
        }
        paths << Path{client, server, framing, median(samples)};
    };
    for (const bool chunked : {false, true}) {
        const QString framing = chunked ? QStringLiteral("chunked") : QStringLiteral("Content-Length");
        const auto measure = [&](const QString &client, const QString &server, auto &&once) {
            const bool oursServer = server == QLatin1String("expectlab");
            measureOn(client, server, framing, oursServer ? ours.pid() : 0, serverBaseKb, once);
        };
        measure(QStringLiteral("expectlab"), QStringLiteral("expectlab"),
                [&] { return ourClient(ours.url(), size, chunked); });
        if (!chunked)
            measure(QStringLiteral("expectlab --data-file"), QStringLiteral("expectlab"),
                    [&] { return ourClient(ours.url(), size, chunked, bodyFile); });
        if (haveCurl)
            measure(QStringLiteral("curl -T"), QStringLiteral("expectlab"),
                    [&] { return curlClient(ours.url(), bodyFile, size, chunked); });
        if (haveNginx) {
            measure(QStringLiteral("expectlab"), QStringLiteral("nginx"),
                    [&] { return ourClient(nginx.url(), size, chunked); });
            if (!chunked)
                measure(QStringLiteral("expectlab --data-file"), QStringLiteral("nginx"),
                        [&] { return ourClient(nginx.url(), size, chunked, bodyFile); });
            if (haveCurl)
                measure(QStringLiteral("curl -T"), QStringLiteral("nginx"),
                        [&] { return curlClient(nginx.url(), bodyFile, size, chunked); });
        }
    }
    // Over TLS 1.3: the same body, nginx and our server presenting one certificate (nginx's), every
    // client trusting exactly it. Content-Length only: framing costs the same with or without TLS.
    const QString tlsFraming = QStringLiteral("Content-Length, TLS");
    ExpectlabServe oursTls;
    const QStringList trust{QStringLiteral("--cacert"), nginx.certFile()};
    if (haveNginx &&
        oursTls.start({QStringLiteral("--max-connections"), QStringLiteral("0"), QStringLiteral("--tls"),
                       QStringLiteral("--cert"), nginx.certFile(), QStringLiteral("--key"), nginx.keyFile()},
                      &error)) {
        const qint64 tlsServerBaseKb = procStatusKb(oursTls.pid(), "VmRSS");
        measureOn(QStringLiteral("expectlab"), QStringLiteral("expectlab"), tlsFraming, oursTls.pid(), tlsServerBaseKb,
                  [&] { return ourClient(oursTls.url(), size, false, {}, trust); });
        if (haveCurl)
            measureOn(QStringLiteral("curl -T"), QStringLiteral("expectlab"), tlsFraming, oursTls.pid(),
                      tlsServerBaseKb, [&] { return curlClient(oursTls.url(), bodyFile, size, false, trust); });
        measureOn(QStringLiteral("expectlab"), QStringLiteral("nginx"), tlsFraming, 0, 0,
                  [&] { return ourClient(nginx.tlsUrl(), size, false, {}, trust); });
        if (haveCurl)
            measureOn(QStringLiteral("curl -T"), QStringLiteral("nginx"), tlsFraming, 0, 0,
                      [&] { return curlClient(nginx.tlsUrl(), bodyFile, size, false, trust); });
    } else if (haveNginx) {
        std::fprintf(stderr, "without our TLS server: %s\n", qPrintable(error));
    }
    QFile::remove(bodyFile);

    Table table({QStringLiteral("client"), QStringLiteral("server"), QStringLiteral("framing"), QStringLiteral("MB/s"),
                 QStringLiteral("x iperf3"), QStringLiteral("client peak RSS growth MiB"),
                 QStringLiteral("server peak RSS growth MiB"), QStringLiteral("note")});
    table.add({QStringLiteral("iperf3"),
               QStringLiteral("iperf3"),
               QStringLiteral("raw TCP"),
               fmt(ceiling, 0),
               QStringLiteral("1.00"),
               {},
               {},
               iperfNote});
    // Growth can come out slightly negative (page-cache noise): shown as measured.
    const auto mib = [](qint64 kb) {
        return fmt(double(kb) / 1024.0, 1);
    };
    for (const Path &p : paths) {
        const bool oursClient = p.client.startsWith(QLatin1String("expectlab"));
        table.add({p.client, p.server, p.framing, p.result.ok ? fmt(p.result.mbps, 0) : QStringLiteral("FAILED"),
                   ceiling > 0 && p.result.ok ? fmt(p.result.mbps / ceiling, 2) : QStringLiteral("-"),
                   oursClient && clientBaseKb > 0 && p.result.clientPeakKb > 0
                       ? mib(p.result.clientPeakKb - clientBaseKb)
                       : QStringLiteral("(curl %1 peak)").arg(mib(p.result.clientPeakKb)),
                   p.server == QLatin1String("expectlab") && p.result.serverGrowthKb > -1024 * 1024
                       ? mib(p.result.serverGrowthKb)
                       : QStringLiteral("-"),
                   p.result.note});
    }
    table.print();

    // The ratios the targets name.
    const auto find = [&paths](const QString &c, const QString &s, const QString &f) {
        for (const Path &p : paths)
            if (p.client == c && p.server == s && p.framing == f && p.result.ok)
                return p.result.mbps;
        return std::nan("");
    };
    std::printf("\n");
    Table ratios(
        {QStringLiteral("ratio"), QStringLiteral("framing"), QStringLiteral("value"), QStringLiteral("target")});
    for (const QString &f : {QStringLiteral("Content-Length"), QStringLiteral("chunked"), tlsFraming}) {
        ratios.add({QStringLiteral("our client->nginx / curl->nginx"), f,
                    fmt(find(QStringLiteral("expectlab"), QStringLiteral("nginx"), f) /
                            find(QStringLiteral("curl -T"), QStringLiteral("nginx"), f),
                        2),
                    QStringLiteral(">= 0.9")});
        ratios.add({QStringLiteral("curl->our server / curl->nginx"), f,
                    fmt(find(QStringLiteral("curl -T"), QStringLiteral("expectlab"), f) /
                            find(QStringLiteral("curl -T"), QStringLiteral("nginx"), f),
                        2),
                    QStringLiteral(">= 0.9")});
    }
    ratios.print();
    return 0;
}
