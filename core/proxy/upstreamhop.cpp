#include "upstreamhop.h"

#include "proxyids.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("UpstreamHop", text);
}

constexpr qint64 kMs = 1'000'000;

QString authorityOf(const QUrl &origin)
{
    return QStringLiteral("%1:%2").arg(origin.host()).arg(origin.port());
}
} // namespace

UpstreamHop::UpstreamHop(Listener *listener, ProxyIds *ids, int connectTimeoutMs, int answerTimeoutMs)
    : m_listener(listener)
    , m_ids(ids)
    , m_connectTimeoutMs(connectTimeoutMs)
    , m_answerTimeoutMs(answerTimeoutMs)
{}

UpstreamHop::~UpstreamHop() = default;

void UpstreamHop::startRequest(const QUrl &origin, const MessageHead &head, int exchange, qint64 nowNs)
{
    m_now = nowNs;
    m_exchange = exchange;
    m_head = head;
    m_headQueued = m_bodyDone = m_bodyStopped = m_finalReceived = m_pendingEnd = false;
    m_headIsHead = head.method == "HEAD";
    m_bodySent = m_responseBytes = 0;
    m_pendingBody.clear();
    if (m_state == State::Open && m_reusable && m_origin == origin) {
        queueRequest(); // keep-alive: the same connection
        return;
    }
    if (m_state == State::None) {
        m_origin = origin;
        m_state = State::Wanted;
        return;
    }
    // A connection that cannot carry this request: it goes, and a new one follows (streamClosed).
    closeConnection(m_origin == origin ? tr("the connection cannot be reused") : tr("the next request goes elsewhere"));
    m_origin = origin;
}

void UpstreamHop::startTunnel(const QUrl &origin, int exchange, qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::None)
        closeConnection(tr("a tunnel needs a connection of its own"));
    m_exchange = exchange;
    m_head = MessageHead();
    m_headQueued = true; // nothing of HTTP's goes on it
    m_tunnel = true;
    m_tunnelConnId = -1; // the connection it gets is made after this
    m_tunnelPieces.clear();
    m_tunnelOut.reset();
    m_tunnelIn = 0;
    m_origin = origin;
    if (m_state == State::None)
        m_state = State::Wanted;
}

void UpstreamHop::connecting(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Wanted)
        return;
    m_state = State::Connecting;
    m_connId = m_ids->nextUpstream++;
    if (m_tunnel)
        m_tunnelConnId = m_connId;
    ClientConnection::Rules rules;
    rules.maxHeadBytes = kMaxResponseHeadBytes;
    rules.maxInterims = kMaxInterims;
    m_conn = std::make_unique<ClientConnection>(static_cast<ClientConnection::Listener *>(this), rules);
    m_wire = WireLog();
    m_endpoints = Endpoints();
    m_requestsOnConnection = 0;
    m_reusable = false;
    m_closeWhy.clear();
    m_closedBy = Closer::Unknown;
    m_peerReset = false;
    if (m_connectTimeoutMs > 0)
        m_connectDeadlineNs = nowNs + m_connectTimeoutMs * kMs;
    emitEvent(event(EventKind::Connect, 0, -1, tr("%1 (upstream)").arg(authorityOf(m_origin))));
    // The request waits in the connection's queue; the pump takes it once the connection is up.
    if (m_exchange != 0 && !m_tunnel)
        queueRequest();
}

void UpstreamHop::queueRequest()
{
    ++m_requestsOnConnection;
    m_headQueued = true;
    const QByteArray bytes = m_head.serializeRequest();
    QString detail = QStringLiteral("%1 %2 HTTP/%3.%4")
                         .arg(displayText(m_head.method), displayText(m_head.target))
                         .arg(m_head.versionMajor)
                         .arg(m_head.versionMinor);
    if (const auto expect = m_head.combinedHeader("Expect"))
        detail += QStringLiteral("; Expect: %1").arg(displayText(*expect));
    m_conn->sendHead(m_head, event(EventKind::HeadSent, 0, bytes.size(), detail).withHead(m_head));
    const QList<QByteArray> pending = std::exchange(m_pendingBody, {});
    for (const QByteArray &data : pending)
        sendData(data, m_now);
    if (std::exchange(m_pendingEnd, false))
        sendEnd(m_now);
}

