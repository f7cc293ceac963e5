#include "serverconnection.h"

#include "policyresponder.h"
#include "requestcheck.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ServerConnection", text);
}

constexpr qint64 kMs = 1'000'000;
} // namespace

ServerConnection::ServerConnection(int id, const ServerPolicy &policy, qint64 nowNs, const ServerLimits &limits,
                                   const Endpoints &endpoints)
    : ServerConnection(id, std::make_unique<PolicyResponder>(policy), nowNs, limits, endpoints)
{}

ServerConnection::~ServerConnection() = default;

ServerConnection::ServerConnection(int id, std::unique_ptr<Responder> responder, qint64 nowNs,
                                   const ServerLimits &limits, const Endpoints &endpoints)
    : m_id(id)
    , m_responder(std::move(responder))
    , m_limits(limits)
    , m_parser(HttpParser::Kind::Request, this)
    , m_now(nowNs)
{
    m_parser.setPauseAfterMessage(true);
    // The raw head limit is ours (431, below); the parser's bounds the trailer section, which no
    // other limit sees.
    m_parser.setMaxHeadBytes(m_limits.maxHeadBytes);
    if (m_limits.headTimeoutMs > 0)
        m_headDeadlineNs = nowNs + m_limits.headTimeoutMs * kMs;
    TimelineEvent accepted = event(EventKind::Accepted, 0, -1, m_responder->describe());
    if (!endpoints.peerAddress.isNull())
        accepted.endpoints = std::make_shared<const Endpoints>(endpoints);
    emitEvent(accepted);
}

void ServerConnection::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (m_closed || data.isEmpty())
        return;
    if (!m_heldInput.isEmpty()) {
        // Input is held (our output waits unread): what comes meanwhile queues behind it.
        m_heldInput.append(data);
        return;
    }
    consume(data);
}

void ServerConnection::resumeInput(qint64 nowNs)
{
    m_now = nowNs;
    if (m_closed || m_heldInput.isEmpty() || !wantsInput())
        return;
    const QByteArray held = std::exchange(m_heldInput, QByteArray());
    consume(held);
}

void ServerConnection::consume(QByteArrayView data)
{
    if (m_tunnel) {
        if (m_closeMode == CloseMode::None) {
            m_wire.add(WireLog::Direction::Received, m_now, data, true);
            m_responder->tunnelData(data, *this);
        }
        return;
    }
    if (m_closeMode != CloseMode::None || m_silenced) {
        // After an early answer the rest is not parsed: it is what the client sent before it saw
        // our answer (R19: we close instead of reading it as the next request).
        discard(data);
        return;
    }
    if (m_idleDeadlineNs && headPhase()) {
        // The first byte of the next request: from now on the head has headTimeoutMs to complete.
        m_idleDeadlineNs.reset();
        if (m_limits.headTimeoutMs > 0)
            m_headDeadlineNs = m_now + m_limits.headTimeoutMs * kMs;
    }
    qsizetype offset = 0;
    while (offset < data.size() && m_closeMode == CloseMode::None && !m_silenced) {
        if (!wantsInput()) {
            // Pipelined requests from a peer that reads none of our answers: parse no more of them
            // until it does (case 9); the rest waits here, bounded by what the adapter read at once.
            m_heldInput = data.sliced(offset).toByteArray();
            return;
        }
        QByteArrayView rest = data.sliced(offset);
        const bool inHead = headPhase();
        if (inHead && m_limits.maxHeadBytes > 0) {
            // Feed no more than one byte past the limit, so an oversized head is caught however
            // it is split.
            rest = rest.first(qMin(rest.size(), qMax<qint64>(1, m_limits.maxHeadBytes - m_headBytes + 1)));
        }
        const HttpParser::Result r = m_parser.feed(rest);
        m_wire.add(WireLog::Direction::Received, m_now, rest.first(r.consumed), !inHead);
        offset += r.consumed;
        if (inHead)
            m_headBytes += r.consumed;
        const bool headTooLarge = inHead && m_limits.maxHeadBytes > 0 && m_headBytes > m_limits.maxHeadBytes;
        if (headTooLarge && (r.status != HttpParser::Status::Error || m_headPending)) {
            // The head is over the limit even when its last byte completed it (65,537 bytes against
            // 64 KiB): 431 before any decision.
            m_headPending = false;
            emitEvent(event(EventKind::Error, 431, m_headBytes).withError(ErrorKind::HeadTooLarge));
            sendError(431, QStringLiteral("request_header_fields_too_large"),
                      tr("request head larger than %1 bytes").arg(m_limits.maxHeadBytes), QString());
            break;
        }
        if (r.status == HttpParser::Status::Stopped)
            break; // we answered mid-body (413, close-mid-body): the rest is discarded below
        if (r.status == HttpParser::Status::Error) {
            const QString reason = tr("malformed request: %1").arg(m_parser.errorReason());
            emitEvent(event(EventKind::Error, 400, -1, reason).withError(ErrorKind::MalformedRequest));
            sendError(400, QStringLiteral("bad_request"), reason, QString());
            break;
        }
        if (r.status == HttpParser::Status::Paused && m_headPending) {
            m_moreInSegment = offset < data.size();
            headComplete();
            if (offset == data.size() && m_closeMode == CloseMode::None)
                m_parser.feed({}); // completes a request without a body now, not on the next bytes
            continue;
        }
    }
    if (offset < data.size())
        discard(data.sliced(offset));
}

