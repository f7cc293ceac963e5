#pragma once

#include "serverconnection.h"

#include <QObject>

class QTcpSocket;

namespace expectlab {

class Pump;
class ByteStream;

// One accepted connection: its ServerConnection driven by a Pump over a TcpStream. No protocol
// logic and no socket calls here.
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
    ByteStream *m_stream; // owned by the pump
    ServerConnection m_connection;
    Pump *m_pump;
};

} // namespace expectlab
