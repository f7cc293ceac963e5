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

    QTcpSocket *m_socket;
    QTimer *m_timer;
    ServerConnection m_connection;
    bool m_halfClosed = false;
    bool m_done = false;
};

} // namespace expectlab