void ServerConnection::discard(QByteArrayView data)
{
    // Before our early answer left, or already in the kernel's queue when it left (the adapter said
    // how much, at sent()): either way the client sent it without having seen the answer.
    const bool answerOut = m_earlyAnswerOffset && m_out.sent() > *m_earlyAnswerOffset;
    qint64 before = 0;
    if (m_earlyAnswerOffset && !answerOut) {
        before = data.size();
    } else if (m_waitingAtAnswer > 0) {
        before = qMin<qint64>(data.size(), m_waitingAtAnswer);
        m_waitingAtAnswer -= before;
    }
    if (!m_discardNoted && m_bodyBytes == 0 && m_request.announcesContent() && m_requestCount > 0) {
        // The refused request's body began to arrive (an early answer, policy close): not read
        // (R19), but when it came says whether the client waited (the profiler reads this event).
        m_discardNoted = true;
        emitEvent(event(EventKind::BodyStart, 0, data.size(),
                        before > 0 || !m_earlyAnswerOffset
                            ? tr("the body came before our answer left; not read (R4, R19)")
                            : tr("the body came after our answer; not read (R19, R21)"),
                        QStringLiteral("R19")));
    }
    m_discardedBytes += data.size();
    m_discardedBeforeAnswer += before;
    m_wire.add(WireLog::Direction::Received, m_now, data, true);
}

HttpParser::HeadAction ServerConnection::onHead(const MessageHead &head)
{
    m_request = head;
    m_requestComplete = false;
    m_drainAfterAnswer = false;
    m_headPending = true;
    m_answered = false;
    m_interimSent = false;
    m_bodyBeforeInterim = false;
    m_bodyBytes = 0;
    m_continueDeadlineNs.reset();
    m_headDeadlineNs.reset();
    ++m_requestCount;
    m_expectsContinue = readExpect(head).isContinue() && !head.isHttp10();
    // Its size is known once the feed returns (applyDecision). A 100-continue on a request without
    // content is the client's fault (R2): the head event says so.
    const bool breaksR2 = readExpect(head).isContinue() && !head.announcesContent();
    emitEvent(
        event(EventKind::Head, 0, -1, describeHead(head), breaksR2 ? QStringLiteral("R2") : QString()).withHead(head));
    return HttpParser::HeadAction::Pause;
}

