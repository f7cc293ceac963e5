#include "serveprocess.h"

#include "peerprocess.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace testsupport {

QUrl listeningUrl(const QByteArray &line)
{
    static const QRegularExpression re(QStringLiteral("^listening (https?://\\S+/)\\r?\\n?$"));
    const auto m = re.match(QString::fromUtf8(line));
    if (!m.hasMatch())
        return {};
    const QUrl url(m.captured(1), QUrl::StrictMode);
    return url.isValid() && url.port() > 0 ? url : QUrl();
}

bool ServeProcess::start(const QString &program, const QStringList &args, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    process.start(program, args);
    if (!process.waitForStarted(timeoutMs))
        return false;
    if (!readLine(process, &firstLine, deadline))
        return false;
    const QUrl u = listeningUrl(firstLine);
    url = u.toString();
    return u.isValid();
}

bool ServeProcess::startServe(const QStringList &args, int timeoutMs)
{
    return start(expectlabBin(),
                 QStringList{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")} + args, timeoutMs);
}

bool ServeProcess::eventsUntil(QList<QJsonObject> *events, const QString &kind, int conn,
                               const QDeadlineTimer &deadline)
{
    QByteArray line;
    while (readLine(process, &line, deadline)) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        events->append(o);
        if (o.value(QStringLiteral("kind")).toString() == kind && o.value(QStringLiteral("conn")).toInt() == conn)
            return true;
    }
    return false;
}

void ServeProcess::stop()
{
    stopProcess(process);
}

} // namespace testsupport
