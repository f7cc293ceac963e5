#pragma once

// A server started as a program whose first stdout line is `listening URL`: `expectlab serve` (its
// contract) and the test peers that follow it. stdout and stderr stay apart, because the contract
// is about stdout's first line; the process is always stopped, even when a test fails half-way.

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace testsupport {

// The URL of a `listening http://HOST:PORT/` line (trailing newline allowed); empty when the line
// is anything else.
QUrl listeningUrl(const QByteArray &line);

class ServeProcess
{
public:
    ServeProcess() = default;
    ~ServeProcess() { stop(); }
    ServeProcess(const ServeProcess &) = delete;
    ServeProcess &operator=(const ServeProcess &) = delete;

    // Starts program and reads its first stdout line; true when that line is a listening line.
    bool start(const QString &program, const QStringList &args, int timeoutMs = 20000);
    // `expectlab serve --port 0 args...`.
    bool startServe(const QStringList &args, int timeoutMs = 20000);

    QProcess process;
    QByteArray firstLine;
    QString url; // "http://127.0.0.1:PORT/"

    // Event lines (serve --events) until one matches kind and conn, at most until the deadline.
    bool eventsUntil(QList<QJsonObject> *events, const QString &kind, int conn, const QDeadlineTimer &deadline);
    void stop();
};

} // namespace testsupport
