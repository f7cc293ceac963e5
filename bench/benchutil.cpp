#include "benchutil.h"

#include "certificategenerator.h"
#include "exchangerunner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <signal.h>

namespace bench {

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("load ?");
    const QList<QByteArray> parts = f.readAll().split(' ');
    return QStringLiteral("load %1 %2 %3")
        .arg(QString::fromLatin1(parts.value(0)), QString::fromLatin1(parts.value(1)),
             QString::fromLatin1(parts.value(2)));
}

void printHeader(const QString &title)
{
    std::printf("\n## %s  (%d cores, %s)\n\n", qPrintable(title), QThread::idealThreadCount(),
                qPrintable(loadAverage()));
    std::fflush(stdout);
}

qint64 procStatusKb(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool resetPeak(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/clear_refs").arg(pid));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    return f.write("5") == 1;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const double rank = p / 100.0 * double(values.size() - 1);
    const auto lo = size_t(std::floor(rank));
    const auto hi = std::min(values.size() - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (rank - double(lo));
}

QString fmt(double v, int decimals)
{
    if (std::isnan(v))
        return QStringLiteral("-");
    return QString::number(v, 'f', decimals);
}

void Table::print() const
{
    QList<int> widths;
    for (const QString &h : m_headers)
        widths << int(h.size());
    for (const QStringList &row : m_rows)
        for (int i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], int(row[i].size()));
    const auto line = [&widths](const QStringList &cells) {
        QString out = QStringLiteral("|");
        for (int i = 0; i < widths.size(); ++i)
            out += QLatin1Char(' ') + cells.value(i).leftJustified(widths[i]) + QStringLiteral(" |");
        return out;
    };
    std::printf("%s\n", qPrintable(line(m_headers)));
    QString rule = QStringLiteral("|");
    for (int w : widths)
        rule += QString(w + 2, QLatin1Char('-')) + QLatin1Char('|');
    std::printf("%s\n", qPrintable(rule));
    for (const QStringList &row : m_rows)
        std::printf("%s\n", qPrintable(line(row)));
    std::fflush(stdout);
}

Nginx::~Nginx()
{
    m_peer.stop();
    if (!m_prefix.isEmpty())
        QDir(m_prefix).removeRecursively();
}

bool Nginx::start(QString *error)
{
    const QString nginx = findProgram(QStringLiteral("nginx"));
    if (nginx.isEmpty()) {
        *error = QStringLiteral("nginx not found (bench/run-bench.sh installs it)");
        return false;
    }
    const QString base = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
    // One folder per instance: a second nginx (the precise-timing rows) must not share, nor remove
    // on its way out, the first one's files.
    static int instances = 0;
    m_prefix = QStringLiteral("%1/expectlab-bench-nginx-%2-%3")
                   .arg(base)
                   .arg(QCoreApplication::applicationPid())
                   .arg(++instances);
    QDir().mkpath(m_prefix);
    QFile in(sourceDir() + QStringLiteral("/bench/nginx.conf"));
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read bench/nginx.conf");
        return false;
    }
    QString why;
    const auto made = expectlab::generateCertificate(expectlab::CertificateRequest(), &why);
    QFile cert(certFile()), key(keyFile());
    if (!made || !cert.open(QIODevice::WriteOnly) || cert.write(made->certificatePem) < 0 ||
        !key.open(QIODevice::WriteOnly) || key.write(made->privateKeyPem) < 0) {
        *error = QStringLiteral("cannot make nginx's certificate: %1").arg(why);
        return false;
    }
    cert.close();
    key.close();
    m_port = freePort();
    m_tlsPort = freePort();
    QString text = QString::fromUtf8(in.readAll());
    text.replace(QStringLiteral("@PREFIX@"), m_prefix)
        .replace(QStringLiteral("@TLS_PORT@"), QString::number(m_tlsPort))
        .replace(QStringLiteral("@PORT@"), QString::number(m_port));
    QFile out(m_prefix + QStringLiteral("/nginx.conf"));
    if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0) {
        *error = QStringLiteral("cannot write %1").arg(out.fileName());
        return false;
    }
    out.close();
    if (!m_peer.startAndWait(nginx, {QStringLiteral("-p"), m_prefix, QStringLiteral("-c"), out.fileName()}, {},
                             m_port)) {
        *error = QStringLiteral("nginx did not start: %1").arg(m_peer.output());
        return false;
    }
    takeAccessLog();
    return true;
}