void ServerConnection::headComplete()
{
    m_headPending = false;
    for (auto it = m_events.rbegin(); it != m_events.rend(); ++it) {
        if (it->kind == EventKind::Head) {
            it->bytes = m_headBytes;
            break;
        }
    }
    m_headBytes = 0;
    if (const auto problem = checkRequestHead(m_request, m_responder->acceptsTunnels())) {
        emitEvent(
            event(EventKind::Error, problem->status, -1, problem->reason, problem->rule).withError(problem->error));
        sendError(problem->status, problem->code, problem->reason, problem->rule);
        return;
    }
    const auto length = m_request.contentLength();
    if (m_limits.maxBodyBytes > 0 && length && *length > m_limits.maxBodyBytes) {
        // Framing says the body is too large: answer before reading any of it (R11, R10).
        m_bodyLimitWhy =
            tr("Content-Length %1 exceeds the body limit of %2 bytes").arg(*length).arg(m_limits.maxBodyBytes);
    }
    m_responder->requestHead(m_request, *this);
    answeredByBodyLimit(); // a responder that chose nothing still meets the limit
}

bool ServerConnection::answeredByBodyLimit()
{
    if (!m_bodyLimitWhy)
        return false;
    const QString why = *std::exchange(m_bodyLimitWhy, std::nullopt);
    respond(413, m_responder->errorContent(QStringLiteral("content_too_large"), why), true, why, QStringLiteral("R11"));
    return true;
}

bool ServerConnection::continueNow(const QString &why, const QString &rule)
{
    if (answeredByBodyLimit())
        return false;
    m_inBody = true;
    if (m_moreInSegment) {
        // The body is already here: the client did not wait, a 100 would tell it nothing (R8).
        m_bodyBeforeInterim = true;
        armBodyDeadline();
        return false;
    }
    sendInterim(100, why, rule);
    armBodyDeadline();
    return true;
}

void ServerConnection::continueAfter(int delayMs, const QString &why, const QString &rule)
{
    if (answeredByBodyLimit())
        return;
    // The body timeout starts once the 100 left (or the body began): not while we keep it waiting.
    m_continueDeadlineNs = m_now + qint64(delayMs) * kMs;
    m_continueWhy = why;
    m_continueRule = rule;
    m_inBody = true;
}

void ServerConnection::readBody()
{
    if (answeredByBodyLimit())
        return;
    m_inBody = true;
    armBodyDeadline();
}

void ServerConnection::sendFinal(int status, const QByteArray &content, bool close, const QString &why,
                                 const QString &rule)
{
    if (answeredByBodyLimit())
        return;
    respond(status, content, close, why, rule);
}

void ServerConnection::refuseExpectation(const QByteArray &content, const QString &why, const QString &rule)
{
    m_bodyLimitWhy.reset(); // the refusal answers the limit too (R11)
    respond(417, content, true, why, rule);
}

void ServerConnection::closeGracefully(const QString &why)
{
    if (answeredByBodyLimit())
        return;
    requestClose(CloseMode::Graceful, why);
}

void ServerConnection::closeNow(const QString &why)
{
    m_bodyLimitWhy.reset(); // closing is the answer
    if (m_closeMode != CloseMode::None)
        return;
    requestClose(CloseMode::Now, why);
    m_parser.stop(); // nothing more of this connection is parsed
}

void ServerConnection::stayQuiet(const QString &why)
{
    if (answeredByBodyLimit())
        return;
    m_silenced = true;
    emitEvent(event(EventKind::Error, 0, -1, why).withError(ErrorKind::PolicySilent));
}

void ServerConnection::armBodyDeadline()
{
    if (m_limits.bodyTimeoutMs > 0 && m_request.announcesContent())
        m_bodyDeadlineNs = m_now + m_limits.bodyTimeoutMs * kMs;
}

