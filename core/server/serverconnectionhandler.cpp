#include "serverconnectionhandler.h"

#include "monotonicclock.h"
#include "pump.h"
#include "tcpstream.h"

namespace expectlab {

ServerConnectionHandler::ServerConnectionHandler(int id, const ServerPolicy &policy, const ServerLimits &limits,
                                                 QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_stream(new TcpStream(socket)) // takes the socket over
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
