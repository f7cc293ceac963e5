#include "tlslistener.h"

#include <QSslSocket>

namespace expectlab {

void TlsListener::incomingConnection(qintptr socketDescriptor)
{
    if (!m_tls) {
        QTcpServer::incomingConnection(socketDescriptor);
        return;
    }
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(*m_tls);
    addPendingConnection(socket);
}

} // namespace expectlab
