#include "clientexchange.h"

#include "streamfactory.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientExchange", text);
}

QByteArray userAgent()
{
    return "ExpectLab/" + QCoreApplication::applicationVersion().toLatin1();
}

QString endpointText(const QHostAddress &address, quint16 port)
{
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}
} // namespace

ClientExchange::ClientExchange(int id, ClientRequest request, std::optional<qint64> bodySize)
    : m_request(std::move(request))
{
    m_summary.id = id;
    m_summary.url = m_request.url;
    m_summary.method = m_request.effectiveMethod();
    m_hasBody = bodySize.has_value();
    m_bodySize = bodySize.value_or(0);
    m_summary.bodyBytes = m_bodySize;
    m_hasContent = m_hasBody && (m_request.chunked || m_bodySize > 0);
}

ClientExchange::~ClientExchange() = default;

void ClientExchange::start(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Idle && m_state != State::ReconnectPending)
        return;
    if (m_state == State::ReconnectPending)
        emitEvent(event(EventKind::Retry, 0, -1, tr("417 received: repeating the request without Expect"),
                        QStringLiteral("R6")));
    ++m_attempt;
    m_attemptStartNs = nowNs;
    if (m_attempt == 1) {
        m_summary.startNs = nowNs;
        m_deadlineNs = nowNs + qint64(m_request.timeoutMs) * 1'000'000;
    }
    m_summary.wireLogs.append(WireLog());
    ClientConnection::Rules rules;
    rules.maxHeadBytes = kMaxResponseHeadBytes;
    rules.maxInterims = kMaxInterimResponses;
    m_conn = std::make_unique<ClientConnection>(static_cast<ClientConnection::Listener *>(this), rules);
    // The answer fields are the attempt's own (R6: keep the 417 apart from the retry's answer).
    m_summary.interimHeads.clear();
    m_summary.finalStatus.reset();
    m_summary.finalHead = MessageHead();
    m_summary.responseComplete = false;
    m_summary.responseBodyPreview.clear();
    m_summary.responseBodyBytes = 0;
    m_summary.bytesSaved = 0;
    m_headQueued = false;
    m_headSentNs.reset();
    m_continueDeadlineNs.reset();
    m_bodyState = Body::Waiting;
    m_bodySent = 0;
    m_finalReceived = m_retryAfterClose = m_failedThisAttempt = false;
    m_unreadAfterFinal = 0;
    m_receivedThisAttempt = 0;
    m_closeWhy.clear();
    m_closedBy = Closer::Unknown;
    m_peerReset = false;
    buildHead();
    m_state = State::Connecting;
    const int port = portOf(m_request.url);
    emitEvent(
        event(EventKind::Connect, 0, -1, tr("%1:%2 (attempt %3)").arg(m_request.url.host()).arg(port).arg(m_attempt)));
}

void ClientExchange::buildHead()
{
    MessageHead head;
    head.method = m_request.effectiveMethod();
    QByteArray target = m_request.url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (m_request.url.hasQuery())
        target += '?' + m_request.url.query(QUrl::FullyEncoded).toLatin1();
    head.target = target;

    QByteArray host = m_request.url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    // The port only when it is not the scheme's own (RFC 9110 7.2, 4.2).
    if (m_request.url.port() > 0 &&
        m_request.url.port() != (m_request.url.scheme() == QLatin1String("https") ? 443 : 80))
        host += ':' + QByteArray::number(m_request.url.port());
    head.headers = {{"Host", host}, {"User-Agent", userAgent()}, {"Accept", "*/*"}};
    for (const auto &h : m_request.headers)
        setHeader(head.headers, h.first, h.second);

    // Framing and the expectation are ours to set: the user's copies would contradict the body.
    removeHeader(head.headers, "Expect");
    if (m_hasBody) {
        removeHeader(head.headers, "Content-Length");
        removeHeader(head.headers, "Transfer-Encoding");
        if (m_request.chunked)
            head.headers.append(HttpHeader("Transfer-Encoding", "chunked"));
        else
            head.headers.append(HttpHeader("Content-Length", QByteArray::number(m_bodySize)));
    }
    m_expectThisAttempt = m_attempt == 1 ? m_request.expectToSend() : QByteArray();
    if (!m_expectThisAttempt.isEmpty())
        head.headers.append(HttpHeader("Expect", m_expectThisAttempt));
    if (m_attempt == 1) {
        m_summary.requestHeaders = head.headers;
        m_summary.expectSent = !m_expectThisAttempt.isEmpty();
    }
    m_requestHead = head;
}

