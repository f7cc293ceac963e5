#pragma once

#include "serverconnection.h"

#include <QObject>

class QTcpSocket;
class QTimer;

namespace expectlab {

// Moves bytes and time between one QTcpSocket and its ServerConnection; no protocol logic here.
class ServerConnectionHandler : public QObject
{
    Q_OBJECT
public:
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

    QTcpSocket *m_socket;
    QTimer *m_timer;
    ServerConnection m_connection;
    bool m_halfClosed = false;
    bool m_done = false;
    bool m_pumping = false;
    // The deadline the timer is armed for (monotonic ns); 0 when it is not armed.
    qint64 m_timerDeadlineNs = 0;
};

} // namespace expectlab
