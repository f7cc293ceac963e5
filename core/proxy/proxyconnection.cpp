#include "proxyconnection.h"

#include "bodyspool.h"
#include "expectfield.h"
#include "proxyids.h"
#include "proxymessages.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ProxyConnection", text);
}

constexpr qint64 kMs = 1'000'000;
constexpr int kRecentRequests = 8;
} // namespace

// What the relay knows of the request in progress (one at a time: the next request of a
// keep-alive connection is not read before this one is answered).
struct ProxyConnection::Current
{
    enum class Body {
        Stream, // forwarded as it comes
        Hold,   // transparent: not read until the upstream sent 100 or a final (or the bound ran out)
        Buffer, // read whole (spooled) before the request goes upstream
    };
    int exchange = 0;
    MessageHead request;
    Route route;
    MessageHead upstreamHead;
    bool expectContinue = false;   // 100-continue on an HTTP/1.1 request with content
    bool announcesContent = false; // the request's framing says a body follows
    bool keepAlive = true;         // the client allows another request on its connection
    Body body = Body::Stream;
    bool own100 = false;          // the proxy sent the client a 100 itself
    bool upstreamStarted = false; // the head went to the hop
    bool requestDone = false;     // the whole body was read from the client
    bool finalStarted = false;    // the client's final response is on its way
    bool answered = false;        // nothing more to do for this request
    bool tunnelOpen = false;      // CONNECT: bytes cross both ways
    bool tunnelClosed = false;    // ... and no more
    qint64 bodyIn = 0;
    std::unique_ptr<BodySpool> spool;
    std::optional<qint64> holdDeadlineNs;
};

// The server core owns its responder; this one only hands each report to the relay.
class ProxyConnection::RelayResponder : public Responder
{
public:
    explicit RelayResponder(ProxyConnection *relay)
        : m_relay(relay)
    {}
    QString describe() const override { return m_relay->describe(); }
    QByteArray errorContent(const QString &code, const QString &reason) const override
    {
        return m_relay->errorContent(code, reason);
    }
    void requestHead(const MessageHead &request, ServerActions &) override { m_relay->requestHead(request); }
    void requestBody(QByteArrayView data, qint64, ServerActions &) override { m_relay->requestBody(data); }
    void requestEnd(const MessageHead &, const RequestFacts &facts, ServerActions &) override
    {
        m_relay->requestEnd(facts);
    }
    bool wantsBody() const override { return m_relay->wantsBody(); }
    bool acceptsTunnels() const override { return m_relay->acceptsTunnels(); }
    void tunnelData(QByteArrayView data, ServerActions &) override { m_relay->tunnelData(data); }

private:
    ProxyConnection *m_relay;
};

// One hop as its Pump sees it: every call goes to that hop's core, and what the call did to the
// relay may give the other hop work (afterInput asks the adapter to give it a turn).
class ProxyConnection::HopParty : public Party
{
public:
    HopParty(ProxyConnection *relay, Hop hop, Party *core)
        : m_relay(relay)
        , m_hop(hop)
        , m_core(core)
    {}

