#include "timelineevent.h"

#include <array>
#include <utility>

namespace expectlab {

namespace {
constexpr std::array<std::pair<EventKind, const char *>, 22> kNames{{
    {EventKind::Connect, "connect"},
    {EventKind::Connected, "connected"},
    {EventKind::HeadSent, "head_sent"},
    {EventKind::Interim, "interim"},
    {EventKind::ExpectTimeout, "expect_timeout"},
    {EventKind::Final, "final"},
    {EventKind::ResponseDone, "response_done"},
    {EventKind::Retry, "retry"},
    {EventKind::Accepted, "accepted"},
    {EventKind::Head, "head"},
    {EventKind::InterimSent, "interim_sent"},
    {EventKind::FinalSent, "final_sent"},
    {EventKind::BodyStart, "body_start"},
    {EventKind::BodyDone, "body_done"},
    {EventKind::Closed, "closed"},
    {EventKind::Error, "error"},
    {EventKind::Cancelled, "cancelled"},
    {EventKind::Profile, "profile"},
    {EventKind::GarbageSent, "garbage_sent"},
    {EventKind::TlsStart, "tls_start"},
    {EventKind::TlsDone, "tls_done"},
    {EventKind::Decision, "decision"},
}};

constexpr std::array<std::pair<Hop, const char *>, 2> kHopNames{{
    {Hop::Downstream, "downstream"},
    {Hop::Upstream, "upstream"},
}};

constexpr std::array<std::pair<ProxyDecision, const char *>, 17> kDecisionNames{{
    {ProxyDecision::ForwardExpect, "forward_expect"},
    {ProxyDecision::StripExpect, "strip_expect"},
    {ProxyDecision::Own100, "own_100"},
    {ProxyDecision::HoldBody, "hold_body"},
    {ProxyDecision::ReleaseBody, "release_body"},
    {ProxyDecision::BufferBody, "buffer_body"},
    {ProxyDecision::Buffered, "buffered"},
    {ProxyDecision::RejectExpect, "reject_expect"},
    {ProxyDecision::Http10Upstream, "http10_upstream"},
    {ProxyDecision::DropInterim, "drop_interim"},
    {ProxyDecision::StopUpload, "stop_upload"},
    {ProxyDecision::BadGateway, "bad_gateway"},
    {ProxyDecision::GatewayTimeout, "gateway_timeout"},
    {ProxyDecision::RefusedTarget, "refused_target"},
    {ProxyDecision::ClientGone, "client_gone"},
    {ProxyDecision::Tunnel, "tunnel"},
    {ProxyDecision::TunnelClosed, "tunnel_closed"},
}};

constexpr std::array<std::pair<ErrorKind, const char *>, 28> kErrorNames{{
    {ErrorKind::InvalidRequest, "invalid_request"},
    {ErrorKind::HostNotFound, "host_not_found"},
    {ErrorKind::ConnectFailed, "connect_failed"},
    {ErrorKind::Timeout, "timeout"},
    {ErrorKind::Reset, "reset"},
    {ErrorKind::ClosedEarly, "closed_early"},
    {ErrorKind::MalformedResponse, "malformed_response"},
    {ErrorKind::InvalidStatus, "invalid_status"},
    {ErrorKind::UnexpectedUpgrade, "unexpected_upgrade"},
    {ErrorKind::TooManyInterims, "too_many_interims"},
    {ErrorKind::SpokeFirst, "spoke_first"},
    {ErrorKind::BodyReadFailed, "body_read_failed"},
    {ErrorKind::Transport, "transport"},
    {ErrorKind::MalformedRequest, "malformed_request"},
    {ErrorKind::HeadTooLarge, "head_too_large"},
    {ErrorKind::BodyTooLarge, "body_too_large"},
    {ErrorKind::HeadTimeout, "head_timeout"},
    {ErrorKind::BodyTimeout, "body_timeout"},
    {ErrorKind::PeerClosedMidRequest, "peer_closed_mid_request"},
    {ErrorKind::PolicySilent, "policy_silent"},
    {ErrorKind::TlsUntrusted, "tls_untrusted"},
    {ErrorKind::TlsExpired, "tls_expired"},
    {ErrorKind::TlsNotYetValid, "tls_not_yet_valid"},
    {ErrorKind::TlsNameMismatch, "tls_name_mismatch"},
    {ErrorKind::TlsHandshake, "tls_handshake_failed"},
    {ErrorKind::TlsPeerNotTls, "tls_peer_not_tls"},
    {ErrorKind::TlsPlainRequest, "tls_plain_request"},
    {ErrorKind::None, ""},
}};

template <typename Table, typename Value> QString nameIn(const Table &table, Value value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template <typename Table, typename Value> bool valueIn(const Table &table, const QString &name, Value *value)
{
    for (const auto &[v, n] : table) {
        if (name == QLatin1String(n)) {
            *value = v;
            return true;
        }
    }
    return false;
}
} // namespace

QString kindName(EventKind kind)
{
    const QString name = nameIn(kNames, kind);
    return name.isEmpty() ? QStringLiteral("unknown") : name;
}

bool kindFromName(const QString &name, EventKind *kind)
{
    return valueIn(kNames, name, kind);
}

QString endpointKey(const QHostAddress &address, quint16 port)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return (isV4 ? QHostAddress(v4).toString() : address.toString()) + QLatin1Char('|') + QString::number(port);
}

QString sideName(Side side)
{
    return side == Side::Client ? QStringLiteral("client") : QStringLiteral("server");
}

QString closerName(Closer closer)
{
    switch (closer) {
    case Closer::Local: return QStringLiteral("local");
    case Closer::Peer: return QStringLiteral("peer");
    case Closer::Unknown: break;
    }
    return {};
}

bool closerFromName(const QString &name, Closer *closer)
{
    if (name.isEmpty())
        *closer = Closer::Unknown;
    else if (name == QLatin1String("local"))
        *closer = Closer::Local;
    else if (name == QLatin1String("peer"))
        *closer = Closer::Peer;
    else
        return false;
    return true;
}

QString errorKindName(ErrorKind kind)
{
    return nameIn(kErrorNames, kind);
}

bool errorKindFromName(const QString &name, ErrorKind *kind)
{
    return valueIn(kErrorNames, name, kind);
}

QString hopName(Hop hop)
{
    return nameIn(kHopNames, hop);
}

bool hopFromName(const QString &name, Hop *hop)
{
    if (name.isEmpty()) {
        *hop = Hop::None;
        return true;
    }
    return valueIn(kHopNames, name, hop);
}

QString proxyDecisionName(ProxyDecision decision)
{
    return nameIn(kDecisionNames, decision);
}

bool proxyDecisionFromName(const QString &name, ProxyDecision *decision)
{
    if (name.isEmpty()) {
        *decision = ProxyDecision::None;
        return true;
    }
    return valueIn(kDecisionNames, name, decision);
}

} // namespace expectlab