void UpstreamHop::sendData(const QByteArray &data, qint64 nowNs)
{
    m_now = nowNs;
    if (data.isEmpty() || m_exchange == 0 || m_bodyStopped || m_bodyDone)
        return;
    if (m_tunnel) {
        m_tunnelOut.queue(data, true);
        m_tunnelPieces << data;
        return;
    }
    if (!m_headQueued) {
        m_pendingBody.append(data);
        return;
    }
    const bool first = m_bodySent == 0;
    m_bodySent += data.size();
    m_conn->sendData(data, first ? std::optional(event(EventKind::BodyStart, 0, data.size())) : std::nullopt);
}

void UpstreamHop::sendEnd(qint64 nowNs)
{
    m_now = nowNs;
    if (m_exchange == 0 || m_bodyStopped || m_bodyDone)
        return;
    if (!m_headQueued) {
        m_pendingEnd = true;
        return;
    }
    m_bodyDone = true;
    const bool emptyChunked = m_bodySent == 0 && m_head.isChunked();
    m_conn->sendEnd(event(EventKind::BodyDone, 0, m_bodySent),
                    emptyChunked ? std::optional(event(EventKind::BodyStart, 0, 0)) : std::nullopt);
}

void UpstreamHop::stopBody(qint64 nowNs)
{
    m_now = nowNs;
    if (m_bodyDone || m_bodyStopped)
        return;
    m_bodyStopped = true;
    m_pendingBody.clear();
    m_pendingEnd = false;
    m_reusable = false;
}

void UpstreamHop::abort(const QString &why, qint64 nowNs)
{
    m_now = nowNs;
    m_pendingBody.clear();
    endRequest();
    closeConnection(why);
}

qint64 UpstreamHop::backlog() const
{
    qint64 pending = 0;
    for (const QByteArray &data : m_pendingBody)
        pending += data.size();
    if (m_tunnel)
        return m_tunnelOut.unsent();
    return pending + (m_conn ? m_conn->bytesQueued() - m_conn->bytesSent() : 0);
}

void UpstreamHop::streamConnected(qint64 nowNs, const Endpoints &endpoints)
{
    m_now = nowNs;
    if (m_state != State::Connecting)
        return;
    TimelineEvent e = event(EventKind::Connected, 0, -1,
                            tr("%1:%2 from %3:%4")
                                .arg(endpoints.peerAddress.toString())
                                .arg(endpoints.peerPort)
                                .arg(endpoints.localAddress.toString())
                                .arg(endpoints.localPort));
    e.endpoints = std::make_shared<const Endpoints>(endpoints);
    emitEvent(e);
    m_endpoints = endpoints;
    // Over TLS the connection is usable once the handshake is done (streamTlsDone).
    if (m_origin.scheme() != QLatin1String("https") || m_tunnel) {
        m_state = State::Open;
        m_connectDeadlineNs.reset();
        if (m_tunnel)
            m_listener->upstreamTunnelOpen();
        else
            armAnswerDeadline();
    }
}

void UpstreamHop::streamTlsStarted(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Connecting)
        emitEvent(event(EventKind::TlsStart, 0, -1,
                        tr("TLS handshake with %1, offering ALPN http/1.1").arg(m_origin.host())));
}

void UpstreamHop::streamTlsDone(qint64 nowNs, const TlsFacts &facts)
{
    m_now = nowNs;
    if (m_state != State::Connecting)
        return;
    TimelineEvent e =
        event(EventKind::TlsDone, 0, -1,
              tr("%1, %2, ALPN %3").arg(facts.protocol, facts.cipher, facts.alpn.isEmpty() ? tr("none") : facts.alpn));
    e.tls = std::make_shared<const TlsFacts>(facts);
    emitEvent(e);
    m_state = State::Open;
    m_connectDeadlineNs.reset();
    armAnswerDeadline();
}

void UpstreamHop::streamReceived(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (!m_conn || data.isEmpty() || m_state == State::Closing)
        return;
    if (m_tunnel) {
        m_tunnelIn += data.size();
        m_wire.add(WireLog::Direction::Received, nowNs, data, true);
        m_listener->upstreamTunnelData(data);
        return;
    }
    if (m_exchange == 0) {
        // Nobody asked: an idle keep-alive connection that speaks anyway cannot be trusted again.
        m_wire.add(WireLog::Direction::Received, nowNs, data, false);
        emitEvent(event(EventKind::Error, 0, data.size(),
                        tr("the upstream sent %1 bytes on an idle connection").arg(data.size()))
                      .withError(ErrorKind::MalformedResponse));
        closeConnection(tr("unsolicited bytes from the upstream"));
        return;
    }
    armAnswerDeadline();
    m_conn->receive(data, nowNs);
}

