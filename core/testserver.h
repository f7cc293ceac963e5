#pragma once

#include "serverpolicy.h"
#include "timelineevent.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>

class QTcpServer;

namespace expectlab {

class ServerConnectionHandler;

// The local HTTP/1.1 test server: a QTcpServer whose connections are handled by ServerConnection
// under the current policy. A policy change applies to connections accepted afterwards.
class TestServer : public QObject
{
    Q_OBJECT
public:
    explicit TestServer(QObject *parent = nullptr);
    ~TestServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    void close();
    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const;
    QString url() const; // http://HOST:PORT/
    QString errorString() const { return m_error; }

    void setPolicy(const ServerPolicy &policy) { m_policy = policy; }
    ServerPolicy policy() const { return m_policy; }
    int connectionCount() const { return m_open; }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);
    void connectionCountChanged(int count);

private:
    void acceptPending();
    void handlerFinished();

    QTcpServer *m_server;
    ServerPolicy m_policy;
    int m_nextId = 1;
    int m_open = 0;
    QString m_error;
};

} // namespace expectlab