void ServerConnection::onBody(QByteArrayView data)
{
    if (m_bodyBytes == 0) {
        QString detail;
        QString rule;
        if (m_continueDeadlineNs) {
            // The delayed 100 is now pointless: the client did not wait for it.
            m_continueDeadlineNs.reset();
            m_bodyBeforeInterim = true;
            detail = tr("client sent the body before the delayed 100; no 100 will be sent");
            rule = QStringLiteral("R4");
        } else if (m_expectsContinue && !m_interimSent) {
            m_bodyBeforeInterim = true;
            detail = tr("body began before any 100 was sent");
            rule = QStringLiteral("R4");
        }
        emitEvent(event(EventKind::BodyStart, 0, qint64(data.size()), detail, rule));
    }
    m_bodyBytes += data.size();
    armBodyDeadline();
    if (m_closeMode == CloseMode::None) {
        m_responder->requestBody(data, m_bodyBytes, *this);
        if (m_closeMode != CloseMode::None || (m_answered && !m_drainAfterAnswer)) {
            // The responder closed (close-mid-body) or answered: the rest is not read (R19).
            m_parser.stop();
            return;
        }
    }
    if (m_limits.maxBodyBytes > 0 && m_bodyBytes > m_limits.maxBodyBytes && m_answered &&
        m_closeMode == CloseMode::None) {
        // Answered, and reading the rest to keep the connection: not past the limit (R19).
        closeNow(tr("body crossed the limit of %1 bytes after the answer").arg(m_limits.maxBodyBytes));
        return;
    }
    if (m_limits.maxBodyBytes > 0 && m_bodyBytes > m_limits.maxBodyBytes && m_closeMode == CloseMode::None) {
        // A chunked body crossed the limit: answer now and stop reading (R10, R19).
        sendError(413, QStringLiteral("content_too_large"),
                  tr("body crossed the limit of %1 bytes").arg(m_limits.maxBodyBytes), QStringLiteral("R10"));
        m_parser.stop();
    }
}

void ServerConnection::onMessageComplete()
{
    m_requestComplete = true;
    m_inBody = false;
    m_headBytes = 0;
    m_continueDeadlineNs.reset();
    m_bodyDeadlineNs.reset();
    if (m_closeMode != CloseMode::None)
        return;
    if (m_bodyBytes > 0 || m_request.announcesContent())
        emitEvent(event(EventKind::BodyDone, 0, m_bodyBytes));
    if (m_answered)
        return; // answered before the end (a responder's early final that keeps the connection)
    m_responder->requestEnd(
        m_request, {m_bodyBytes, m_bodyBeforeInterim, m_interimSent, m_id, m_requestCount, m_parser.keepAlive()},
        *this);
}

void ServerConnection::queueSend(const QByteArray &bytes, bool body)
{
    m_out.noteQueueStart(m_now); // the send timeout counts from when output starts waiting
    m_outgoing += bytes;
    m_out.queue(bytes, body); // into the wire log when it leaves, with that time
}

void ServerConnection::sendInterim(int status, const QString &why, const QString &rule)
{
    MessageHead head;
    head.status = status;
    head.headers = m_responder->interimFields(status);
    queueInterim(head, why, rule);
}

void ServerConnection::relayInterim(const MessageHead &head, const QString &why, const QString &rule)
{
    queueInterim(head, why, rule);
}

void ServerConnection::queueInterim(const MessageHead &head, const QString &why, const QString &rule)
{
    // Never a 1xx to an HTTP/1.0 request (R15), nor one after the final or in place of the 413.
    if (m_silenced || m_request.isHttp10() || m_answered || answeredByBodyLimit() || m_closeMode != CloseMode::None)
        return;
    MessageHead interim = head;
    interim.versionMajor = 1;
    interim.versionMinor = 1;
    const qint64 offset = m_out.queued();
    queueSend(interim.serializeResponse(), false);
    if (head.status == 100) {
        m_interimSent = true;
        armBodyDeadline();
    }
    emitSentEvent(event(EventKind::InterimSent, head.status, -1, why, rule).withHead(interim), offset);
}