void ClientExchange::connected(qint64 nowNs, const Endpoints &endpoints)
{
    m_now = nowNs;
    if (m_state != State::Connecting)
        return;
    m_state = State::Exchanging;
    TimelineEvent e = event(EventKind::Connected, 0, -1,
                            tr("%1 from %2")
                                .arg(endpointText(endpoints.peerAddress, endpoints.peerPort),
                                     endpointText(endpoints.localAddress, endpoints.localPort)));
    e.endpoints = std::make_shared<const Endpoints>(endpoints);
    emitEvent(e);
}

void ClientExchange::tlsStarted(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Exchanging)
        return;
    emitEvent(event(EventKind::TlsStart, 0, -1,
                    tr("TLS handshake with %1, offering ALPN http/1.1").arg(m_request.url.host())));
}

void ClientExchange::tlsDone(qint64 nowNs, const TlsFacts &facts)
{
    m_now = nowNs;
    if (m_state != State::Exchanging)
        return;
    auto shared = std::make_shared<const TlsFacts>(facts);
    m_summary.tls = shared;
    TimelineEvent e =
        event(EventKind::TlsDone, 0, -1,
              tr("%1, %2, ALPN %3").arg(facts.protocol, facts.cipher, facts.alpn.isEmpty() ? tr("none") : facts.alpn));
    e.tls = std::move(shared);
    emitEvent(e);
}

bool ClientExchange::wantsToSend() const
{
    if (m_state != State::Exchanging)
        return false;
    return !m_headQueued || m_conn->hasOutput() || m_bodyState == Body::Sending;
}

qint64 ClientExchange::bodyWanted() const
{
    if (m_state != State::Exchanging || m_bodyState != Body::Sending || m_conn->hasOutput())
        return 0;
    return m_bodySize - m_bodySent;
}

void ClientExchange::pushBody(const QByteArray &slice, qint64 nowNs)
{
    m_now = nowNs;
    if (slice.isEmpty() || bodyWanted() <= 0)
        return;
    const QByteArray data = slice.size() > m_bodySize - m_bodySent ? slice.first(m_bodySize - m_bodySent) : slice;
    const bool first = m_bodySent == 0;
    m_bodySent += data.size();
    m_summary.bodyBytesSent += data.size();
    m_conn->sendData(data, first ? std::optional(event(EventKind::BodyStart, 0, m_bodySent)) : std::nullopt);
    if (m_bodySent >= m_bodySize)
        finishBody();
}

void ClientExchange::bodyFailed(qint64 nowNs, const QString &message)
{
    m_now = nowNs;
    fail(ErrorKind::BodyReadFailed, message);
}

QByteArray ClientExchange::nextOutgoing(qint64 nowNs)
{
    m_now = nowNs;
    if (!wantsToSend())
        return {};
    if (!m_headQueued) {
        m_headQueued = true;
        QString detail = QStringLiteral("%1 %2").arg(QString::fromLatin1(m_summary.method), m_request.url.toString());
        QString rule;
        if (!m_expectThisAttempt.isEmpty()) {
            detail += QStringLiteral("; Expect: %1").arg(displayText(m_expectThisAttempt));
            if (!m_hasContent) {
                detail += tr("; no content: this breaks R2");
                rule = QStringLiteral("R2");
            } else {
                rule = QStringLiteral("R3");
            }
        }
        const qint64 headBytes = m_requestHead.serializeRequest().size();
        m_conn->sendHead(m_requestHead, event(EventKind::HeadSent, 0, headBytes, detail, rule).withHead(m_requestHead));
        if (m_hasContent) {
            if (!m_expectThisAttempt.isEmpty() && m_request.expectTimeoutMs > 0) {
                // Counted again from when the head reaches the kernel (outputEvent()).
                m_continueDeadlineNs = nowNs + qint64(m_request.expectTimeoutMs) * 1'000'000;
            } else {
                startBody();
            }
        }
    }
    if (m_bodyState == Body::Sending && m_bodySize == 0 && !m_conn->hasOutput()) {
        // An empty chunked body is its last chunk alone: it starts and ends with that.
        m_bodyState = Body::Done;
        m_conn->sendEnd(event(EventKind::BodyDone, 0, 0), event(EventKind::BodyStart, 0, 0));
    }
    return m_conn->takeOutput();
}

