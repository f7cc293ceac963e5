#pragma once

#include "proxyconfig.h"
#include "proxyids.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QHostAddress>
#include <QObject>

class QTcpServer;

namespace expectlab {

// One connection of the proxy once it ended: a client's (downstream) or the proxy's own to an
// upstream, with the bytes it carried each way.
struct ProxyConnectionLog
{
    Hop hop = Hop::Downstream;
    int id = 0;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    WireLog wire;
};

// What the proxy's owner knows of it: a value, sent after every listen(), close() and change.
struct ProxyState
{
    bool listening = false;
    QHostAddress address;
    quint16 port = 0;
    QString error; // why the last listen failed; empty once one succeeds
    int connections = 0;
    ProxyConfig config;

    QString url() const; // http://HOST:PORT/, brackets around IPv6
};

// The recording proxy's listener: each accepted connection gets a ProxyConnectionHandler under the
// current configuration (a change applies to connections accepted afterwards). Same connection
// limit as the test server.
class ProxyServer : public QObject
{
    Q_OBJECT
public:
    explicit ProxyServer(QObject *parent = nullptr);
    ~ProxyServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    void close();
    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const;
    QString url() const; // http://HOST:PORT/
    QString errorString() const { return m_error; }
    int connectionCount() const { return m_open; }

    void setConfig(const ProxyConfig &config);
    const ProxyConfig &config() const { return m_config; }
    ProxyState state() const;

signals:
    // After listen(), close(), a new configuration and every change of the connection count.
    void stateChanged(const expectlab::ProxyState &state);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void connectionCountChanged(int count);
    void connectionFinished(const expectlab::ProxyConnectionLog &connection);

private:
    void acceptPending();
    void handlerFinished();

    QTcpServer *m_server;
    ProxyConfig m_config;
    ProxyIds m_ids;
    int m_open = 0;
    QString m_error;
};

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::ProxyConnectionLog)
Q_DECLARE_METATYPE(expectlab::ProxyState)