void ServerConnection::startFinal(const MessageHead &head, bool close, const QString &why, const QString &rule)
{
    if (answeredByBodyLimit() || m_answered || m_silenced || m_closeMode != CloseMode::None)
        return;
    m_answered = true;
    m_streaming = true;
    MessageHead response = head;
    response.versionMajor = 1;
    response.versionMinor = 1;
    // RFC 9110 9.3.2, 15.3.5, 15.4.5: no content whatever the fields say.
    m_streamHasContent = m_request.method != "HEAD" && head.status != 204 && head.status != 304;
    m_streamChunked = m_streamHasContent && head.isChunked();
    const bool delimitedByClose = m_streamHasContent && !m_streamChunked && !head.contentLength();
    m_streamClose = close || delimitedByClose;
    if (m_streamClose && !response.hasConnectionToken("close"))
        response.headers.append(HttpHeader("Connection", "close")); // R10, R22
    else if (!m_streamClose && m_request.isHttp10())
        response.headers.append(HttpHeader("Connection", "keep-alive"));
    const qint64 offset = m_out.queued();
    queueSend(response.serializeResponse(), false);
    const bool early = m_inBody || m_headPending || m_parser.inMessage();
    if (early && m_streamClose)
        m_earlyAnswerOffset = offset; // answered before the request's body was read
    // Answered early without a close: the rest of the body is read and dropped, so that the
    // connection stays in step for the next request (R19, R10).
    m_drainAfterAnswer = early && !m_streamClose;
    const qint64 length = m_streamHasContent ? head.contentLength().value_or(-1) : 0;
    emitSentEvent(event(EventKind::FinalSent, head.status, length, why, rule).withHead(response), offset);
    m_bodyDeadlineNs.reset();
    m_streamWhy = why;
    if (!m_streamHasContent)
        finishStreamedFinal();
}

