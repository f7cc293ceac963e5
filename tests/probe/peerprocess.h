#pragma once

// Starting and stopping the real peer programs of the probe's interop tests (nginx, apache2,
// lighttpd, node, python3, curl, expectlab itself): each from a temp dir with its own config, pid and
// log files, on 127.0.0.1, stopped when the test ends.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace probetest {

inline QString sourceDir()
{
    return qEnvironmentVariable("EXPECTLAB_SOURCE_DIR", QStringLiteral(EXPECTLAB_TEST_SOURCE_DIR));
}

inline QString expectlabBin()
{
    return qEnvironmentVariable("EXPECTLAB_BIN");
}

// Daemons live in sbin, which a non-root PATH may lack.
inline QString findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/local/sbin")});
    return path;
}

inline QString pythonProgram()
{
    const QString fromCMake = qEnvironmentVariable("EXPECTLAB_PYTHON");
    return fromCMake.isEmpty() ? findProgram(QStringLiteral("python3")) : fromCMake;
}

// Debian's own Python, whose dist-packages hold the python3-* peers (aiohttp, httpx): a Python on
// PATH (pyenv, a venv) may not see them.
inline QString debianPython()
{
    return QFileInfo::exists(QStringLiteral("/usr/bin/python3")) ? QStringLiteral("/usr/bin/python3") : QString();
}

// A peer the test needs is missing: a developer's machine may lack it (skip, saying how to get it),
// but CI installs every peer (tools/deps.sh), so there a missing one fails the test.
#define EXPECTLAB_REQUIRE_PEER(found, what)                                                                            \
    do {                                                                                                               \
        if (!(found)) {                                                                                                \
            if (qEnvironmentVariableIsSet("CI"))                                                                       \
                QFAIL(qPrintable(QStringLiteral("%1 is missing on CI (tools/deps.sh installs it)").arg(what)));        \
            QSKIP(qPrintable(QStringLiteral("%1 is not installed (tools/deps.sh installs it)").arg(what)));            \
        }                                                                                                              \
    } while (false)

// A port nobody listens on right now: bind port 0 and give it back. Only for servers that cannot
// listen on port 0 themselves and report the port (nginx, apache2, lighttpd).
inline quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

inline bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    const bool ok = s.waitForConnected(200);
    s.abort();
    return ok;
}

// Copies a config template from tests/interop into dir, replacing @KEY@ placeholders.
inline bool writeConfig(const QString &templateName, const QString &dir, const QMap<QString, QString> &vars,
                        QString *written = nullptr)
{
    QFile in(sourceDir() + QStringLiteral("/tests/interop/") + templateName);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    QString text = QString::fromUtf8(in.readAll());
    for (auto it = vars.begin(); it != vars.end(); ++it)
        text.replace(QLatin1Char('@') + it.key() + QLatin1Char('@'), it.value());
    const QString path = dir + QLatin1Char('/') + templateName;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0)
        return false;
    if (written)
        *written = path;
    return true;
}

// A started peer, stopped (SIGTERM, then SIGKILL) when it goes out of scope.
class Peer
{
public:
    Peer()
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        // Own session and process group: Apache's prefork parent signals its whole process group
        // on shutdown (ap_unixd_killpg), which would otherwise take the test and ctest with it.
        m_process.setChildProcessModifier([] { ::setsid(); });
    }
    ~Peer() { stop(); }
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;

    bool start(const QString &program, const QStringList &args, const QString &workDir = QString())
    {
        if (!workDir.isEmpty())
            m_process.setWorkingDirectory(workDir);
        m_process.start(program, args);
        return m_process.waitForStarted(5000);
    }

    // Reads output until a line matches; returns the first capture (or the whole match).
    QString waitForLine(const QRegularExpression &re, int timeoutMs = 10000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            while (m_process.canReadLine()) {
                const QString line = QString::fromUtf8(m_process.readLine()).trimmed();
                m_output += line + QLatin1Char('\n');
                const auto m = re.match(line);
                if (m.hasMatch())
                    return m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0);
            }
            if (m_process.state() != QProcess::Running)
                return {};
            m_process.waitForReadyRead(int(qMax<qint64>(1, timeoutMs - timer.elapsed())));
        }
        return {};
    }

    bool running() const { return m_process.state() == QProcess::Running; }
    QString output()
    {
        m_output += QString::fromUtf8(m_process.readAll());
        return m_output;
    }
    QProcess &process() { return m_process; }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }

private:
    QProcess m_process;
    QString m_output;
};

struct RunResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs a program to completion (bounded), e.g. `expectlab probe URL --json`.
inline RunResult run(const QString &program, const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(program, args);
    RunResult r;
    if (!p.waitForStarted(5000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

} // namespace probetest
