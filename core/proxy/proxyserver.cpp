#include "proxyserver.h"

#include "monotonicclock.h"
#include "proxyconnectionhandler.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace expectlab {

ProxyServer::ProxyServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    qRegisterMetaType<ProxyConnectionLog>();
    connect(m_server, &QTcpServer::newConnection, this, &ProxyServer::acceptPending);
}

ProxyServer::~ProxyServer() = default;

bool ProxyServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening())
        m_server->close();
    m_server->setListenBacklogSize(511); // as the test server: no SYN dropped under a burst
    if (!m_server->listen(address, port)) {
        m_error = tr("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_server->errorString());
        return false;
    }
    m_error.clear();
    return true;
}

void ProxyServer::close()
{
    m_server->close();
}

bool ProxyServer::isListening() const
{
    return m_server->isListening();
}

QHostAddress ProxyServer::address() const
{
    return m_server->serverAddress();
}

quint16 ProxyServer::port() const
{
    return m_server->serverPort();
}

QString ProxyServer::url() const
{
    const QHostAddress a = address();
    const QString host =
        a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(a.toString()) : a.toString();
    return QStringLiteral("http://%1:%2/").arg(host).arg(port());
}

void ProxyServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const int id = m_ids.nextConnection++;
        if (m_config.limits.maxConnections > 0 && m_open >= m_config.limits.maxConnections) {
            // Over the limit: close at once, but leave a trace so the user sees why the client failed.
            TimelineEvent e = TimelineEvent::at(monotonicNowNs(), Side::Server, id, EventKind::Closed, 0, -1,
                                                tr("connection from %1:%2 refused: limit of %3 open connections "
                                                   "reached")
                                                    .arg(socket->peerAddress().toString())
                                                    .arg(socket->peerPort())
                                                    .arg(m_config.limits.maxConnections));
            e.hop = Hop::Downstream;
            socket->abort();
            socket->deleteLater();
            emit eventRecorded(e);
            continue;
        }
        auto *handler = new ProxyConnectionHandler(id, m_config, &m_ids, socket, this);
        connect(handler, &ProxyConnectionHandler::eventRecorded, this, &ProxyServer::eventRecorded);
        connect(handler, &ProxyConnectionHandler::finished, this, &ProxyServer::handlerFinished);
        connect(handler, &ProxyConnectionHandler::connectionFinished, this, &ProxyServer::connectionFinished);
        ++m_open;
        emit connectionCountChanged(m_open);
        handler->start();
    }
}

void ProxyServer::handlerFinished()
{
    --m_open;
    emit connectionCountChanged(m_open);
    sender()->deleteLater();
}

} // namespace expectlab