void ServerConnection::sendContent(const QByteArray &data)
{
    if (!m_streaming || !m_streamHasContent || data.isEmpty() || m_closeMode == CloseMode::Now)
        return;
    if (m_streamChunked)
        queueSend(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n", true);
    else
        queueSend(data, true);
}

void ServerConnection::endContent()
{
    if (!m_streaming)
        return;
    if (m_streamChunked)
        queueSend(QByteArrayLiteral("0\r\n\r\n"), true);
    finishStreamedFinal();
}

void ServerConnection::finishStreamedFinal()
{
    m_streaming = false;
    if (m_streamClose)
        requestClose(CloseMode::Graceful, m_streamWhy.isEmpty() ? tr("closed after the response") : m_streamWhy);
    else if (m_limits.idleTimeoutMs > 0)
        m_idleDeadlineNs = m_now + m_limits.idleTimeoutMs * kMs; // keep-alive: wait for the next request
}

void ServerConnection::startTunnel(const MessageHead &head, const QString &why, const QString &rule)
{
    if (m_answered || m_silenced || m_closeMode != CloseMode::None)
        return;
    m_answered = true;
    m_tunnel = true;
    // No deadline of HTTP's applies any more: the two ends talk as they like.
    m_headDeadlineNs.reset();
    m_idleDeadlineNs.reset();
    m_bodyDeadlineNs.reset();
    MessageHead response = head;
    response.versionMajor = 1;
    response.versionMinor = 1;
    const qint64 offset = m_out.queued();
    queueSend(response.serializeResponse(), false);
    emitSentEvent(event(EventKind::FinalSent, head.status, 0, why, rule).withHead(response), offset);
}

void ServerConnection::sendTunnelData(const QByteArray &data)
{
    if (m_tunnel && !data.isEmpty() && m_closeMode != CloseMode::Now)
        queueSend(data, true);
}

bool ServerConnection::wantsInput() const
{
    if (m_out.unsent() >= kMaxUnsentBytes)
        return false;
    if (m_tunnel)
        return m_responder->wantsBody();
    if (m_requestComplete && !m_silenced && m_closeMode == CloseMode::None && (!m_answered || m_streaming))
        return false;
    return !m_inBody || m_answered || m_responder->wantsBody();
}

void ServerConnection::respond(int status, const QByteArray &jsonBody, bool close, const QString &why,
                               const QString &rule)
{
    m_answered = true;
    MessageHead response;
    response.status = status;
    // R15 is about 1xx only; a final answer to an HTTP/1.0 request still says HTTP/1.1 (RFC 9110 2.5).
    response.headers = m_responder->finalFields();
    setHeader(response.headers, "Content-Length", QByteArray::number(jsonBody.size()));
    if (close)
        response.headers.append(HttpHeader("Connection", "close")); // R10, R22
    else if (m_request.isHttp10())
        response.headers.append(HttpHeader("Connection", "keep-alive"));
    const qint64 offset = m_out.queued();
    queueSend(response.serializeResponse(), false);
    // A response to HEAD has the same head as to GET but no content (RFC 9110 9.3.2).
    const bool withContent = m_request.method != "HEAD";
    if (withContent)
        queueSend(jsonBody, true);
    if (m_inBody || m_headPending || m_parser.inMessage())
        m_earlyAnswerOffset = offset; // answered before the request's body was read
    emitSentEvent(event(EventKind::FinalSent, status, withContent ? jsonBody.size() : 0, why, rule).withHead(response),
                  offset);
    m_bodyDeadlineNs.reset();
    if (!close && m_limits.idleTimeoutMs > 0)
        m_idleDeadlineNs = m_now + m_limits.idleTimeoutMs * kMs; // keep-alive: wait for the next request
    if (close)
        requestClose(CloseMode::Graceful, why.isEmpty() ? tr("closed after %1 with Connection: close").arg(status)
                                                        : tr("closed after %1: %2").arg(status).arg(why));
}

void ServerConnection::sendError(int status, const QString &code, const QString &reason, const QString &rule)
{
    respond(status, m_responder->errorContent(code, reason), true, reason, rule);
}

void ServerConnection::sendGarbage(const QByteArray &garbage, const QString &why)
{
    if (answeredByBodyLimit())
        return;
    const qint64 offset = m_out.queued();
    queueSend(garbage, false);
    m_earlyAnswerOffset = offset;
    emitSentEvent(event(EventKind::GarbageSent, 0, garbage.size(), why), offset);
    requestClose(CloseMode::Graceful, why);
}

void ServerConnection::requestClose(CloseMode mode, const QString &why)
{
    if (m_closeMode == CloseMode::Now)
        return;
    m_closeMode = mode;
    if (m_closeReason.isEmpty())
        m_closeReason = why;
    m_continueDeadlineNs.reset();
    m_headDeadlineNs.reset();
    m_idleDeadlineNs.reset();
    m_bodyDeadlineNs.reset();
    // Closing at once is closing first; a graceful close counts from when our FIN leaves (halfClosed).
    if (mode == CloseMode::Now && m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Local;
    if (mode == CloseMode::Graceful && !m_lingerDeadlineNs)
        m_lingerDeadlineNs = m_now + kLingerNs;
}

void ServerConnection::halfClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Local;
}

void ServerConnection::peerClosed(qint64 nowNs, bool reset)
{
    m_now = nowNs;
    if (m_peerClosed || m_closed)
        return;
    m_peerClosed = true;
    m_peerReset = m_peerReset || reset;
    if (m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Peer;
    if (m_closeMode == CloseMode::None) {
        if (m_parser.inMessage() || m_headPending) {
            emitEvent(event(EventKind::Error, 0, m_bodyBytes,
                            reset ? tr("peer reset the connection in the middle of a request after %1 body bytes")
                                        .arg(m_bodyBytes)
                                  : tr("peer closed in the middle of a request after %1 body bytes").arg(m_bodyBytes))
                          .withError(ErrorKind::PeerClosedMidRequest));
        }
        m_closeReason = reset ? tr("peer reset the connection") : tr("peer closed the connection");
    }
    m_closeMode = CloseMode::Now;
}

void ServerConnection::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_closed)
        return;
    if (m_continueDeadlineNs && nowNs >= *m_continueDeadlineNs) {
        m_continueDeadlineNs.reset();
        sendInterim(100, m_continueWhy, m_continueRule);
    }
    const bool holding = !m_heldInput.isEmpty();
    if (m_headDeadlineNs && nowNs >= *m_headDeadlineNs && m_closeMode == CloseMode::None && !holding) {
        m_headDeadlineNs.reset();
        const QString why = tr("request head not complete within %1 ms").arg(m_limits.headTimeoutMs);
        emitEvent(event(EventKind::Error, 408, m_headBytes, why).withError(ErrorKind::HeadTimeout));
        sendError(408, QStringLiteral("request_timeout"), why, QString());
    }
    if (m_bodyDeadlineNs && nowNs >= *m_bodyDeadlineNs && !m_answered && !m_responder->wantsBody())
        armBodyDeadline(); // the responder holds the body back: it is not late
    if (m_bodyDeadlineNs && nowNs >= *m_bodyDeadlineNs && m_answered && m_closeMode == CloseMode::None) {
        // Answered early, reading the rest to keep the connection: a body that stops is closed on.
        m_bodyDeadlineNs.reset();
        requestClose(
            CloseMode::Graceful,
            tr("the rest of the body stopped arriving for %1 ms after the answer").arg(m_limits.bodyTimeoutMs));
    }
    if (m_bodyDeadlineNs && nowNs >= *m_bodyDeadlineNs && m_closeMode == CloseMode::None && !holding) {
        m_bodyDeadlineNs.reset();
        const QString why = m_bodyBytes > 0 ? tr("the body stopped arriving: no byte for %1 ms after %2 body bytes")
                                                  .arg(m_limits.bodyTimeoutMs)
                                                  .arg(m_bodyBytes)
                                            : tr("no body byte within %1 ms").arg(m_limits.bodyTimeoutMs);
        emitEvent(event(EventKind::Error, 408, m_bodyBytes, why).withError(ErrorKind::BodyTimeout));
        sendError(408, QStringLiteral("request_timeout"), why, QString());
    }
    if (m_idleDeadlineNs && nowNs >= *m_idleDeadlineNs && m_closeMode == CloseMode::None) {
        m_idleDeadlineNs.reset();
        requestClose(CloseMode::Graceful,
                     tr("idle keep-alive connection closed after %1 ms").arg(m_limits.idleTimeoutMs));
    }
    if (const auto stalled = sendStallDeadlineNs(); stalled && nowNs >= *stalled && m_closeMode != CloseMode::Now) {
        // Our responses sit unread: the peer neither reads nor closes. Without this it could hold
        // the connection (and its memory) forever.
        requestClose(CloseMode::Now, tr("the client read none of our output for %1 ms").arg(m_limits.sendTimeoutMs));
    }
    if (m_lingerDeadlineNs && nowNs >= *m_lingerDeadlineNs && m_closeMode == CloseMode::Graceful)
        m_closeMode = CloseMode::Now;
}

