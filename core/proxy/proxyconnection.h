#pragma once

#include "proxyconfig.h"
#include "serverconnection.h"
#include "upstreamhop.h"

#include <functional>
#include <memory>

namespace expectlab {

class BodySpool;
struct ProxyIds;

// One client connection to the recording proxy and the upstream hop it opens, sans I/O: the
// server-side core (ServerConnection) faces the client, the client-side core (UpstreamHop over
// ClientConnection) faces the upstream, and this relay between them holds the mode and decides what
// crosses and when (h11's two roles joined; Envoy's codec/router split). Neither core learns that it
// sits in a proxy: the relay is the server core's Responder and the hop's Listener.
//
// The adapter drives downstream() with one Pump over the client's stream, and upstream() with a Pump
// over each connection it opens when wantsUpstreamConnection(). What one side is told can give the
// other work: the relay then asks the adapter (wake) to give that side a turn.
class ProxyConnection : private UpstreamHop::Listener
{
public:
    // A window of bytes between the hops: no more is read from one side while this much waits to go
    // out on the other (the sender is then held back by TCP, not by our memory).
    static constexpr qint64 kRelayWindow = 1 << 20;
    static constexpr qint64 kSpoolSlice = 256 * 1024;

    ProxyConnection(int id, const ProxyConfig &config, ProxyIds *ids, qint64 nowNs, const Endpoints &endpoints = {});
    ~ProxyConnection() override;
    ProxyConnection(const ProxyConnection &) = delete;
    ProxyConnection &operator=(const ProxyConnection &) = delete;

    Party &downstream();
    Party &upstream();
    // The adapter opens a connection to upstreamOrigin() when this says so, then calls
    // upstreamConnecting().
    bool wantsUpstreamConnection() const { return m_hop.wantsConnection(); }
    QUrl upstreamOrigin() const { return m_hop.origin(); }
    void upstreamConnecting(qint64 nowNs);
    // Called with the side that has work after the other side was driven; the adapter gives it a
    // turn soon (never from inside the call).
    void setWake(std::function<void(Hop)> wake) { m_wake = std::move(wake); }

    int id() const { return m_id; }
    const ServerConnection &server() const { return *m_server; }
    const UpstreamHop &hop() const { return m_hop; }
    bool isDone() const; // the client's connection is closed and nothing runs upstream

private:
    class HopParty;
    class RelayResponder;
    friend class HopParty;
    friend class RelayResponder;

    // The client's requests, as the server core reports them (through RelayResponder)
    QString describe() const;
    // CONNECT reaches the relay in both roles: a reverse proxy refuses it with its own reason (405).
    bool acceptsTunnels() const { return true; }
    QByteArray errorContent(const QString &code, const QString &reason) const;
    void requestHead(const MessageHead &request);
    void requestBody(QByteArrayView data);
    void requestEnd(const Responder::RequestFacts &facts);
    bool wantsBody() const;

    // UpstreamHop::Listener: the upstream's answers
    void upstreamHeadSent(qint64 tNs) override;
    void upstreamHead(const MessageHead &head) override;
    void upstreamData(QByteArrayView data) override;
    void upstreamEnd() override;
    void upstreamFailed(ErrorKind kind, const QString &message) override;
    void upstreamDrained() override;
    void upstreamTunnelOpen() override;
    void upstreamTunnelData(QByteArrayView data) override;
    void upstreamTunnelClosed(bool reset) override;
    void tunnelData(QByteArrayView data);
    void noteTunnelClosed(const QString &why);

    // Where a request goes: the origin and the target to send, or why it goes nowhere.
    struct Route
    {
        QUrl origin;
        QByteArray target;
        QByteArray host;
        int refusal = 0; // 400 (a forward proxy got no absolute URL), 403 (not loopback), 405
        QString why;
        bool tunnel = false; // CONNECT: origin is the tunnel's far end
    };
    Route routeOf(const MessageHead &request) const;
    MessageHead upstreamRequest(const MessageHead &request, const Route &route, bool keepExpect) const;
    void startUpstream();
    void feedFromSpool();
    void releaseHold(const QString &why, const QString &rule);
    void answerLocally(int status, const QString &code, const QString &why, const QString &rule, ProxyDecision d);
    void decide(ProxyDecision decision, Hop hop, const QString &detail, const QString &rule, qint64 bytes = -1);
    void clientGone(const QString &why);
    void afterInput(Hop driven);
    void advanceTime(qint64 nowNs);
    std::optional<qint64> nextRelayDeadlineNs() const;
    QList<TimelineEvent> takeDownstreamEvents();
    QList<TimelineEvent> takeUpstreamEvents();
    void noteUpstreamWindow();

    int m_id;
    ProxyConfig m_config;
    ProxyIds *m_ids;
    qint64 m_now;
    std::unique_ptr<ServerConnection> m_server; // its responder is this relay
    ServerActions *m_actions;                   // m_server's: how the relay answers the client
    UpstreamHop m_hop;
    std::unique_ptr<HopParty> m_downSide;
    std::unique_ptr<HopParty> m_upSide;
    std::function<void(Hop)> m_wake;
    QList<TimelineEvent> m_decisions;           // the relay's own events, taken with either side's
    QList<QPair<int, int>> m_exchangeOfRequest; // the server core's request number -> exchange (recent ones)

    // The request in progress
    struct Current;
    std::unique_ptr<Current> m_cur;
};

} // namespace expectlab
