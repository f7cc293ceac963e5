#include "peerseen.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("PeerSeen", text);
}

// The peer's kind for the proxy's: what one end sends, the other receives.
std::optional<EventKind> mirrored(EventKind kind)
{
    switch (kind) {
    // the proxy as a server: its client did the other half
    case EventKind::Accepted: return EventKind::Connect;
    case EventKind::Head: return EventKind::HeadSent;
    case EventKind::InterimSent: return EventKind::Interim;
    case EventKind::FinalSent: return EventKind::Final;
    // the proxy as a client: its upstream did the other half
    case EventKind::Connect: return EventKind::Accepted;
    case EventKind::HeadSent: return EventKind::Head;
    case EventKind::Interim: return EventKind::InterimSent;
    case EventKind::Final: return EventKind::FinalSent;
    // the same on both ends
    case EventKind::BodyStart:
    case EventKind::BodyDone:
    case EventKind::TlsStart:
    case EventKind::TlsDone:
    case EventKind::Closed: return kind;
    default: return std::nullopt;
    }
}
} // namespace

QList<TimelineEvent> peerAsSeenByProxy(const QList<TimelineEvent> &proxyEvents, Hop hop)
{
    QList<TimelineEvent> out;
    for (const TimelineEvent &e : proxyEvents) {
        if (e.hop != hop)
            continue;
        const std::optional<EventKind> kind = mirrored(e.kind);
        if (!kind)
            continue;
        TimelineEvent m = e;
        m.kind = *kind;
        m.side = e.side == Side::Server ? Side::Client : Side::Server;
        m.hop = Hop::None;
        m.decision = ProxyDecision::None;
        if (e.kind == EventKind::Closed && e.closedBy != Closer::Unknown)
            m.closedBy = e.closedBy == Closer::Local ? Closer::Peer : Closer::Local;
        m.detail = e.detail.isEmpty() ? tr("as the proxy saw it") : tr("as the proxy saw it: %1").arg(e.detail);
        out.append(m);
    }
    return out;
}

} // namespace expectlab