    void streamConnected(qint64 nowNs, const Endpoints &endpoints) override
    {
        m_relay->m_now = nowNs;
        m_core->streamConnected(nowNs, endpoints);
        m_relay->afterInput(m_hop);
    }
    void streamReceived(QByteArrayView data, qint64 nowNs) override
    {
        m_relay->m_now = nowNs;
        m_core->streamReceived(data, nowNs);
        m_relay->afterInput(m_hop);
    }
    void streamSent(qint64 bytes, qint64 nowNs, qint64 peerWaiting) override
    {
        m_relay->m_now = nowNs;
        m_core->streamSent(bytes, nowNs, peerWaiting);
        if (m_hop == Hop::Downstream)
            m_relay->noteUpstreamWindow(); // the client read some of the response: read the upstream again
        m_relay->afterInput(m_hop);
    }
    void streamPeerClosed(qint64 nowNs, bool reset) override
    {
        m_relay->m_now = nowNs;
        m_core->streamPeerClosed(nowNs, reset);
        if (m_hop == Hop::Downstream)
            m_relay->clientGone(reset ? tr("the client reset its connection") : tr("the client closed its connection"));
        m_relay->afterInput(m_hop);
    }
    void streamFailed(qint64 nowNs, const QString &message, ErrorKind kind) override
    {
        m_relay->m_now = nowNs;
        m_core->streamFailed(nowNs, message, kind);
        if (m_hop == Hop::Downstream)
            m_relay->clientGone(message);
        m_relay->afterInput(m_hop);
    }
    void streamTlsStarted(qint64 nowNs) override
    {
        m_relay->m_now = nowNs;
        m_core->streamTlsStarted(nowNs);
    }
    void streamTlsDone(qint64 nowNs, const TlsFacts &facts) override
    {
        m_relay->m_now = nowNs;
        m_core->streamTlsDone(nowNs, facts);
        m_relay->afterInput(m_hop);
    }
    void streamHalfClosed(qint64 nowNs, bool ok) override { m_core->streamHalfClosed(nowNs, ok); }
    void streamClosed(qint64 nowNs) override
    {
        m_relay->m_now = nowNs;
        m_core->streamClosed(nowNs);
        if (m_hop == Hop::Downstream)
            m_relay->clientGone(tr("the client's connection closed"));
        m_relay->afterInput(m_hop);
    }
    void advanceTime(qint64 nowNs) override
    {
        m_relay->m_now = nowNs;
        m_core->advanceTime(nowNs);
        if (m_hop == Hop::Downstream)
            m_relay->advanceTime(nowNs);
        m_relay->afterInput(m_hop);
    }
    QByteArray takeOutput(qint64 budget, qint64 nowNs) override { return m_core->takeOutput(budget, nowNs); }
    bool wantsInput() const override { return m_core->wantsInput(); }
    bool wantsPeerWaiting() const override { return m_core->wantsPeerWaiting(); }
    bool hasHeldInput() const override { return m_core->hasHeldInput(); }
    void resumeInput(qint64 nowNs) override
    {
        m_relay->m_now = nowNs;
        m_core->resumeInput(nowNs);
        m_relay->afterInput(m_hop);
    }
    CloseWish closeWish() const override { return m_core->closeWish(); }
    std::optional<qint64> nextDeadlineNs() const override
    {
        std::optional<qint64> next = m_core->nextDeadlineNs();
        if (m_hop == Hop::Downstream) {
            const std::optional<qint64> relay = m_relay->nextRelayDeadlineNs();
            if (relay && (!next || *relay < *next))
                next = relay;
        }
        return next;
    }
    QList<TimelineEvent> takeEvents() override
    {
        return m_hop == Hop::Downstream ? m_relay->takeDownstreamEvents() : m_relay->takeUpstreamEvents();
    }

private:
    ProxyConnection *m_relay;
    Hop m_hop;
    Party *m_core;
};

ProxyConnection::ProxyConnection(int id, const ProxyConfig &config, ProxyIds *ids, qint64 nowNs,
                                 const Endpoints &endpoints)
    : m_id(id)
    , m_config(config)
    , m_ids(ids)
    , m_now(nowNs)
    , m_server(std::make_unique<ServerConnection>(id, std::make_unique<RelayResponder>(this), nowNs, config.limits,
                                                  endpoints))
    , m_actions(&m_server->actions())
    , m_hop(this, ids, config.connectTimeoutMs, config.answerTimeoutMs)
    , m_downSide(std::make_unique<HopParty>(this, Hop::Downstream, m_server.get()))
    , m_upSide(std::make_unique<HopParty>(this, Hop::Upstream, &m_hop))
{}

ProxyConnection::~ProxyConnection() = default;

Party &ProxyConnection::downstream()
{
    return *m_downSide;
}

Party &ProxyConnection::upstream()
{
    return *m_upSide;
}

void ProxyConnection::upstreamConnecting(qint64 nowNs)
{
    m_now = nowNs;
    m_hop.connecting(nowNs);
}

QString ProxyConnection::describe() const
{
    return m_config.forward ? tr("proxy %1, forward").arg(proxyModeName(m_config.mode))
                            : tr("proxy %1 to %2").arg(proxyModeName(m_config.mode), m_config.upstream.toString());
}

