#include "clientexchange.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientExchange", text);
}

QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 1);
}

QByteArray userAgent()
{
    return "ExpectLab/" + QCoreApplication::applicationVersion().toLatin1();
}
} // namespace

ClientExchange::ClientExchange(int id, ClientRequest request, std::unique_ptr<BodySource> body)
    : m_request(std::move(request))
    , m_body(std::move(body))
{
    m_summary.id = id;
    m_summary.url = m_request.url;
    m_summary.method = m_request.effectiveMethod();
    m_bodySize = m_body ? m_body->size() : 0;
    m_summary.bodyBytes = m_bodySize;
    m_hasContent = m_body && (m_request.chunked || m_bodySize > 0);
}

ClientExchange::~ClientExchange() = default;

void ClientExchange::start(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Idle && m_state != State::ReconnectPending)
        return;
    ++m_attempt;
    if (m_attempt == 1) {
        m_summary.startNs = nowNs;
        m_deadlineNs = nowNs + qint64(m_request.timeoutMs) * 1'000'000;
    }
    m_parser = std::make_unique<HttpParser>(HttpParser::Kind::Response, static_cast<HttpParser::Sink *>(this));
    m_parser->setMaxHeadBytes(kMaxResponseHeadBytes);
    m_summary.wireLogs.append(WireLog());
    m_headSent = false;
    m_waitingForContinue = false;
    m_continueDeadlineNs.reset();
    m_bodyActive = m_bodyDone = m_bodyStopped = false;
    m_bodySent = 0;
    m_chunkPieces.clear();
    m_finalReceived = m_responseComplete = m_retryAfterClose = false;
    m_closeWhy.clear();
    buildHead();
    m_state = State::Connecting;
    const int port = m_request.url.port(80);
    emitEvent(EventKind::Connect, 0, -1, tr("%1:%2 (attempt %3)").arg(m_request.url.host()).arg(port).arg(m_attempt));
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
    if (m_request.url.port() > 0 && m_request.url.port() != 80)
        host += ':' + QByteArray::number(m_request.url.port());
    head.headers = {{"Host", host}, {"User-Agent", userAgent()}, {"Accept", "*/*"}};
    for (const auto &h : m_request.headers)
        setHeader(head.headers, h.first, h.second);

    // Framing and the expectation are ours to set: the user's copies would contradict the body.
    removeHeader(head.headers, "Expect");
    if (m_body) {
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
    m_head = head.serializeRequest();
}

void ClientExchange::connected(qint64 nowNs, const QString &peer)
{
    m_now = nowNs;
    if (m_state != State::Connecting)
        return;
    m_state = State::Exchanging;
    emitEvent(EventKind::Connected, 0, -1, peer);
}

bool ClientExchange::wantsToSend() const
{
    if (m_state != State::Exchanging)
        return false;
    return !m_headSent || !m_chunkPieces.isEmpty() || (m_bodyActive && !m_bodyDone && !m_bodyStopped);
}

