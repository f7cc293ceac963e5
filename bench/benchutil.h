#pragma once

// Helpers shared by the benchmark programs: peers started from temp dirs on 127.0.0.1, process
// memory from /proc, percentiles and plain-text tables. Benchmarks print figures; they never fail a
// build or a test run.

#include "peerprocess.h"

#include <QList>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

#include "clientrequest.h"

namespace expectlab {
class ExchangeRunner;
}

namespace bench {

// Sequential exchanges' figures, in microseconds per exchange.
struct ExchangeRun
{
    std::vector<double> clientUs; // head sent -> 100 received (our client only)
    std::vector<double> totalUs;  // one exchange, start to end
    int failures = 0;
    double seconds = 0;
    QString firstError;
};

// curl with count POSTs of "hello" with Expect: 100-continue on one command line: one connection
// reused, or a new one per request; curl's time_total of each.
ExchangeRun curlSequential(const QString &url, int count, bool newConnections, const QStringList &extraArgs = {});

// POST url with the 5-byte body "hello" and Expect: 100-continue: the benchmarks' handshake.
expectlab::ClientRequest helloRequest(const QString &url, int expectTimeoutMs = 5000, int timeoutMs = 10000);

// Starts the runner and spins an event loop until its exchange has ended.
void runToEnd(expectlab::ExchangeRunner &runner);

using testsupport::expectlabBin;
using testsupport::findProgram;
using testsupport::sourceDir;
QString loadAverage();
void printHeader(const QString &title);

// A field of /proc/PID/status in KiB (VmRSS, VmHWM); -1 when unreadable.
qint64 procStatusKb(qint64 pid, const char *field);
// Resets VmHWM to the current RSS (clear_refs 5), so the next peak belongs to the next run.
bool resetPeak(qint64 pid);

double percentile(std::vector<double> values, double p);

// A table printed with aligned columns.
class Table
{
public:
    explicit Table(QStringList headers)
        : m_headers(std::move(headers))
    {}
    void add(QStringList row) { m_rows.append(std::move(row)); }
    void print() const;

private:
    QStringList m_headers;
    QList<QStringList> m_rows;
};

QString fmt(double v, int decimals = 1);

using testsupport::accepts;
using testsupport::freePort;
using testsupport::Peer;

// nginx from bench/nginx.conf in its own prefix dir (temp files in /dev/shm), one worker process.
class Nginx
{
public:
    ~Nginx();
    bool start(QString *error);
    quint16 port() const { return m_port; }
    QString url(const QString &path = QStringLiteral("/upload")) const;
    // The same server over TLS (issue 15), with the certificate in certFile() (and keyFile()).
    QString tlsUrl(const QString &path = QStringLiteral("/upload")) const;
    QString certFile() const { return m_prefix + QStringLiteral("/cert.pem"); }
    QString keyFile() const { return m_prefix + QStringLiteral("/key.pem"); }
    qint64 pid() const { return m_peer.pid(); }
    // The access log's lines ("status request_length") since the last call.
    QStringList takeAccessLog();

private:
    QString m_prefix;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    Peer m_peer;
    qint64 m_logPos = 0;
};

// `expectlab serve` as a separate process, as users run it.
class ExpectlabServe
{
public:
    bool start(const QStringList &extraArgs, QString *error);
    QString url(const QString &path = QStringLiteral("/upload")) const;
    qint64 pid() const { return m_peer.pid(); }
    Peer &peer() { return m_peer; }

private:
    Peer m_peer;
    QString m_base;
};

using testsupport::RunResult;
// Runs a program to the end (stdin closed); a benchmark's bound is long.
inline RunResult run(const QString &program, const QStringList &args, int timeoutMs = 600000)
{
    return testsupport::run(program, args, timeoutMs);
}
// The same under /usr/bin/time: peakKb is the process's maximum resident set size.
RunResult runTimed(const QString &program, const QStringList &args, qint64 *peakKb, int timeoutMs = 600000);

} // namespace bench
