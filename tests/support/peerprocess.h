#pragma once

// Real peer programs for tests and benchmarks (nginx, apache2, lighttpd, node, python3, curl,
// expectlab itself): found on PATH or in sbin, started in the foreground from temp dirs with their
// own configs, on 127.0.0.1, and always stopped, even when a test fails half-way.

#include <QDeadlineTimer>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <memory>

namespace testsupport {

QString sourceDir();
QString expectlabBin();
// Daemons live in sbin, which a non-root PATH may lack.
QString findProgram(const QString &name);
// The interpreter CMake found (EXPECTLAB_PYTHON), else python3 on PATH.
QString pythonProgram();
// Debian's own Python, whose dist-packages hold the python3-* peers (aiohttp, httpx): a Python on
// PATH (pyenv, a venv) may not see them.
QString debianPython();

// A port nobody listens on right now: bind port 0 and give it back. Only for servers that cannot
// listen on port 0 themselves and report the port (nginx, apache2, lighttpd).
quint16 freePort();
bool accepts(quint16 port);

// Copies a config template from tests/interop into dir, replacing @KEY@ placeholders.
bool writeConfig(const QString &templateName, const QString &dir, const QMap<QString, QString> &vars,
                 QString *written = nullptr);

// Stops a process we started: SIGTERM, then SIGKILL if it has not ended within 5 s.
void stopProcess(QProcess &process);

// One line of a running process's stdout, waiting for it at most until the deadline.
bool readLine(QProcess &process, QByteArray *line, const QDeadlineTimer &deadline);

// A program run to its end (bounded).
struct RunResult
{
    int exitCode = -1; // -1 when it did not start, crashed or was killed at the bound
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    bool finished = false;
    QByteArray out;
    QByteArray err;
    double wallMs = 0;

    bool ok() const { return finished && exitStatus == QProcess::NormalExit && exitCode == 0; }
    // "exit 1 (finished)" with both outputs, for failure messages.
    QString describe() const;
};
RunResult run(const QString &program, const QStringList &args, int timeoutMs = 60000);

// A started peer, stopped (SIGTERM, then SIGKILL) when it goes out of scope. Its stdout and stderr
// are merged: tests read what it printed, not which channel.
class Peer
{
public:
    Peer();
    ~Peer();
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;

    bool start(const QString &program, const QStringList &args, const QString &workDir = QString());
    // Starts program and waits up to timeoutMs until what it printed matches ready or, when ready is
    // empty, until port accepts; false (with the output kept) when it did not.
    bool startAndWait(const QString &program, const QStringList &args, const QString &ready, quint16 port = 0,
                      int timeoutMs = 10000);
    // Reads output until a line matches; returns the first capture (or the whole match).
    QString waitForLine(const QRegularExpression &re, int timeoutMs = 10000);
    // The URL of a `listening URL` line (expectlab serve, our scripted peers), waiting for it.
    QString waitForListening(int timeoutMs = 10000);
    // The first capture of re in what the peer printed so far.
    QString capture(const QString &re) const;
    // Reads what the peer printed since the last call.
    QString drain();
    // Everything it printed so far.
    QString output();

    bool running() const;
    qint64 pid() const;
    QProcess &process() { return *m_process; }
    void stop();

private:
    std::unique_ptr<QProcess> m_process;
    QString m_output;
};

} // namespace testsupport
