#pragma once

#include "proxyconnection.h"
#include "proxyserver.h"

#include <QObject>

class QTcpSocket;

namespace expectlab {

class Pump;

// One client connection to the proxy: its ProxyConnection driven by a Pump over the client's stream
// and, when the relay asks for one, a Pump over each upstream connection. No protocol logic and no
// socket calls here; a side gets its turn when the relay says that the other side gave it work.
class ProxyConnectionHandler : public QObject
{
    Q_OBJECT
public:
    ProxyConnectionHandler(int id, const ProxyConfig &config, ProxyIds *ids, QTcpSocket *socket, QObject *parent);
    ~ProxyConnectionHandler() override;
    void start();

    const ProxyConnection &connection() const { return m_relay; }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);
    // A connection of either hop ended (upstream ones as they go, the client's last).
    void connectionFinished(const expectlab::ProxyConnectionLog &connection);
    // Both hops are closed.
    void finished();

private:
    // fromTurn: asked from inside a pump's turn, which runs it at its end.
    void wake(Hop hop, bool fromTurn);
    void runWakes();
    void turn(Hop hop);
    void openUpstream();
    void onUpstreamFinished();
    void onDownstreamFinished();

    ProxyConfig m_config;
    Endpoints m_peer; // the client's connection, as accepted
    ProxyConnection m_relay;
    Pump *m_down;
    Pump *m_up = nullptr;
    bool m_wakeDown = false;
    bool m_wakeUp = false;
    bool m_wakePosted = false;
    bool m_runningWakes = false;
    bool m_downDone = false;
    bool m_finished = false;
};

} // namespace expectlab