QByteArray ProxyConnection::errorContent(const QString &code, const QString &reason) const
{
    const QJsonObject o{{QStringLiteral("error"), code},
                        {QStringLiteral("reason"), reason},
                        {QStringLiteral("proxy"), proxyModeName(m_config.mode)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void ProxyConnection::requestHead(const MessageHead &request)
{
    m_cur = std::make_unique<Current>();
    Current &c = *m_cur;
    c.exchange = m_ids->nextExchange++;
    m_exchangeOfRequest.append({m_server->requestCount(), c.exchange});
    if (m_exchangeOfRequest.size() > kRecentRequests)
        m_exchangeOfRequest.removeFirst();
    c.request = request;
    const ExpectField expect = readExpect(request);
    const bool hasExpect = expect.present && !expect.isEmpty();
    c.announcesContent = request.announcesContent();
    c.expectContinue = expect.isContinue() && !request.isHttp10() && c.announcesContent;
    c.keepAlive =
        !request.hasConnectionToken("close") && (!request.isHttp10() || request.hasConnectionToken("keep-alive"));
    c.route = routeOf(request);
    if (c.route.refusal != 0) {
        answerLocally(c.route.refusal,
                      c.route.refusal == 403   ? QStringLiteral("forbidden_target")
                      : c.route.refusal == 405 ? QStringLiteral("method_not_allowed")
                                               : QStringLiteral("bad_target"),
                      c.route.why, QString(), ProxyDecision::RefusedTarget);
        return;
    }
    if (c.route.tunnel) {
        decide(ProxyDecision::Tunnel, Hop::Upstream,
               tr("CONNECT %1: a tunnel, recorded as bytes each way (not decrypted)").arg(displayText(request.target)),
               QString());
        c.upstreamStarted = true;
        m_hop.startTunnel(c.route.origin, c.exchange, m_now);
        return;
    }

    bool keepExpect = true;
    switch (m_config.mode) {
    case ProxyMode::Transparent:
        if (hasExpect)
            decide(ProxyDecision::ForwardExpect, Hop::Upstream,
                   tr("Expect goes to the upstream unchanged: its decision reaches the client (R13)"),
                   QStringLiteral("R13"));
        if (c.expectContinue) {
            c.body = Current::Body::Hold;
            decide(ProxyDecision::HoldBody, Hop::Downstream,
                   m_config.expectTimeoutMs > 0
                       ? tr("the body waits for the upstream's 100 or final (at most %1 ms after the head left, R5)")
                             .arg(m_config.expectTimeoutMs)
                       : tr("the body waits for the upstream's 100 or final"),
                   QStringLiteral("R13"));
        }
        m_actions->readBody();
        break;
    case ProxyMode::RejectExpect:
        if (hasExpect) {
            const QString why = tr("417 to any Expect, without asking the upstream (Squid 2.7, old lighttpd)");
            decide(ProxyDecision::RejectExpect, Hop::Downstream, why, QStringLiteral("R6"));
            c.finalStarted = c.answered = true;
            m_actions->refuseExpectation(errorContent(QStringLiteral("expectation_failed"), why), why,
                                         QStringLiteral("R6"));
            return;
        }
        m_actions->readBody();
        break;
    case ProxyMode::Answer100:
    case ProxyMode::Buffer:
    case ProxyMode::Http10Upstream:
    case ProxyMode::Double100: {
        keepExpect = m_config.mode == ProxyMode::Double100;
        if (c.expectContinue) {
            const QString why = tr("the proxy's own 100, at once (%1)").arg(proxyModeInfo(m_config.mode).reproduces);
            if (m_actions->continueNow(why, QStringLiteral("R13"))) {
                c.own100 = true;
                decide(ProxyDecision::Own100, Hop::Downstream, why, QStringLiteral("R13"));
            }
        } else {
            m_actions->readBody();
        }
        if (m_config.mode == ProxyMode::Double100 && c.expectContinue) {
            // The origin answers the forwarded Expect with a 100 of its own only while it has no body:
            // the body waits for it, as the client's second 100 (Traefik forwarded the head first).
            c.body = Current::Body::Hold;
            decide(ProxyDecision::HoldBody, Hop::Downstream,
                   tr("the body waits for the upstream's 100, which is relayed too"), QStringLiteral("R17"));
        }
        if (m_config.mode == ProxyMode::Http10Upstream)
            decide(ProxyDecision::Http10Upstream, Hop::Upstream,
                   tr("the upstream hop speaks HTTP/1.0: Expect cannot pass it (R7), 1xx cannot come back (R15)"),
                   QStringLiteral("R7"));
        const bool chunkedOverHttp10 = m_config.mode == ProxyMode::Http10Upstream && request.isChunked();
        if ((m_config.mode == ProxyMode::Buffer && c.announcesContent) || chunkedOverHttp10) {
            c.body = Current::Body::Buffer;
            decide(ProxyDecision::BufferBody, Hop::Downstream,
                   chunkedOverHttp10 ? tr("a chunked body cannot cross an HTTP/1.0 hop: read whole first")
                                     : tr("the whole body is read before the upstream sees the request"),
                   QStringLiteral("R13"));
        }
        break;
    }
    case ProxyMode::StripExpect:
        keepExpect = false;
        m_actions->readBody();
        break;
    }
    if (m_server->isAnswered()) { // the server core's own limits answered (413 over the body limit)
        c.finalStarted = c.answered = true;
        return;
    }
    if (!keepExpect && hasExpect)
        decide(ProxyDecision::StripExpect, Hop::Upstream,
               c.own100 ? tr("Expect removed upstream: the origin cannot refuse the body early")
                        : tr("Expect removed upstream, and no 100 from the proxy: the client waits out its timer (R5)"),
               c.own100 ? QStringLiteral("R13") : QStringLiteral("R5"));
    c.upstreamHead = upstreamRequest(request, c.route, keepExpect);
    if (c.body != Current::Body::Buffer || !c.announcesContent)
        startUpstream();
}

void ProxyConnection::requestBody(QByteArrayView data)
{
    if (!m_cur || m_cur->answered || m_cur->finalStarted)
        return;
    Current &c = *m_cur;
    c.bodyIn += data.size();
    if (c.body != Current::Body::Buffer) {
        m_hop.sendData(data.toByteArray(), m_now);
        return;
    }
    if (!c.spool)
        c.spool = std::make_unique<BodySpool>(m_config.spoolMemoryBytes);
    QString error;
    if (!c.spool->append(data, &error))
        answerLocally(500, QStringLiteral("spool_failed"), error, QString(), ProxyDecision::BadGateway);
}

void ProxyConnection::requestEnd(const Responder::RequestFacts &)
{
    if (!m_cur || m_cur->answered)
        return;
    Current &c = *m_cur;
    c.requestDone = true;
    if (c.finalStarted || !c.announcesContent)
        return;
    if (c.body != Current::Body::Buffer) {
        m_hop.sendEnd(m_now);
        return;
    }
    const qint64 size = c.spool ? c.spool->size() : 0;
    decide(ProxyDecision::Buffered, Hop::Downstream,
           c.spool && c.spool->onDisk() ? tr("the whole body is here (%1 bytes, spooled to a temporary file): the "
                                             "request goes upstream without Expect")
                                              .arg(size)
                                        : tr("the whole body is here (%1 bytes): the request goes upstream without "
                                             "Expect")
                                              .arg(size),
           QStringLiteral("R13"), size);
    removeHeader(c.upstreamHead.headers, "Transfer-Encoding");
    setHeader(c.upstreamHead.headers, "Content-Length", QByteArray::number(size));
    startUpstream();
}

bool ProxyConnection::wantsBody() const
{
    if (m_cur && m_cur->tunnelOpen)
        return m_hop.backlog() < kRelayWindow;
    if (!m_cur || m_cur->answered || m_cur->finalStarted)
        return true; // whatever comes is discarded by the server core
    switch (m_cur->body) {
    case Current::Body::Hold: return false;
    case Current::Body::Buffer: return true;
    case Current::Body::Stream: return m_hop.backlog() < kRelayWindow;
    }
    return true;
}

void ProxyConnection::startUpstream()
{
    Current &c = *m_cur;
    c.upstreamStarted = true;
    m_hop.startRequest(c.route.origin, c.upstreamHead, c.exchange, m_now);
    if (c.body == Current::Body::Buffer && c.announcesContent)
        feedFromSpool();
}

void ProxyConnection::feedFromSpool()
{
    Current &c = *m_cur;
    if (!c.spool) {
        m_hop.sendEnd(m_now);
        return;
    }
    while (c.spool->remaining() > 0 && m_hop.backlog() < kRelayWindow) {
        QString error;
        const QByteArray slice = c.spool->read(kSpoolSlice, &error);
        if (slice.isEmpty()) {
            m_hop.abort(error, m_now);
            answerLocally(500, QStringLiteral("spool_failed"), error, QString(), ProxyDecision::BadGateway);
            return;
        }
        m_hop.sendData(slice, m_now);
    }
    if (c.spool->remaining() == 0) {
        m_hop.sendEnd(m_now);
        c.spool.reset(); // the temporary file goes as soon as its last byte is queued
    }
}

void ProxyConnection::upstreamHeadSent(qint64 tNs)
{
    if (m_cur && m_cur->body == Current::Body::Hold && m_config.expectTimeoutMs > 0)
        m_cur->holdDeadlineNs = tNs + m_config.expectTimeoutMs * kMs;
}

void ProxyConnection::upstreamHead(const MessageHead &head)
{
    if (!m_cur || m_cur->answered)
        return;
    Current &c = *m_cur;
    if (head.isInterim()) {
        // Any 1xx ends the wait, as in h11: the upstream is alive and has read the head.
        if (c.body == Current::Body::Hold)
            releaseHold(tr("the upstream sent %1: the body may pass").arg(head.status), QStringLiteral("R13"));
        if (c.finalStarted)
            return;
        if (head.status == 100 && c.own100 && m_config.mode != ProxyMode::Double100) {
            decide(ProxyDecision::DropInterim, Hop::Upstream,
                   tr("the upstream's 100 is not relayed: the proxy sent its own (R18)"), QStringLiteral("R18"));
            return;
        }
        const bool second = head.status == 100 && c.own100;
        m_actions->relayInterim(relayedInterim(head),
                                second ? tr("the upstream's 100, relayed after the proxy's own: a second 100")
                                       : tr("relayed from the upstream"),
                                second ? QStringLiteral("R17") : QStringLiteral("R18"));
        return;
    }
    const bool early = c.announcesContent && !c.requestDone;
    if (c.body == Current::Body::Hold) {
        c.body = Current::Body::Stream;
        c.holdDeadlineNs.reset();
        decide(ProxyDecision::StopUpload, Hop::Upstream,
               tr("the upstream answered %1 before the body: the held body is not forwarded (R21)").arg(head.status),
               QStringLiteral("R21"));
    } else if (early && c.upstreamStarted) {
        decide(ProxyDecision::StopUpload, Hop::Upstream,
               tr("the upstream answered %1 after %2 body bytes: the rest is not forwarded (R21)")
                   .arg(head.status)
                   .arg(c.bodyIn),
               QStringLiteral("R21"));
    }
    if (early)
        m_hop.stopBody(m_now);
    c.finalStarted = true;
    // As the origin said: a close before the whole body closes the client's connection too; without
    // one the rest of the client's body is read and dropped here, the connection kept (R10, R19).
    const bool originCloses = early && (head.hasConnectionToken("close") || head.isHttp10());
    m_actions->startFinal(relayedFinal(head, c.request), originCloses || !c.keepAlive,
                          originCloses ? tr("relayed from the upstream before the whole body, which closes: the "
                                            "client's connection closes after it (R10)")
                          : early      ? tr("relayed from the upstream before the whole body, which keeps the "
                                                 "connection: the rest of the body is read and dropped (R10, R19)")
                                       : tr("relayed from the upstream"),
                          early ? QStringLiteral("R10") : QString());
}

void ProxyConnection::upstreamData(QByteArrayView data)
{
    if (!m_cur || !m_cur->finalStarted || m_cur->answered)
        return;
    m_actions->sendContent(data.toByteArray());
    noteUpstreamWindow();
}

void ProxyConnection::upstreamEnd()
{
    if (!m_cur || m_cur->answered)
        return;
    m_cur->answered = true;
    m_cur->spool.reset();
    m_actions->endContent();
}

void ProxyConnection::upstreamFailed(ErrorKind kind, const QString &message)
{
    if (!m_cur || m_cur->answered)
        return;
    Current &c = *m_cur;
    if (c.finalStarted) {
        c.answered = true;
        decide(ProxyDecision::BadGateway, Hop::Downstream,
               tr("the upstream failed during its response (%1): the client's response is cut short").arg(message),
               QString());
        m_actions->closeNow(tr("the upstream failed during the response: %1").arg(message));
        return;
    }
    const bool timeout = kind == ErrorKind::Timeout;
    answerLocally(timeout ? 504 : 502, timeout ? QStringLiteral("gateway_timeout") : QStringLiteral("bad_gateway"),
                  tr("upstream %1: %2").arg(c.route.origin.toString(), message), QString(),
                  timeout ? ProxyDecision::GatewayTimeout : ProxyDecision::BadGateway);
}

void ProxyConnection::upstreamDrained()
{
    if (m_cur && !m_cur->answered && m_cur->body == Current::Body::Buffer && m_cur->upstreamStarted)
        feedFromSpool();
}

void ProxyConnection::upstreamTunnelOpen()
{
    if (!m_cur || m_cur->answered)
        return;
    m_cur->tunnelOpen = true;
    m_cur->finalStarted = m_cur->answered = true;
    MessageHead established;
    established.status = 200;
    established.reason = "Connection Established";
    m_actions->startTunnel(established, tr("the tunnel is open"), QString());
}

void ProxyConnection::upstreamTunnelData(QByteArrayView data)
{
    if (!m_cur || !m_cur->tunnelOpen || m_cur->tunnelClosed)
        return;
    m_actions->sendTunnelData(data.toByteArray());
    noteUpstreamWindow();
}

void ProxyConnection::upstreamTunnelClosed(bool reset)
{
    if (!m_cur || !m_cur->tunnelOpen || m_cur->tunnelClosed)
        return;
    const QString why = reset ? tr("the upstream reset the tunnel") : tr("the upstream closed the tunnel");
    noteTunnelClosed(why);
    m_actions->closeGracefully(why);
}

void ProxyConnection::tunnelData(QByteArrayView data)
{
    if (m_cur && m_cur->tunnelOpen && !m_cur->tunnelClosed)
        m_hop.sendData(data.toByteArray(), m_now);
}

void ProxyConnection::noteTunnelClosed(const QString &why)
{
    m_cur->tunnelClosed = true;
    const qint64 fromClient = m_hop.tunnelBytesSent();
    const qint64 fromUpstream = m_hop.tunnelBytesReceived();
    const QString detail =
        tr("%1: %2 bytes from the client, %3 from the upstream").arg(why).arg(fromClient).arg(fromUpstream);
    decide(ProxyDecision::TunnelClosed, Hop::Downstream, detail, QString(), fromClient);
    decide(ProxyDecision::TunnelClosed, Hop::Upstream, detail, QString(), fromUpstream);
}

void ProxyConnection::releaseHold(const QString &why, const QString &rule)
{
    Current &c = *m_cur;
    c.body = Current::Body::Stream;
    c.holdDeadlineNs.reset();
    decide(ProxyDecision::ReleaseBody, Hop::Downstream, why, rule);
}

void ProxyConnection::answerLocally(int status, const QString &code, const QString &why, const QString &rule,
                                    ProxyDecision decision)
{
    Current &c = *m_cur;
    decide(decision, Hop::Downstream, why, rule);
    const bool close = (c.announcesContent && !c.requestDone) || !c.keepAlive;
    c.finalStarted = c.answered = true;
    if (c.upstreamStarted)
        m_hop.stopBody(m_now);
    c.spool.reset();
    m_actions->sendFinal(status, errorContent(code, why), close, why, rule);
}

void ProxyConnection::clientGone(const QString &why)
{
    if (m_cur && m_cur->tunnelOpen && !m_cur->tunnelClosed)
        noteTunnelClosed(why);
    if (m_cur && !m_cur->answered && m_cur->upstreamStarted && m_hop.requestInProgress()) {
        m_cur->answered = true;
        decide(ProxyDecision::ClientGone, Hop::Upstream,
               tr("%1 before its answer: the upstream request is given up").arg(why), QString());
    }
    // Upstream connections live and die with the client's.
    m_hop.abort(why, m_now);
}

void ProxyConnection::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_cur && m_cur->holdDeadlineNs && nowNs >= *m_cur->holdDeadlineNs)
        releaseHold(
            tr("no 100 from the upstream within %1 ms: the body goes anyway (R5)").arg(m_config.expectTimeoutMs),
            QStringLiteral("R5"));
}

std::optional<qint64> ProxyConnection::nextRelayDeadlineNs() const
{
    return m_cur ? m_cur->holdDeadlineNs : std::nullopt;
}

void ProxyConnection::noteUpstreamWindow()
{
    m_hop.setReadWindowFull(m_server->unsentBytes() >= kRelayWindow);
}

void ProxyConnection::afterInput(Hop driven)
{
    if (m_wake)
        m_wake(driven == Hop::Downstream ? Hop::Upstream : Hop::Downstream);
}

void ProxyConnection::decide(ProxyDecision decision, Hop hop, const QString &detail, const QString &rule, qint64 bytes)
{
    const bool down = hop == Hop::Downstream;
    TimelineEvent e = TimelineEvent::at(m_now, down ? Side::Server : Side::Client, down ? m_id : m_hop.connectionId(),
                                        EventKind::Decision, 0, bytes,
                                        QStringLiteral("%1: %2").arg(proxyModeName(m_config.mode), detail), rule);
    e.hop = hop;
    e.exchange = m_cur ? m_cur->exchange : 0;
    e.decision = decision;
    if (down)
        e.request = m_server->requestCount();
    m_decisions.append(e);
}

QList<TimelineEvent> ProxyConnection::takeDownstreamEvents()
{
    QList<TimelineEvent> out = std::exchange(m_decisions, {});
    for (TimelineEvent e : m_server->takeEvents()) {
        e.hop = Hop::Downstream;
        for (const auto &[request, exchange] : std::as_const(m_exchangeOfRequest)) {
            if (request == e.request)
                e.exchange = exchange;
        }
        out.append(e);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return out;
}

QList<TimelineEvent> ProxyConnection::takeUpstreamEvents()
{
    QList<TimelineEvent> out = std::exchange(m_decisions, {});
    out.append(m_hop.takeEvents());
    std::stable_sort(out.begin(), out.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return out;
}

ProxyConnection::Route ProxyConnection::routeOf(const MessageHead &request) const
{
    Route r;
    if (!m_config.forward && request.method == "CONNECT") {
        r.refusal = 405;
        r.why = tr("CONNECT asks for a tunnel: this is a reverse proxy (a forward proxy, --forward, opens them)");
        return r;
    }
    if (!m_config.forward) {
        r.origin = originOf(m_config.upstream);
        r.target = request.target;
        r.host = m_config.keepHost ? request.header("Host").value_or(QByteArray()) : authorityOf(m_config.upstream);
        return r;
    }
    if (request.method == "CONNECT") {
        // Authority-form (RFC 9112 3.2.3): host:port, the host in brackets when IPv6.
        const QUrl authority(QStringLiteral("http://") + QString::fromLatin1(request.target), QUrl::StrictMode);
        if (!authority.isValid() || authority.host().isEmpty() || authority.port() <= 0 ||
            !authority.path().isEmpty()) {
            r.refusal = 400;
            r.why = tr("CONNECT needs host:port as its target, not '%1'").arg(displayText(request.target));
            return r;
        }
        if (!m_config.allowRemote && !isLoopbackHost(authority.host())) {
            r.refusal = 403;
            r.why = tr("%1 is not a loopback address: this proxy tunnels to 127.0.0.1, ::1 and localhost only "
                       "(--allow-remote lifts this)")
                        .arg(authority.host());
            return r;
        }
        r.tunnel = true;
        r.origin = originOf(authority);
        return r;
    }
    const QUrl url(QString::fromLatin1(request.target), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("http") || url.host().isEmpty()) {
        r.refusal = 400;
        r.why = tr("a forward proxy needs an absolute http:// URL as the request target, not '%1'")
                    .arg(displayText(request.target));
        return r;
    }
    if (!m_config.allowRemote && !isLoopbackHost(url.host())) {
        r.refusal = 403;
        r.why = tr("%1 is not a loopback address: this proxy forwards to 127.0.0.1, ::1 and localhost only "
                   "(--allow-remote lifts this)")
                    .arg(url.host());
        return r;
    }
    r.origin = originOf(url);
    r.target = originFormTarget(url);
    r.host = authorityOf(url);
    return r;
}

MessageHead ProxyConnection::upstreamRequest(const MessageHead &request, const Route &route, bool keepExpect) const
{
    MessageHead h;
    h.method = request.method;
    h.target = route.target;
    const bool http10 = m_config.mode == ProxyMode::Http10Upstream;
    h.versionMinor = http10 ? 0 : 1;
    h.headers.append(HttpHeader("Host", route.host));
    for (const HttpHeader &f : withoutHopByHop(request.headers)) {
        if (f.first.compare("Host", Qt::CaseInsensitive) == 0)
            continue;
        if (!keepExpect && f.first.compare("Expect", Qt::CaseInsensitive) == 0)
            continue;
        h.headers.append(f);
    }
    h.headers.append(viaField(request));
    if (http10)
        h.headers.append(HttpHeader("Connection", "close")); // no keep-alive over the HTTP/1.0 hop
    return h;
}

} // namespace expectlab