void ClientExchange::finishBody()
{
    m_bodyState = Body::Done;
    // Everything of the body is queued by now: it is done when its last byte (or last chunk) has left.
    m_conn->sendEnd(event(EventKind::BodyDone, 0, m_bodySent));
}

void ClientExchange::startBody()
{
    m_continueDeadlineNs.reset();
    if (m_hasContent && m_bodyState == Body::Waiting)
        m_bodyState = Body::Sending;
}

void ClientExchange::stopBody(bool answered)
{
    m_continueDeadlineNs.reset();
    if (!m_hasContent || m_bodyState == Body::Done || m_bodyState == Body::Stopped)
        return;
    m_bodyState = Body::Stopped;
    // Only an answer saves bytes; a failure or a cancel saves nothing (the upload just did not happen).
    if (answered)
        m_summary.bytesSaved = m_bodySize - m_bodySent;
}

void ClientExchange::sent(qint64 bytes, qint64 nowNs)
{
    if (m_state != State::Exchanging && m_state != State::Closing)
        return; // bytes of a connection that is gone are not this attempt's
    m_conn->sent(bytes, nowNs);
}

void ClientExchange::outputEvent(const TimelineEvent &e)
{
    if (e.notSent) {
        TimelineEvent unsent = e;
        unsent.detail += tr(" (not sent: the connection was gone)");
        emitEvent(unsent);
        return;
    }
    if (e.kind == EventKind::HeadSent)
        noteHeadSent(e.tNs);
    emitEvent(e);
}

void ClientExchange::noteHeadSent(qint64 tNs)
{
    // The expect wait starts when the head reached the kernel.
    m_headSentNs = tNs;
    if (m_continueDeadlineNs)
        m_continueDeadlineNs = tNs + qint64(m_request.expectTimeoutMs) * 1'000'000;
}

void ClientExchange::noteFirstAnswer()
{
    if (m_attempt == 1 && !m_summary.expectWaitNs && m_summary.expectSent && m_headSentNs)
        m_summary.expectWaitNs = m_now - *m_headSentNs;
}

void ClientExchange::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Exchanging || data.isEmpty())
        return;
    m_receivedThisAttempt += data.size();
    // After the whole final response: not ours to read, we do not reuse the connection (R20).
    m_unreadAfterFinal += m_conn->receive(data, nowNs);
}

HttpParser::HeadAction ClientExchange::responseHead(const MessageHead &head)
{
    if (head.isInterim())
        return onInterim(head);

    m_finalReceived = true;
    m_summary.finalStatus = head.status;
    m_summary.finalHead = head;
    noteFirstAnswer();
    QString detail = QStringLiteral("%1 %2").arg(head.status).arg(displayText(head.reason));
    QString rule;
    qint64 unsent = -1;
    if (m_hasContent && m_bodyState != Body::Done) {
        unsent = m_bodySize - m_bodySent;
        stopBody(true);
        detail += tr("; body stopped, %1 bytes not sent").arg(unsent);
        rule = QStringLiteral("R21");
    }
    if (head.status == 417 && !m_expectThisAttempt.isEmpty()) {
        rule = QStringLiteral("R6");
        if (m_request.retryWithoutExpect && m_attempt == 1) {
            m_retryAfterClose = true;
            detail += tr("; will retry without Expect");
        }
    }
    TimelineEvent final = event(EventKind::Final, head.status, -1, detail, rule).withHead(head);
    final.bodyNotSent = unsent;
    emitEvent(final);
    return m_summary.method == "HEAD" ? HttpParser::HeadAction::SkipBody : HttpParser::HeadAction::Continue;
}

HttpParser::HeadAction ClientExchange::onInterim(const MessageHead &head)
{
    const bool duplicate = head.status == 100 && m_summary.interimStatuses().contains(100);
    m_summary.interimHeads.append(head);
    QString detail = QStringLiteral("%1 %2").arg(head.status).arg(displayText(head.reason));
    QString rule = QStringLiteral("R17");
    const bool wasWaiting = m_continueDeadlineNs.has_value();
    if (duplicate) {
        detail += tr(": duplicate, ignored");
    } else if (head.status == 100) {
        if (wasWaiting) {
            detail += tr(": body may go");
            rule = QStringLiteral("R3");
        } else if (m_expectThisAttempt.isEmpty()) {
            detail += tr(": unrequested");
        } else {
            detail += tr(": late, the client had stopped waiting");
            rule = QStringLiteral("R5");
        }
    } else {
        detail += tr(": informational, still waiting for the final response");
        rule = head.status == 102 || head.status == 103 ? QStringLiteral("R17") : QStringLiteral("R14");
    }
    noteFirstAnswer();
    emitEvent(event(EventKind::Interim, head.status, -1, detail, rule).withHead(head));
    // Any 1xx ends the wait, as in h11: the server is alive and has seen the head.
    if (wasWaiting)
        startBody();
    return HttpParser::HeadAction::Continue;
}