void UpstreamHop::streamSent(qint64 bytes, qint64 nowNs, qint64)
{
    m_now = nowNs;
    if (!m_conn)
        return;
    if (m_tunnel) {
        QList<TimelineEvent> none;
        m_tunnelOut.handed(bytes, nowNs, m_wire, none);
        m_listener->upstreamDrained();
        return;
    }
    m_conn->sent(bytes, nowNs);
    armAnswerDeadline(); // the upload is progress too: no answer is owed while the body goes
    m_listener->upstreamDrained();
}

void UpstreamHop::streamPeerClosed(qint64 nowNs, bool reset)
{
    m_now = nowNs;
    if (!m_conn || m_state == State::None)
        return;
    if (m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Peer;
    m_peerReset = m_peerReset || reset;
    if (m_tunnel) {
        m_listener->upstreamTunnelClosed(reset);
        closeConnection(reset ? tr("the upstream reset the tunnel") : tr("the upstream closed the tunnel"));
        return;
    }
    const std::optional<QString> cut = m_conn->peerClosed(); // completes a body delimited by the close
    if (m_exchange != 0) {
        const ErrorKind kind = reset ? ErrorKind::Reset : ErrorKind::ClosedEarly;
        QString why;
        if (!m_finalReceived)
            why = reset ? tr("the upstream reset the connection before a final response")
                        : tr("the upstream closed the connection before a final response");
        else
            why = (reset ? tr("the upstream reset the connection during the response body after %1 bytes")
                         : tr("the upstream closed the connection during the response body after %1 bytes"))
                      .arg(m_responseBytes);
        if (cut)
            why += QStringLiteral(": %1").arg(*cut);
        fail(kind, why);
    }
    closeConnection(reset ? tr("the upstream reset the connection") : tr("the upstream closed the connection"));
}

void UpstreamHop::streamFailed(qint64 nowNs, const QString &message, ErrorKind kind)
{
    m_now = nowNs;
    if (m_state == State::None)
        return;
    if (kind == ErrorKind::Reset) {
        m_peerReset = true;
        if (m_closedBy == Closer::Unknown)
            m_closedBy = Closer::Peer;
    }
    if (m_exchange != 0)
        fail(kind, message);
    else
        emitEvent(event(EventKind::Error, 0, -1, message).withError(kind));
    closeConnection(message);
}

void UpstreamHop::streamClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::None || m_state == State::Wanted)
        return;
    if (m_conn)
        m_conn->abandon(nowNs);
    TimelineEvent closed = event(EventKind::Closed, 0, -1, m_closeWhy.isEmpty() ? tr("closed") : m_closeWhy);
    closed.closedBy = m_closedBy == Closer::Unknown ? Closer::Local : m_closedBy;
    closed.reset = m_peerReset;
    emitEvent(closed);
    m_connectDeadlineNs.reset();
    m_answerDeadlineNs.reset();
    m_reusable = false;
    if (m_tunnel && m_connId != m_tunnelConnId) {
        // The connection that went was the one before the tunnel: the tunnel's own comes now.
        m_state = State::Wanted;
        return;
    }
    if (m_tunnel) {
        m_tunnel = false;
        m_state = State::None;
        endRequest();
        return;
    }
    // A request that waited for this connection to go gets a new one.
    m_state = m_exchange != 0 && !m_headQueued ? State::Wanted : State::None;
    if (m_exchange != 0 && m_headQueued)
        fail(ErrorKind::ClosedEarly, tr("the upstream connection ended before a final response"));
}

void UpstreamHop::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_connectDeadlineNs && nowNs >= *m_connectDeadlineNs) {
        m_connectDeadlineNs.reset();
        const QString why = tr("no connection to %1 within %2 ms").arg(authorityOf(m_origin)).arg(m_connectTimeoutMs);
        if (m_exchange != 0)
            fail(ErrorKind::ConnectFailed, why);
        closeConnection(why);
    }
    if (m_answerDeadlineNs && nowNs >= *m_answerDeadlineNs) {
        m_answerDeadlineNs.reset();
        const QString why = tr("the upstream sent nothing for %1 ms").arg(m_answerTimeoutMs);
        if (m_exchange != 0)
            fail(ErrorKind::Timeout, why);
        closeConnection(why); // what it sends later would answer nobody
    }
}

