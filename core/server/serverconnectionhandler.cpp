#include "serverconnectionhandler.h"

#include "monotonicclock.h"
#include "pump.h"
#include "tcpstream.h"
#include "tlsstream.h"

#include <QSslSocket>

namespace expectlab {

ServerConnectionHandler::ServerConnectionHandler(int id, const ServerPolicy &policy, const ServerLimits &limits,
                                                 QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    // Takes the socket over; a TLS listener's sockets get the handshake done by the stream.
    , m_stream(qobject_cast<QSslSocket *>(socket) ? new TlsStream(static_cast<QSslSocket *>(socket))
                                                  : new TcpStream(socket))
    , m_connection(id, policy, monotonicNowNs(), limits, m_stream->endpoints())
    , m_pump(new Pump(m_stream, &m_connection, this))
{
    connect(m_pump, &Pump::eventRecorded, this, &ServerConnectionHandler::eventRecorded);
    connect(m_pump, &Pump::finished, this, &ServerConnectionHandler::finished);
}

void ServerConnectionHandler::start()
{
    m_pump->start();
}

} // namespace expectlab