QByteArray ClientExchange::nextOutgoing(qint64 budget, qint64 nowNs)
{
    m_now = nowNs;
    if (!wantsToSend())
        return {};
    if (!m_headSent) {
        m_headSent = true;
        m_headSentNs = nowNs;
        wire().add(WireLog::Direction::Sent, nowNs, m_head, false);
        QString detail = QStringLiteral("%1 %2").arg(QString::fromLatin1(m_summary.method), m_request.url.toString());
        QString rule;
        if (!m_expectThisAttempt.isEmpty()) {
            detail += QStringLiteral("; Expect: %1").arg(QString::fromLatin1(m_expectThisAttempt));
            if (!m_hasContent) {
                detail += tr("; no content: this breaks R2");
                rule = QStringLiteral("R2");
            } else {
                rule = QStringLiteral("R3");
            }
        }
        emitEvent(EventKind::HeadSent, 0, m_head.size(), detail, rule);
        if (m_hasContent) {
            if (!m_expectThisAttempt.isEmpty() && m_request.expectTimeoutMs > 0) {
                m_waitingForContinue = true;
                m_continueDeadlineNs = nowNs + qint64(m_request.expectTimeoutMs) * 1'000'000;
            } else {
                startBody(nowNs);
            }
        }
        return m_head;
    }
    if (!m_chunkPieces.isEmpty()) {
        const QByteArray piece = m_chunkPieces.takeFirst();
        if (m_chunkPieces.isEmpty() && m_bodySent >= m_bodySize && !m_bodyStopped)
            finishBody();
        return piece;
    }

    QByteArray slice = m_body->read(qMax<qint64>(1, budget));
    if (slice.isEmpty() && m_bodySent < m_bodySize) {
        fail(tr("reading the body failed after %1 bytes: %2").arg(m_bodySent).arg(m_body->errorString()));
        return {};
    }
    if (m_bodySent == 0)
        emitEvent(EventKind::BodyStart, 0, slice.size());
    m_bodySent += slice.size();
    m_summary.bodyBytesSent += slice.size();
    wire().add(WireLog::Direction::Sent, nowNs, slice, true);
    const bool last = m_bodySent >= m_bodySize;
    if (m_request.chunked) {
        // The chunk goes out as size line, data, CRLF: three pieces rather than one framed copy, so
        // the data reaches the socket as the source gave it (for generated bodies, shared memory).
        const QByteArray end = last ? QByteArrayLiteral("0\r\n\r\n") : QByteArray();
        if (slice.isEmpty()) {
            slice = end;
        } else {
            m_chunkPieces << slice << QByteArrayLiteral("\r\n") + end;
            slice = QByteArray::number(slice.size(), 16) + "\r\n";
        }
    }
    if (last && m_chunkPieces.isEmpty())
        finishBody();
    return slice;
}

void ClientExchange::finishBody()
{
    m_bodyDone = true;
    emitEvent(EventKind::BodyDone, 0, m_bodySent);
}

void ClientExchange::startBody(qint64 nowNs)
{
    m_now = nowNs;
    m_waitingForContinue = false;
    m_continueDeadlineNs.reset();
    if (!m_hasContent || m_bodyActive || m_bodyStopped)
        return;
    m_bodyActive = true;
}

void ClientExchange::stopBody()
{
    if (!m_hasContent || m_bodyDone || m_bodyStopped)
        return;
    m_bodyStopped = true;
    m_waitingForContinue = false;
    m_continueDeadlineNs.reset();
    m_summary.bytesSaved += m_bodySize - m_bodySent;
}

void ClientExchange::noteFirstAnswer()
{
    if (m_attempt == 1 && !m_summary.expectWaitNs && m_summary.expectSent && m_headSent)
        m_summary.expectWaitNs = m_now - m_headSentNs;
}

void ClientExchange::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Exchanging || data.isEmpty())
        return;
    wire().add(WireLog::Direction::Received, nowNs, data, m_finalReceived && !m_responseComplete);
    const HttpParser::Result r = m_parser->feed(data);
    if (r.status == HttpParser::Status::Error)
        fail(tr("malformed response: %1").arg(m_parser->errorReason()));
}

