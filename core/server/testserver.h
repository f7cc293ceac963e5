#pragma once

#include "serverlimits.h"
#include "serverpolicy.h"
#include "timelineevent.h"
#include "tlssettings.h"
#include "wirelog.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace expectlab {

class ServerConnectionHandler;
class TlsListener;

// What the server's owner knows about it: a value, sent after every listen() and close().
struct ServerState
{
    bool listening = false;
    QHostAddress address;
    quint16 port = 0;
    QString error; // why the last listen failed; empty once one succeeds
    int connections = 0;
    // HTTPS (issue 15): the certificate it presents, for "curl --cacert FILE" and fingerprints.
    bool tls = false;
    QString certFile;
    QString certSha256;

    QString url() const; // http://HOST:PORT/ (https:// with TLS), brackets around IPv6
    // How a client of ours trusts this server, as a user would with curl --cacert: its certificate
    // is added to the trusted ones (nothing else changes); plain HTTP: the defaults.
    ClientTlsSettings clientTrust() const;
};

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
    void setLimits(const ServerLimits &limits) { m_limits = limits; }
    // HTTPS with identity from now on (connections accepted afterwards); nullopt: plain HTTP.
    void setTls(const std::optional<ServerTlsIdentity> &identity);
    bool isTls() const { return m_tls.has_value(); }
    ServerLimits limits() const { return m_limits; }
    int connectionCount() const { return m_open; }

    ServerState state() const;

signals:
    // After listen() and close().
    void stateChanged(const expectlab::ServerState &state);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void connectionCountChanged(int count);
    // A connection was accepted from peer:peerPort; lets a view match it to its own client socket.
    void connectionAccepted(int conn, const QHostAddress &peer, quint16 peerPort);
    // A connection ended; wireLog is the bytes it carried both ways.
    void connectionFinished(int conn, const expectlab::WireLog &wireLog);
    // ServerHost::sync's answer, emitted on the server's thread after the requests before it.
    void synced(quint64 token);

private:
    void acceptPending();
    void handlerFinished();
    void refuse(int id, QTcpSocket *socket);

    TlsListener *m_server;
    std::optional<ServerTlsIdentity> m_tls;
    ServerPolicy m_policy;
    ServerLimits m_limits;
    int m_nextId = 1;
    int m_open = 0;
    QString m_error;
};

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::ServerState)
