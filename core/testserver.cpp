#include "testserver.h"

#include "serverconnectionhandler.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace expectlab {

TestServer::TestServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &TestServer::acceptPending);
}

TestServer::~TestServer() = default;

bool TestServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening())
        m_server->close();
    if (!m_server->listen(address, port)) {
        m_error = tr("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_server->errorString());
        return false;
    }
    m_error.clear();
    return true;
}

void TestServer::close()
{
    m_server->close();
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
    const QHostAddress a = address();
    const QString host = a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(a.toString())
                                                                       : a.toString();
    return QStringLiteral("http://%1:%2/").arg(host).arg(port());
}

void TestServer::acceptPending()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *handler = new ServerConnectionHandler(m_nextId++, m_policy, socket, this);
        connect(handler, &ServerConnectionHandler::eventRecorded, this, &TestServer::eventRecorded);
        connect(handler, &ServerConnectionHandler::finished, this, &TestServer::handlerFinished);
        ++m_open;
        emit connectionCountChanged(m_open);
        handler->start();
    }
}

void TestServer::handlerFinished()
{
    --m_open;
    emit connectionCountChanged(m_open);
    sender()->deleteLater();
}

} // namespace expectlab
