#include "peerprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <unistd.h>

namespace testsupport {

QString sourceDir()
{
    return qEnvironmentVariable("EXPECTLAB_SOURCE_DIR", QStringLiteral(EXPECTLAB_SUPPORT_SOURCE_DIR));
}

QString expectlabBin()
{
    return qEnvironmentVariable("EXPECTLAB_BIN", QStringLiteral(EXPECTLAB_SUPPORT_BIN));
}

QString findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/local/sbin")});
    return path;
}

QString pythonProgram()
{
    const QString fromCMake = qEnvironmentVariable("EXPECTLAB_PYTHON");
    return fromCMake.isEmpty() ? findProgram(QStringLiteral("python3")) : fromCMake;
}

QString debianPython()
{
    return QFileInfo::exists(QStringLiteral("/usr/bin/python3")) ? QStringLiteral("/usr/bin/python3") : QString();
}

quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    const bool ok = s.waitForConnected(200);
    s.abort();
    return ok;
}

bool writeConfig(const QString &templateName, const QString &dir, const QMap<QString, QString> &vars, QString *written)
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

void stopProcess(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(2000);
    }
}

bool readLine(QProcess &process, QByteArray *line, const QDeadlineTimer &deadline)
{
    while (!process.canReadLine()) {
        if (deadline.hasExpired() || process.state() == QProcess::NotRunning)
            return false;
        process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    *line = process.readLine();
    return true;
}

QString RunResult::describe() const
{
    return QStringLiteral("exit %1 (%2)\nstdout: %3\nstderr: %4")
        .arg(exitCode)
        .arg(finished ? QStringLiteral("finished") : QStringLiteral("did not finish"))
        .arg(QString::fromUtf8(out.left(4000)), QString::fromUtf8(err.left(4000)));
}

RunResult run(const QString &program, const QStringList &args, int timeoutMs)
{
    RunResult r;
    QProcess p;
    QElapsedTimer timer;
    timer.start();
    p.start(program, args);
    if (!p.waitForStarted(timeoutMs)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.closeWriteChannel();
    r.finished = p.waitForFinished(timeoutMs);
    r.wallMs = double(timer.nsecsElapsed()) / 1e6;
    if (!r.finished) {
        p.kill();
        p.waitForFinished(2000);
    }
    r.exitStatus = p.exitStatus();
    r.exitCode = r.finished && r.exitStatus == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

Peer::Peer()
    : m_process(std::make_unique<QProcess>())
{
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    // Own session and process group: Apache's prefork parent signals its whole process group on
    // shutdown (ap_unixd_killpg), which would otherwise take the test and ctest with it.
    m_process->setChildProcessModifier([] { ::setsid(); });
}

Peer::~Peer()
{
    stop();
}

bool Peer::start(const QString &program, const QStringList &args, const QString &workDir)
{
    if (!workDir.isEmpty())
        m_process->setWorkingDirectory(workDir);
    m_process->start(program, args);
    if (!m_process->waitForStarted(5000)) {
        m_output += m_process->errorString();
        return false;
    }
    return true;
}

bool Peer::startAndWait(const QString &program, const QStringList &args, const QString &ready, quint16 port,
                        int timeoutMs)
{
    if (!start(program, args))
        return false;
    QElapsedTimer timer;
    timer.start();
    const QRegularExpression re(ready);
    while (timer.elapsed() < timeoutMs) {
        if (ready.isEmpty() ? accepts(port) : re.match(m_output).hasMatch())
            return true;
        if (m_process->state() != QProcess::Running)
            break;
        if (m_process->waitForReadyRead(ready.isEmpty() ? 20 : 200))
            m_output += QString::fromUtf8(m_process->readAll());
    }
    m_output += QString::fromUtf8(m_process->readAll());
    return false;
}

QString Peer::waitForLine(const QRegularExpression &re, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QByteArray raw;
    while (readLine(*m_process, &raw, deadline)) {
        const QString line = QString::fromUtf8(raw).trimmed();
        m_output += line + QLatin1Char('\n');
        const auto m = re.match(line);
        if (m.hasMatch())
            return m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0);
    }
    return {};
}

QString Peer::waitForListening(int timeoutMs)
{
    static const QRegularExpression re(QStringLiteral("^listening (https?://\\S+/)$"));
    return waitForLine(re, timeoutMs);
}

QString Peer::capture(const QString &re) const
{
    return QRegularExpression(re).match(m_output).captured(1);
}

QString Peer::drain()
{
    while (m_process->waitForReadyRead(0)) {
    }
    const QString fresh = QString::fromUtf8(m_process->readAll());
    m_output += fresh;
    return fresh;
}

QString Peer::output()
{
    m_output += QString::fromUtf8(m_process->readAll());
    return m_output;
}

bool Peer::running() const
{
    return m_process->state() == QProcess::Running;
}

qint64 Peer::pid() const
{
    return m_process->processId();
}

void Peer::stop()
{
    stopProcess(*m_process);
}

} // namespace testsupport