void ClientExchange::responseData(QByteArrayView data)
{
    m_summary.responseBodyBytes += data.size();
    const qsizetype room = kResponsePreview - m_summary.responseBodyPreview.size();
    if (room > 0)
        m_summary.responseBodyPreview.append(data.first(qMin(room, data.size())));
}

void ClientExchange::responseEnd()
{
    if (!m_finalReceived || m_summary.responseComplete)
        return;
    m_summary.responseComplete = true;
    emitEvent(event(EventKind::ResponseDone, m_summary.finalStatus.value_or(0), m_summary.responseBodyBytes));
    // Whatever follows in the same read is not this response: whether it came in the same segment
    // or later must not change the outcome (issue 12, case 2).
    m_conn->stopReading();
    // One exchange per connection: close once the response is read (R20 is then moot).
    closeNow(m_retryAfterClose ? tr("closing to retry without Expect") : tr("response complete"));
}

void ClientExchange::peerClosed(qint64 nowNs, bool reset)
{
    m_now = nowNs;
    if (m_state != State::Exchanging && m_state != State::Connecting)
        return;
    if (m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Peer;
    m_peerReset = m_peerReset || reset;
    if (m_conn) {
        // A body delimited by the close completes here; a cut one is reported below.
        m_conn->peerClosed();
    }
    if (m_state != State::Exchanging)
        return;
    const ErrorKind kind = reset ? ErrorKind::Reset : ErrorKind::ClosedEarly;
    if (!m_finalReceived) {
        if (!m_headSentNs)
            fail(kind, reset ? tr("connection reset by the server before the request was sent")
                             : tr("connection closed by the server before the request was sent"));
        else if (m_receivedThisAttempt == 0 && m_request.url.scheme() == QLatin1String("http"))
            // A TLS port closes a plain request without a byte (OpenSSL does), which looks exactly
            // like a server that hangs up: say both, rather than open a second connection to check.
            fail(kind,
                 (reset ? tr("connection reset by the server before a final response")
                        : tr("connection closed by the server before a final response")) +
                     tr(", without a byte of answer; if %1 serves HTTPS, use https://")
                         .arg(m_request.url
                                  .adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery |
                                            QUrl::RemoveFragment | QUrl::RemoveScheme)
                                  .toString()
                                  .mid(2))); // "//host:port" without the credentials
        else
            fail(kind, reset ? tr("connection reset by the server before a final response")
                             : tr("connection closed by the server before a final response"));
    } else if (!m_summary.responseComplete) {
        const auto length = m_summary.finalHead.contentLength();
        const QString got = length ? tr("%1 of %2 body bytes").arg(m_summary.responseBodyBytes).arg(*length)
                                   : tr("%1 body bytes").arg(m_summary.responseBodyBytes);
        fail(kind, reset ? tr("connection reset during the response body, after %1").arg(got)
                         : tr("connection closed during the response body, after %1").arg(got));
    } else {
        closeNow(tr("server closed"));
    }
}

void ClientExchange::transportError(qint64 nowNs, const QString &message, ErrorKind kind)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::ReconnectPending)
        return;
    if (m_summary.responseComplete) {
        closeNow(message);
        return;
    }
    fail(kind, message);
}

void ClientExchange::transportClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::ReconnectPending || m_state == State::Idle)
        return;
    // Anything still waiting for the kernel never left.
    m_conn->abandon(nowNs);
    TimelineEvent closed = event(EventKind::Closed, 0, -1, m_closeWhy.isEmpty() ? tr("closed") : m_closeWhy);
    if (m_unreadAfterFinal > 0) {
        closed.bytes = m_unreadAfterFinal;
        closed.detail += tr("; %1 bytes after the final response not read (R20)").arg(m_unreadAfterFinal);
    }
    closed.closedBy = m_closedBy == Closer::Unknown ? Closer::Local : m_closedBy;
    closed.reset = m_peerReset;
    emitEvent(closed);
    if (m_retryAfterClose && m_summary.error.isEmpty()) {
        endAttempt();
        m_summary.retried = true;
        // The Retry event comes with the next attempt (start()): only then is it sure the body could
        // be read again (the adapter rewinds it first).
        m_state = State::ReconnectPending;
        return;
    }
    m_state = State::Done;
    m_summary.endNs = nowNs;
}