HttpParser::HeadAction ClientExchange::onHead(const MessageHead &head)
{
    if (m_finalReceived) {
        // Anything after the final response on a connection we do not reuse is the server's error.
        fail(tr("unexpected response %1 after the final response").arg(head.status));
        return HttpParser::HeadAction::SkipBody;
    }
    if (head.isInterim()) {
        m_currentIsInterim = true;
        if (m_summary.interimStatuses.size() >= kMaxInterimResponses) {
            fail(tr("more than %1 interim responses: giving up").arg(kMaxInterimResponses));
            return HttpParser::HeadAction::SkipBody;
        }
        m_summary.interimStatuses.append(head.status);
        m_summary.interimHeads.append(head);
        QString detail = QStringLiteral("%1 %2").arg(head.status).arg(QString::fromLatin1(head.reason));
        QString rule = QStringLiteral("R17");
        const bool wasWaiting = m_waitingForContinue;
        const bool duplicate = head.status == 100 && m_summary.interimStatuses.count(100) > 1;
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
            rule = head.status == 101 || head.status == 102 || head.status == 103 ? QStringLiteral("R17")
                                                                                  : QStringLiteral("R14");
        }
        noteFirstAnswer();
        emitEvent(EventKind::Interim, head.status, -1, detail, rule);
        // Any 1xx ends the wait, as in h11: the server is alive and has seen the head.
        if (wasWaiting)
            startBody(m_now);
        return HttpParser::HeadAction::Continue;
    }

    m_currentIsInterim = false;
    m_finalReceived = true;
    m_summary.finalStatus = head.status;
    m_summary.finalHead = head;
    m_summary.responseBodyPreview.clear();
    m_summary.responseBodyBytes = 0;
    noteFirstAnswer();
    QString detail = QStringLiteral("%1 %2").arg(head.status).arg(QString::fromLatin1(head.reason));
    QString rule;
    if (m_hasContent && !m_bodyDone) {
        const qint64 unsent = m_bodySize - m_bodySent;
        stopBody();
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
    emitEvent(EventKind::Final, head.status, -1, detail, rule);
    return m_summary.method == "HEAD" ? HttpParser::HeadAction::SkipBody : HttpParser::HeadAction::Continue;
}

void ClientExchange::onBody(QByteArrayView data)
{
    if (m_currentIsInterim)
        return;
    m_summary.responseBodyBytes += data.size();
    const qsizetype room = kResponsePreview - m_summary.responseBodyPreview.size();
    if (room > 0)
        m_summary.responseBodyPreview.append(data.first(qMin(room, data.size())));
}

void ClientExchange::onMessageComplete()
{
    if (m_currentIsInterim) {
        m_currentIsInterim = false;
        return;
    }
    if (!m_finalReceived || m_responseComplete)
        return;
    m_responseComplete = true;
    emitEvent(EventKind::ResponseDone, m_summary.finalStatus.value_or(0), m_summary.responseBodyBytes);
    // One exchange per connection: close once the response is read (R20 is then moot).
    closeNow(m_retryAfterClose ? tr("closing to retry without Expect") : tr("response complete"));
}

void ClientExchange::peerClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state != State::Exchanging && m_state != State::Connecting)
        return;
    if (m_parser && !m_responseComplete) {
        // A body delimited by the close completes here.
        const HttpParser::Result r = m_parser->finish();
        if (r.status == HttpParser::Status::Error && m_finalReceived && !m_responseComplete)
            fail(tr("connection closed during the response body"));
    }
    if (m_state != State::Exchanging)
        return;
    if (!m_finalReceived) {
        m_retryAfterClose = false;
        fail(m_headSent ? tr("connection closed by the server before a final response")
                        : tr("connection closed by the server before the request was sent"));
    } else if (!m_responseComplete) {
        fail(tr("connection closed during the response body"));
    } else {
        closeNow(tr("server closed"));
    }
}

void ClientExchange::transportError(qint64 nowNs, const QString &message)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::ReconnectPending)
        return;
    if (m_responseComplete) {
        closeNow(message);
        return;
    }
    if (m_finalReceived && m_state == State::Exchanging) {
        // The server answered and then reset while we were still uploading; the answer stands.
        fail(tr("%1 after the final response").arg(message));
        return;
    }
    m_retryAfterClose = false;
    fail(message);
}

void ClientExchange::transportClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::ReconnectPending || m_state == State::Idle)
        return;
    emitEvent(EventKind::Closed, 0, -1, m_closeWhy.isEmpty() ? tr("closed") : m_closeWhy);
    if (m_retryAfterClose && m_summary.error.isEmpty()) {
        m_summary.retried = true;
        m_state = State::ReconnectPending;
        QString rewindError;
        if (m_body && !m_body->rewind(&rewindError)) {
            fail(rewindError);
            m_state = State::Done;
            m_summary.endNs = nowNs;
            return;
        }
        emitEvent(EventKind::Retry, 0, -1, tr("417 received: repeating the request without Expect"),
                  QStringLiteral("R6"));
        return;
    }
    m_state = State::Done;
    m_summary.endNs = nowNs;
}