std::optional<qint64> ServerConnection::sendStallDeadlineNs() const
{
    if (m_limits.sendTimeoutMs <= 0 || m_out.unsent() == 0)
        return std::nullopt;
    return m_out.lastProgressNs() + m_limits.sendTimeoutMs * kMs;
}

std::optional<qint64> ServerConnection::nextDeadlineNs() const
{
    std::optional<qint64> next;
    auto consider = [&next](const std::optional<qint64> &d) {
        if (d && (!next || *d < *next))
            next = d;
    };
    consider(m_continueDeadlineNs);
    // While we hold the client's input (our output waits unread) its head or body is not late.
    if (m_closeMode == CloseMode::None && m_heldInput.isEmpty()) {
        consider(m_headDeadlineNs);
        consider(m_idleDeadlineNs);
        consider(m_bodyDeadlineNs);
    }
    if (m_closeMode == CloseMode::Graceful)
        consider(m_lingerDeadlineNs);
    if (m_closeMode != CloseMode::Now)
        consider(sendStallDeadlineNs());
    return next;
}

void ServerConnection::transportClosed(qint64 nowNs, const QString &transportReason)
{
    m_now = nowNs;
    if (m_closed)
        return;
    m_closed = true;
    // Anything still waiting for the kernel never left.
    QList<TimelineEvent> unsent;
    m_out.abandon(nowNs, unsent);
    for (TimelineEvent &e : unsent) {
        e.detail += tr(" (not sent: the connection was gone)");
        m_events.append(e);
    }
    QString reason = m_closeReason.isEmpty() ? transportReason : m_closeReason;
    if (reason.isEmpty())
        reason = m_peerReset ? tr("peer reset the connection") : tr("peer closed the connection");
    if (m_discardedBytes > 0)
        reason += tr("; %1 unread bytes discarded").arg(m_discardedBytes);
    TimelineEvent closed = event(EventKind::Closed, 0, m_discardedBytes > 0 ? m_discardedBytes : -1, reason,
                                 m_discardedBytes > 0 ? QStringLiteral("R19") : QString());
    closed.closedBy = m_closedBy;
    closed.reset = m_peerReset;
    if (m_earlyAnswerOffset) {
        closed.bytesBeforeFinal = m_discardedBeforeAnswer;
        closed.bytesAfterFinal = m_discardedBytes - m_discardedBeforeAnswer;
    }
    emitEvent(closed);
}

