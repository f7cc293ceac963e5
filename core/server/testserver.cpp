#include "testserver.h"

#include "monotonicclock.h"
#include "serverconnectionhandler.h"

#include "tlslistener.h"

#include <QTcpSocket>

namespace expectlab {

TestServer::TestServer(QObject *parent)
    : QObject(parent)
    , m_server(new TlsListener(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &TestServer::acceptPending);
}

TestServer::~TestServer() = default;

bool TestServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening())
        m_server->close();
    // Qt's default backlog of 50 overflows when a client opens more connections at once: the kernel
    // drops the SYNs and each such client stalls for a 1 s retransmit (bench_handshake, 64 at once).
    // 511 is nginx's default.
    m_server->setListenBacklogSize(511);
    if (!m_server->listen(address, port)) {
        m_error = tr("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_server->errorString());
        emit stateChanged(state());
        return false;
    }
    m_error.clear();
    emit stateChanged(state());
    return true;
}

void TestServer::setTls(const std::optional<ServerTlsIdentity> &identity)
{
    m_tls = identity;
    m_server->setTls(identity ? std::optional<QSslConfiguration>(identity->configuration()) : std::nullopt);
    emit stateChanged(state());
}

void TestServer::close()
{
    m_server->close();
    emit stateChanged(state());
}

ServerState TestServer::state() const
{
    ServerState s;
    s.listening = isListening();
    s.address = address();
    s.port = port();
    s.error = m_error;
    s.connections = m_open;
    s.tls = m_tls.has_value();
    if (m_tls) {
        s.certFile = m_tls->certFile;
        s.certSha256 = m_tls->sha256();
    }
    return s;
}

ClientTlsSettings ServerState::clientTrust() const
{
    ClientTlsSettings trust;
    if (tls)
        trust.caCertFile = certFile;
    return trust;
}

QString ServerState::url() const
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(address.toString())
                             : address.toString();
    return QStringLiteral("%1://%2:%3/").arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host).arg(port);
}

bool TestServer::isListening() const
{
    return m_server->isListening();
}

QHostAddress TestServer::address() const
{
    return m_server->serverAddress();
}

quint16 TestServer::port() const
{
    return m_server->serverPort();
}

QString TestServer::url() const
{
    return state().url();
}

void TestServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const int id = m_nextId++;
        if (m_limits.maxConnections > 0 && m_open >= m_limits.maxConnections) {
            refuse(id, socket);
            continue;
        }
        auto *handler = new ServerConnectionHandler(id, m_policy, m_limits, socket, this);
        connect(handler, &ServerConnectionHandler::eventRecorded, this, &TestServer::eventRecorded);
        connect(handler, &ServerConnectionHandler::finished, this, &TestServer::handlerFinished);
        ++m_open;
        emit connectionCountChanged(m_open);
        emit connectionAccepted(id, socket->peerAddress(), socket->peerPort());
        handler->start();
    }
}

void TestServer::refuse(int id, QTcpSocket *socket)
{
    // Over the limit: close at once, but leave a trace so the user sees why the client failed.
    const TimelineEvent e = TimelineEvent::at(monotonicNowNs(), Side::Server, id, EventKind::Closed, 0, -1,
                                              tr("connection from %1:%2 refused: limit of %3 open connections reached")
                                                  .arg(socket->peerAddress().toString())
                                                  .arg(socket->peerPort())
                                                  .arg(m_limits.maxConnections));
    socket->abort();
    socket->deleteLater();
    emit eventRecorded(e);
}

void TestServer::handlerFinished()
{
    --m_open;
    emit connectionCountChanged(m_open);
    if (auto *handler = qobject_cast<ServerConnectionHandler *>(sender()))
        emit connectionFinished(handler->connection().id(), handler->connection().wireLog());
    sender()->deleteLater();
}

} // namespace expectlab