void ClientExchange::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done || m_state == State::Idle)
        return;
    if (m_continueDeadlineNs && nowNs >= *m_continueDeadlineNs && m_waitingForContinue) {
        noteFirstAnswer();
        emitEvent(EventKind::ExpectTimeout, 0, -1,
                  tr("no 100 within %1 ms: sending the body anyway").arg(m_request.expectTimeoutMs),
                  QStringLiteral("R5"));
        startBody(nowNs);
    }
    if (nowNs >= m_deadlineNs && m_state != State::Closing) {
        QString what;
        if (m_state == State::Connecting)
            what = tr("connecting");
        else if (!m_finalReceived)
            what = tr("the final response");
        else
            what = tr("the response body");
        fail(tr("timed out after %1 ms waiting for %2").arg(m_request.timeoutMs).arg(what));
        m_retryAfterClose = false;
    }
}

void ClientExchange::cancel(qint64 nowNs)
{
    m_now = nowNs;
    if (m_state == State::Done)
        return;
    m_summary.cancelled = true;
    m_retryAfterClose = false;
    stopBody();
    emitEvent(EventKind::Cancelled, 0, m_bodySent, tr("cancelled by the user after %1 body bytes").arg(m_bodySent));
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
    if (m_waitingForContinue && m_continueDeadlineNs && *m_continueDeadlineNs < *next)
        next = m_continueDeadlineNs;
    return next;
}

QList<TimelineEvent> ClientExchange::takeEvents()
{
    QList<TimelineEvent> fresh = m_summary.events.mid(m_eventsTaken);
    m_eventsTaken = m_summary.events.size();
    return fresh;
}

void ClientExchange::fail(const QString &message)
{
    if (m_state == State::Done)
        return;
    stopBody();
    if (m_summary.error.isEmpty())
        m_summary.error = message;
    emitEvent(EventKind::Error, 0, -1, message);
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
    m_state = State::Closing;
    m_waitingForContinue = false;
    m_continueDeadlineNs.reset();
    if (m_closeWhy.isEmpty())
        m_closeWhy = why;
}

void ClientExchange::emitEvent(EventKind kind, int status, qint64 bytes, const QString &detail, const QString &rule)
{
    m_summary.events.append(TimelineEvent::at(m_now, Side::Client, m_summary.id, kind, status, bytes, detail, rule));
}

QString ExchangeSummary::outcomeText() const
{
    if (cancelled)
        return tr("cancelled after %1 body bytes").arg(bodyBytesSent);
    if (!error.isEmpty() && !finalStatus)
        return tr("no final response: %1").arg(error);
    const double totalMs = double(endNs - startNs) / 1e6;
    if (retried) {
        return tr("417: server rejected the expectation; retried without Expect, %1 after %2 ms")
            .arg(finalStatus.value_or(0))
            .arg(totalMs, 0, 'f', 1);
    }
    QString text = tr("%1 after %2 ms").arg(finalStatus.value_or(0)).arg(totalMs, 0, 'f', 1);
    if (expectWaitNs)
        text += tr("; expect wait %1 ms").arg(ms(*expectWaitNs));
    if (!interimStatuses.isEmpty()) {
        QStringList s;
        for (int st : interimStatuses)
            s << QString::number(st);
        text += tr("; interim %1").arg(s.join(QLatin1Char(',')));
    }
    if (bytesSaved > 0)
        text += tr("; %1 body bytes saved").arg(bytesSaved);
    if (!error.isEmpty())
        text += QStringLiteral("; ") + error;
    return text;
}

} // namespace expectlab