void ServerConnection::transportError(qint64 nowNs, const QString &message, bool reset, ErrorKind kind)
{
    m_now = nowNs;
    if (m_closed)
        return;
    m_peerReset = m_peerReset || reset;
    if (reset && m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Peer;
    const bool tls = kind >= ErrorKind::TlsUntrusted && kind <= ErrorKind::TlsPlainRequest;
    emitEvent(event(EventKind::Error, 0, -1, message)
                  .withError(reset ? ErrorKind::Reset
                             : tls ? kind
                                   : ErrorKind::Transport));
    if (m_closeReason.isEmpty())
        m_closeReason = message;
    m_closeMode = CloseMode::Now;
}

void ServerConnection::streamTlsStarted(qint64 nowNs)
{
    m_now = nowNs;
    if (!m_closed)
        emitEvent(event(EventKind::TlsStart, 0, -1, tr("a TLS ClientHello: handshake begins")));
}

void ServerConnection::streamTlsDone(qint64 nowNs, const TlsFacts &facts)
{
    m_now = nowNs;
    if (m_closed)
        return;
    TimelineEvent e =
        event(EventKind::TlsDone, 0, -1,
              tr("%1, %2, ALPN %3").arg(facts.protocol, facts.cipher, facts.alpn.isEmpty() ? tr("none") : facts.alpn));
    e.tls = std::make_shared<const TlsFacts>(facts);
    emitEvent(e);
}

Party::CloseWish ServerConnection::closeWish() const
{
    switch (m_closeMode) {
    case CloseMode::None: return CloseWish::None;
    case CloseMode::Graceful: return CloseWish::AfterOutput;
    case CloseMode::Now: return CloseWish::Now;
    }
    return CloseWish::None;
}

QByteArray ServerConnection::takeOutgoing()
{
    return std::exchange(m_outgoing, QByteArray());
}

void ServerConnection::sent(qint64 bytes, qint64 nowNs, qint64 inputWaiting)
{
    const bool answerWasIn = m_earlyAnswerOffset && m_out.sent() <= *m_earlyAnswerOffset;
    m_out.handed(bytes, nowNs, m_wire, m_events);
    if (answerWasIn && m_out.sent() > *m_earlyAnswerOffset)
        m_waitingAtAnswer = inputWaiting; // already here when the answer left: sent before it
}

QList<TimelineEvent> ServerConnection::takeEvents()
{
    return std::exchange(m_events, {});
}

TimelineEvent ServerConnection::event(EventKind kind, int status, qint64 bytes, const QString &detail,
                                      const QString &rule) const
{
    return TimelineEvent::at(m_now, Side::Server, m_id, kind, status, bytes, detail, rule).withRequest(m_requestCount);
}

void ServerConnection::emitSentEvent(const TimelineEvent &e, qint64 streamOffset)
{
    m_out.hold(e, streamOffset, m_events);
}

QString ServerConnection::describeHead(const MessageHead &head) const
{
    QString text = QStringLiteral("%1 %2 HTTP/%3.%4")
                       .arg(displayText(head.method), displayText(head.target))
                       .arg(head.versionMajor)
                       .arg(head.versionMinor);
    if (const auto expect = head.combinedHeader("Expect"))
        text += QStringLiteral("; Expect: %1").arg(displayText(*expect));
    if (const auto length = head.header("Content-Length"))
        text += QStringLiteral("; Content-Length: %1").arg(displayText(length->trimmed()));
    if (head.isChunked())
        text += QStringLiteral("; chunked");
    if (readExpect(head).isContinue() && !head.announcesContent())
        text += tr("; Expect without content (the client breaks R2)");
    return text;
}

} // namespace expectlab