void ClientExchange::endAttempt()
{
    AttemptSummary a;
    a.expect = m_expectThisAttempt;
    a.startNs = m_attemptStartNs;
    a.endNs = m_now;
    a.interimHeads = m_summary.interimHeads;
    a.finalStatus = m_summary.finalStatus;
    a.finalHead = m_summary.finalHead;
    a.bodyBytesSent = m_bodySent;
    m_summary.earlierAttempts.append(a);
}

void ClientExchange::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::Idle)
        return;
    if (m_continueDeadlineNs && m_headSentNs && nowNs >= *m_continueDeadlineNs) {
        noteFirstAnswer();
        m_summary.sentAnyway = true;
        emitEvent(event(EventKind::ExpectTimeout, 0, -1,
                        tr("no 100 within %1 ms: sending the body anyway").arg(m_request.expectTimeoutMs),
                        QStringLiteral("R5")));
        startBody();
    }
    if (nowNs >= m_deadlineNs && m_state != State::Closing) {
        QString what;
        if (m_state == State::Connecting)
            what = tr("connecting");
        else if (!m_finalReceived)
            what = tr("the final response");
        else
            what = tr("the rest of the response body (%1 bytes so far)").arg(m_summary.responseBodyBytes);
        fail(ErrorKind::Timeout, tr("timed out after %1 ms waiting for %2").arg(m_request.timeoutMs).arg(what));
    }
}

void ClientExchange::cancel(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done)
        return;
    m_summary.cancelled = true;
    m_retryAfterClose = false;
    stopBody(false);
    emitEvent(
        event(EventKind::Cancelled, 0, m_bodySent, tr("cancelled by the user after %1 body bytes").arg(m_bodySent)));
    if (m_summary.error.isEmpty())
        m_summary.error = tr("cancelled");
    if (m_state == State::Idle || m_state == State::ReconnectPending) {
        m_state = State::Done;
        m_summary.endNs = nowNs;
        return;
    }
    closeNow(tr("cancelled"));
}

std::optional<qint64> ClientExchange::nextDeadlineNs() const
{
    if (m_state == State::Done || m_state == State::Idle)
        return std::nullopt;
    std::optional<qint64> next = m_deadlineNs;
    if (m_continueDeadlineNs && m_headSentNs && *m_continueDeadlineNs < *next)
        next = m_continueDeadlineNs;
    return next;
}

QList<TimelineEvent> ClientExchange::takeEvents()
{
    QList<TimelineEvent> fresh = m_summary.events.mid(m_eventsTaken);
    m_eventsTaken = m_summary.events.size();
    return fresh;
}

void ClientExchange::fail(ErrorKind kind, const QString &message)
{
    if (m_state == State::Done || m_failedThisAttempt)
        return;
    // One failure per attempt: what follows it (more bytes, the close) is its consequence.
    m_failedThisAttempt = true;
    m_retryAfterClose = false;
    stopBody(false);
    if (m_summary.error.isEmpty()) {
        m_summary.error = message;
        m_summary.errorKind = kind;
    }
    TimelineEvent e = event(EventKind::Error, 0, -1, message).withError(kind);
    e.reset = kind == ErrorKind::Reset;
    emitEvent(e);
    if (m_state == State::Idle || m_state == State::ReconnectPending) {
        m_state = State::Done;
        m_summary.endNs = m_now;
        return;
    }
    closeNow(message);
}

void ClientExchange::closeNow(const QString &why)
{
    if (m_state == State::Done || m_state == State::Closing)
        return;
    if (m_closedBy == Closer::Unknown)
        m_closedBy = Closer::Local;
    m_state = State::Closing;
    m_continueDeadlineNs.reset();
    if (m_closeWhy.isEmpty())
        m_closeWhy = why;
}

TimelineEvent ClientExchange::event(EventKind kind, int status, qint64 bytes, const QString &detail,
                                    const QString &rule) const
{
    return TimelineEvent::at(m_now, Side::Client, m_summary.id, kind, status, bytes, detail, rule)
        .withRequest(m_attempt);
}

void ClientExchange::emitEvent(const TimelineEvent &e)
{
    m_summary.events.append(e);
}

} // namespace expectlab