QByteArray UpstreamHop::takeOutput(qint64, qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Open || !m_conn)
        return {};
    if (m_tunnel)
        return m_tunnelPieces.isEmpty() ? QByteArray() : m_tunnelPieces.takeFirst();
    return m_conn->takeOutput();
}

bool UpstreamHop::wantsInput() const
{
    return !m_readWindowFull;
}

std::optional<qint64> UpstreamHop::nextDeadlineNs() const
{
    if (m_connectDeadlineNs && (!m_answerDeadlineNs || *m_connectDeadlineNs < *m_answerDeadlineNs))
        return m_connectDeadlineNs;
    return m_answerDeadlineNs;
}

HttpParser::HeadAction UpstreamHop::responseHead(const MessageHead &head)
{
    QString detail = QStringLiteral("%1 %2").arg(head.status).arg(displayText(head.reason));
    if (head.isInterim()) {
        emitEvent(event(EventKind::Interim, head.status, -1, detail, QStringLiteral("R17")).withHead(head));
        m_listener->upstreamHead(head);
        return HttpParser::HeadAction::Continue;
    }
    m_finalReceived = true;
    QString rule;
    if (!m_bodyDone && (m_bodySent > 0 || m_head.announcesContent())) {
        detail += tr("; before the whole body");
        rule = QStringLiteral("R21");
    }
    emitEvent(event(EventKind::Final, head.status, -1, detail, rule).withHead(head));
    m_listener->upstreamHead(head);
    return m_headIsHead ? HttpParser::HeadAction::SkipBody : HttpParser::HeadAction::Continue;
}

void UpstreamHop::responseData(QByteArrayView data)
{
    m_responseBytes += data.size();
    m_listener->upstreamData(data);
}

void UpstreamHop::responseEnd()
{
    emitEvent(event(EventKind::ResponseDone, 0, m_responseBytes));
    m_reusable = connectionReusable();
    endRequest();
    if (!m_reusable)
        closeConnection(tr("response complete; the connection is not reused"));
    m_listener->upstreamEnd();
}

void UpstreamHop::responseFailed(ErrorKind kind, const QString &message)
{
    fail(kind, message);
    closeConnection(message);
}

void UpstreamHop::outputEvent(const TimelineEvent &e)
{
    TimelineEvent out = e;
    if (out.notSent)
        out.detail += tr(" (not sent: the connection was gone)");
    emitEvent(out);
    if (e.kind == EventKind::HeadSent && !e.notSent) {
        armAnswerDeadline();
        m_listener->upstreamHeadSent(e.tNs);
    }
}

bool UpstreamHop::connectionReusable() const
{
    const bool bodyComplete = m_bodyDone || !m_head.announcesContent();
    return m_conn && m_conn->keepAlive() && bodyComplete && !m_bodyStopped && !m_head.isHttp10() &&
           !m_head.hasConnectionToken("close");
}

void UpstreamHop::endRequest()
{
    m_exchange = 0;
    m_answerDeadlineNs.reset();
}

void UpstreamHop::armAnswerDeadline()
{
    if (m_exchange != 0 && m_headQueued && m_state == State::Open && m_answerTimeoutMs > 0)
        m_answerDeadlineNs = m_now + m_answerTimeoutMs * kMs;
}

void UpstreamHop::fail(ErrorKind kind, const QString &message)
{
    if (m_exchange == 0)
        return;
    TimelineEvent e = event(EventKind::Error, 0, -1, message).withError(kind);
    e.reset = kind == ErrorKind::Reset;
    emitEvent(e);
    endRequest();
    m_reusable = false;
    m_listener->upstreamFailed(kind, message);
}

void UpstreamHop::closeConnection(const QString &why)
{
    m_reusable = false;
    if (m_closeWhy.isEmpty())
        m_closeWhy = why;
    if (m_state == State::Wanted) {
        m_state = State::None;
    } else if (m_state == State::Connecting || m_state == State::Open) {
        if (m_closedBy == Closer::Unknown)
            m_closedBy = Closer::Local;
        m_state = State::Closing;
    }
    m_connectDeadlineNs.reset();
    m_answerDeadlineNs.reset();
}

TimelineEvent UpstreamHop::event(EventKind kind, int status, qint64 bytes, const QString &detail,
                                 const QString &rule) const
{
    TimelineEvent e = TimelineEvent::at(m_now, Side::Client, m_connId, kind, status, bytes, detail, rule)
                          .withRequest(m_requestsOnConnection);
    e.hop = Hop::Upstream;
    e.exchange = m_exchange;
    return e;
}

} // namespace expectlab
