#pragma once

// The recording proxy's relay wired in memory, as h11's ConnectionPair: the test writes the client's
// bytes itself and reads what the proxy answers; the origin is our own server core under a policy
// (or nothing, when the test plays the upstream too). A fake clock; no sockets, no event loop.
#include "proxyconnection.h"
#include "proxyids.h"

#include <memory>

namespace expectlab::testing {

class ProxyPair
{
public:
    static constexpr qint64 kMs = 1'000'000;

    explicit ProxyPair(ProxyConfig config, std::optional<ServerPolicy> originPolicy = std::nullopt)
        : m_config(std::move(config))
        , m_originPolicy(originPolicy)
        , relay(1, m_config, &ids, now)
    {
        relay.setWake([this](Hop) { ++wakes; });
        relay.downstream().streamConnected(now, Endpoints{});
        settle();
    }

    void clientSends(const QByteArray &bytes)
    {
        relay.downstream().streamReceived(bytes, now);
        settle();
    }
    void clientCloses(bool reset = false)
    {
        relay.downstream().streamPeerClosed(now, reset);
        settle();
    }
    // The test plays the upstream (no origin policy).
    void upstreamSends(const QByteArray &bytes)
    {
        relay.upstream().streamReceived(bytes, now);
        settle();
    }
    void upstreamHangsUp(bool reset = false)
    {
        relay.upstream().streamPeerClosed(now, reset);
        settle();
    }
    void advance(qint64 ms)
    {
        now += ms * kMs;
        relay.downstream().advanceTime(now);
        if (upstreamOpen)
            relay.upstream().advanceTime(now);
        if (origin)
            origin->advanceTime(now);
        settle();
    }

    // Everything that can move without the test: output to each peer, the origin's answers, held
    // input, connections the relay asks for and closes it wishes.
    void settle()
    {
        for (int guard = 0; guard < 10000; ++guard) {
            bool moved = false;
            Party &down = relay.downstream();
            if (!downstreamClosed) {
                if (down.wantsInput() && down.hasHeldInput()) {
                    down.resumeInput(now);
                    moved = true;
                }
                moved |= drain(down, toClient);
                events.append(down.takeEvents());
                if (down.closeWish() == Party::CloseWish::AfterOutput && !downstreamHalfClosed) {
                    downstreamHalfClosed = true;
                    down.streamHalfClosed(now, true);
                    moved = true;
                } else if (down.closeWish() == Party::CloseWish::Now) {
                    down.streamClosed(now);
                    events.append(down.takeEvents());
                    downstreamClosed = true;
                    moved = true;
                }
            }
            if (relay.wantsUpstreamConnection()) {
                relay.upstreamConnecting(now);
                ++upstreamConnections;
                if (refuseUpstream) {
                    relay.upstream().streamFailed(now, QStringLiteral("Connection refused"), ErrorKind::ConnectFailed);
                    relay.upstream().streamClosed(now);
                } else {
                    upstreamOpen = true;
                    relay.upstream().streamConnected(now, Endpoints{});
                    if (m_originPolicy)
                        origin = std::make_unique<ServerConnection>(upstreamConnections, *m_originPolicy, now);
                }
                moved = true;
            }
            if (upstreamOpen) {
                Party &up = relay.upstream();
                if (up.wantsInput() && up.hasHeldInput())
                    up.resumeInput(now);
                QByteArray sent;
                moved |= drain(up, sent);
                toUpstream += sent;
                if (origin && !sent.isEmpty())
                    origin->receive(sent, now);
                if (origin) {
                    const QByteArray answer = origin->takeOutgoing();
                    if (!answer.isEmpty()) {
                        origin->sent(answer.size(), now);
                        fromOrigin += answer;
                        up.streamReceived(answer, now);
                        moved = true;
                    }
                    originEvents.append(origin->takeEvents());
                    if (origin->closeMode() != ServerConnection::CloseMode::None && !origin->hasOutgoing()) {
                        up.streamPeerClosed(now, false);
                        origin.reset();
                        moved = true;
                    }
                }
                events.append(up.takeEvents());
                if (up.closeWish() == Party::CloseWish::Now) {
                    up.streamClosed(now);
                    events.append(up.takeEvents());
                    upstreamOpen = false;
                    origin.reset();
                    ++upstreamClosings;
                    moved = true;
                }
            }
            if (!moved)
                return;
        }
        QFAIL("the proxy pair never settled");
    }

    // The kinds (kind:status, or decision:name) of one hop's events, in order.
    QStringList kinds(Hop hop) const
    {
        QStringList out;
        for (const TimelineEvent &e : events) {
            if (e.hop != hop)
                continue;
            if (e.kind == EventKind::Decision)
                out << QStringLiteral("decision:%1").arg(proxyDecisionName(e.decision));
            else
                out << (e.hasStatus() ? QStringLiteral("%1:%2").arg(kindName(e.kind)).arg(e.status) : kindName(e.kind));
        }
        return out;
    }
    QStringList decisions() const
    {
        QStringList out;
        for (const TimelineEvent &e : events) {
            if (e.kind == EventKind::Decision)
                out << proxyDecisionName(e.decision);
        }
        return out;
    }

    ProxyIds ids;
    qint64 now = 1000 * kMs;

private:
    ProxyConfig m_config;
    std::optional<ServerPolicy> m_originPolicy;

public:
    ProxyConnection relay;
    std::unique_ptr<ServerConnection> origin;
    QByteArray toClient;
    QByteArray toUpstream;
    QByteArray fromOrigin;
    QList<TimelineEvent> events;
    QList<TimelineEvent> originEvents;
    int wakes = 0;
    int upstreamConnections = 0;
    int upstreamClosings = 0;
    bool upstreamOpen = false;
    bool refuseUpstream = false;
    bool downstreamHalfClosed = false;
    bool downstreamClosed = false;

private:
    bool drain(Party &party, QByteArray &into)
    {
        bool any = false;
        for (;;) {
            const QByteArray out = party.takeOutput(1 << 20, now);
            if (out.isEmpty())
                return any;
            into += out;
            party.streamSent(out.size(), now, 0);
            any = true;
        }
    }
};

} // namespace expectlab::testing
