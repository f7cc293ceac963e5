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
    qRegisterMetaType<ProxyState>();
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
        emit stateChanged(state());
        return false;
    }
    m_error.clear();
    emit stateChanged(state());
    return true;
}

void ProxyServer::close()
{
    m_server->close();
    emit stateChanged(state());
}

void ProxyServer::setConfig(const ProxyConfig &config)
{
    m_config = config;
    emit stateChanged(state());
}

ProxyState ProxyServer::state() const
{
    ProxyState s;
    s.listening = isListening();
    s.address = address();
    s.port = port();
    s.error = m_error;
    s.connections = m_open;
    s.config = m_config;
    return s;
}

QString ProxyState::url() const
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(address.toString())
                             : address.toString();
    return QStringLiteral("http://%1:%2/").arg(host).arg(port);
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
    return state().url();
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
        emit stateChanged(state());
        handler->start();
    }
}

void ProxyServer::handlerFinished()
{
    --m_open;
    emit connectionCountChanged(m_open);
    emit stateChanged(state());
    sender()->deleteLater();
}

} // namespace expectlab