QString Nginx::url(const QString &path) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path);
}

QString Nginx::tlsUrl(const QString &path) const
{
    return QStringLiteral("https://127.0.0.1:%1%2").arg(m_tlsPort).arg(path);
}

QStringList Nginx::takeAccessLog()
{
    QFile f(m_prefix + QStringLiteral("/access.log"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    f.seek(m_logPos);
    const QByteArray fresh = f.readAll();
    m_logPos += fresh.size();
    return QString::fromLatin1(fresh).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

bool ExpectlabServe::start(const QStringList &extraArgs, QString *error)
{
    if (!m_peer.startAndWait(expectlabBin(),
                             QStringList{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")} +
                                 extraArgs,
                             QStringLiteral("listening (https?://\\S+)"))) {
        *error = QStringLiteral("expectlab serve did not start: %1").arg(m_peer.output());
        return false;
    }
    m_base = m_peer.capture(QStringLiteral("listening (https?://[^/\\s]+)"));
    return true;
}

QString ExpectlabServe::url(const QString &path) const
{
    return m_base + path;
}

RunResult runTimed(const QString &program, const QStringList &args, qint64 *peakKb, int timeoutMs)
{
    RunResult r =
        run(QStringLiteral("/usr/bin/time"),
            QStringList{QStringLiteral("-f"), QStringLiteral("BENCH-MAXRSS-KB %M"), program} + args, timeoutMs);
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("BENCH-MAXRSS-KB (\\d+)")).match(QString::fromUtf8(r.err));
    *peakKb = m.hasMatch() ? m.captured(1).toLongLong() : -1;
    return r;
}

expectlab::ClientRequest helloRequest(const QString &url, int expectTimeoutMs, int timeoutMs)
{
    expectlab::ClientRequest r;
    r.url = QUrl(url);
    r.method = "POST";
    r.body.kind = expectlab::BodySpec::Kind::Text;
    r.body.text = "hello";
    r.expect = expectlab::ClientRequest::ExpectMode::On;
    r.expectTimeoutMs = expectTimeoutMs;
    r.timeoutMs = timeoutMs;
    return r;
}

void runToEnd(expectlab::ExchangeRunner &runner)
{
    QEventLoop loop;
    QObject::connect(&runner, &expectlab::ExchangeRunner::finished, &loop, &QEventLoop::quit);
    runner.start();
    if (!runner.isFinished())
        loop.exec();
}

ExchangeRun curlSequential(const QString &url, int count, bool newConnections, const QStringList &extraArgs)
{
    ExchangeRun run;
    QTemporaryDir dir;
    QFile config(dir.filePath(QStringLiteral("curl.conf")));
    if (!config.open(QIODevice::WriteOnly))
        return run;
    QByteArray text;
    for (int i = 0; i < count; ++i)
        text += "url = \"" + url.toLatin1() + "\"\noutput = \"/dev/null\"\n";
    config.write(text);
    config.close();
    QStringList args{QStringLiteral("-sS"),
                     QStringLiteral("-K"),
                     config.fileName(),
                     QStringLiteral("-H"),
                     QStringLiteral("Expect: 100-continue"),
                     QStringLiteral("--data-binary"),
                     QStringLiteral("hello"),
                     QStringLiteral("-w"),
                     QStringLiteral("%{http_code} %{time_total}\\n")};
    if (newConnections)
        args << QStringLiteral("-H") << QStringLiteral("Connection: close");
    args << extraArgs;
    QElapsedTimer timer;
    timer.start();
    const RunResult r = bench::run(findProgram(QStringLiteral("curl")), args, 600000);
    run.seconds = double(timer.nsecsElapsed()) / 1e9;
    for (const QByteArray &line : r.out.split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() < 2 || parts[0] != "200")
            continue;
        run.totalUs.push_back(parts[1].toDouble() * 1e6);
    }
    run.failures = count - int(run.totalUs.size());
    if (!r.ok())
        run.firstError = QString::fromUtf8(r.err.left(200));
    return run;
}

} // namespace bench
