#pragma once

#include "platformsocket.h"
#include "serverconnection.h"

#include <QObject>

class QTcpSocket;
class QTimer;

namespace expectlab {

// Moves bytes and time between one QTcpSocket and its ServerConnection; no protocol logic here.
// Times are taken when bytes are read from or handed to the kernel, and told to the core.
class ServerConnectionHandler : public QObject
{
    Q_OBJECT
public:
    // Qt's own read buffer: bounded, so that a peer we stop reading from (ServerConnection::wantsInput)
    // is held back by TCP flow control rather than by our memory.
    static constexpr qint64 kReadBufferBytes = 4 << 20;

    ServerConnectionHandler(int id, const ServerPolicy &policy, const ServerLimits &limits, QTcpSocket *socket,
                            QObject *parent);
    void start();

    // Read-only access for views (the workbench shows the connection's wire log).
    const ServerConnection &connection() const { return m_connection; }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);
    void finished();

private:
    void onReadyRead();
    void onDisconnected();
    void onError();
    void onTimer();
    void pump();
    void pumpOnce();
    void reportSent();

    QTcpSocket *m_socket;
    QTimer *m_timer;
    platform::CloseWatch m_closeWatch;
    ServerConnection m_connection;
    qint64 m_written = 0;  // bytes given to the socket
    qint64 m_reported = 0; // of those, reported to the core as handed to the kernel
    bool m_halfClosed = false;
    bool m_inputHeld = false; // reading paused: too much of our output is unread
    bool m_done = false;
    bool m_pumping = false;
    // The deadline the timer is armed for (monotonic ns); 0 when it is not armed.
    qint64 m_timerDeadlineNs = 0;
};

} // namespace expectlab
