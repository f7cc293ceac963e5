#include "serverconnection.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ServerConnection", text);
}
} // namespace

ServerConnection::ServerConnection(int id, const ServerPolicy &policy, qint64 nowNs)
    : m_id(id)
    , m_policy(policy)
    , m_parser(HttpParser::Kind::Request, this)
    , m_now(nowNs)
{
    emitEvent(EventKind::Accepted, 0, -1, tr("policy %1").arg(policy.toString()));
}

void ServerConnection::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (m_closed || data.isEmpty())
        return;
    if (m_closeMode != CloseMode::None) {
        // After an early final response the rest is not parsed: it is what the client sent before
        // it saw our answer (R19: we close instead of reading it as the next request).
        m_discardedBytes += data.size();
        m_wire.add(WireLog::Direction::Received, nowNs, data, true);
        return;
    }
    qsizetype offset = 0;
    while (offset < data.size() && m_closeMode == CloseMode::None) {
        const QByteArrayView rest = data.sliced(offset);
        const bool wasInBody = m_inBody;
        const HttpParser::Result r = m_parser.feed(rest);
        m_wire.add(WireLog::Direction::Received, nowNs, rest.first(r.consumed), wasInBody);
        offset += r.consumed;
        if (r.status == HttpParser::Status::Error) {
            emitEvent(EventKind::Error, 400, -1, m_parser.errorReason());
            QJsonObject body{{QStringLiteral("error"), QStringLiteral("bad_request")},
                             {QStringLiteral("reason"), m_parser.errorReason()}};
            sendFinal(400, QJsonDocument(body).toJson(QJsonDocument::Compact), true,
                      tr("malformed request: %1").arg(m_parser.errorReason()));
            break;
        }
        if (r.status == HttpParser::Status::Paused) {
            m_moreInSegment = offset < data.size();
            applyDecision();
            if (offset == data.size() && m_closeMode == CloseMode::None)
                m_parser.feed({}); // completes a request without a body now, not on the next bytes
        }
    }
    if (offset < data.size()) {
        m_discardedBytes += data.size() - offset;
        m_wire.add(WireLog::Direction::Received, nowNs, data.sliced(offset), true);
    }
}

HttpParser::HeadAction ServerConnection::onHead(const MessageHead &head)
{
    m_request = head;
    m_headPending = true;
    m_interimSent = false;
    m_bodyBeforeInterim = false;
    m_bodyBytes = 0;
    m_continueDeadlineNs.reset();
    ++m_requestCount;
    const auto expect = head.combinedHeader("Expect");
    m_expectsContinue = expect && isContinueExpectation(*expect) && !head.isHttp10();
    emitEvent(EventKind::Head, 0, -1, describeHead(head));
    return HttpParser::HeadAction::Pause;
}

void ServerConnection::applyDecision()
{
    m_headPending = false;
    m_decision = decideOnHead(m_policy, m_request);
    using A = HeadDecision::Action;
    switch (m_decision.action) {
    case A::SendContinueNow:
        if (m_moreInSegment) {
            // The body is already here: the client did not wait, a 100 would tell it nothing (R8).
            m_bodyBeforeInterim = true;
        } else {
            sendInterim(m_now);
        }
        m_inBody = true;
        break;
    case A::SendContinueLater:
        m_continueDeadlineNs = m_now + qint64(m_decision.delayMs) * 1'000'000;
        m_inBody = true;
        break;
    case A::ReadBody:
        m_inBody = true;
        break;
    case A::RejectExpectation: {
        const auto expect = m_request.combinedHeader("Expect").value_or(QByteArray());
        QJsonObject body{{QStringLiteral("error"), QStringLiteral("expectation_failed")},
                         {QStringLiteral("expect"), QString::fromLatin1(expect)}};
        sendFinal(417, QJsonDocument(body).toJson(QJsonDocument::Compact), true, m_decision.why);
        break;
    }
    case A::FinalNow: {
        QJsonObject body{{QStringLiteral("error"), QString::fromLatin1(reasonPhrase(m_decision.status))},
                         {QStringLiteral("status"), m_decision.status}};
        sendFinal(m_decision.status, QJsonDocument(body).toJson(QJsonDocument::Compact), true, m_decision.why);
        break;
    }
    case A::CloseNow:
        requestClose(CloseMode::Graceful, m_decision.why);
        break;
    }
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
        emitEvent(EventKind::BodyStart, 0, qint64(data.size()), detail, rule);
    }
    m_bodyBytes += data.size();
}

void ServerConnection::onMessageComplete()
{
    m_inBody = false;
    m_continueDeadlineNs.reset();
    if (m_bodyBytes > 0 || m_request.announcesContent())
        emitEvent(EventKind::BodyDone, 0, m_bodyBytes);
    const auto expect = m_request.combinedHeader("Expect");
    QJsonObject body{
        {QStringLiteral("received_bytes"), m_bodyBytes},
        {QStringLiteral("body_before_interim"), m_bodyBeforeInterim},
        {QStringLiteral("interim_sent"), m_interimSent},
        {QStringLiteral("method"), QString::fromLatin1(m_request.method)},
        {QStringLiteral("target"), QString::fromLatin1(m_request.target)},
        {QStringLiteral("expect"), expect ? QJsonValue(QString::fromLatin1(*expect)) : QJsonValue()},
        {QStringLiteral("connection"), m_id},
        {QStringLiteral("request"), m_requestCount},
    };
    const bool close = !m_parser.keepAlive();
    sendFinal(200, QJsonDocument(body).toJson(QJsonDocument::Compact), close,
              close ? tr("client asked to close") : QString());
}

void ServerConnection::sendInterim(qint64 nowNs)
{
    const QByteArray bytes = QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n");
    m_outgoing += bytes;
    m_wire.add(WireLog::Direction::Sent, nowNs, bytes, false);
    m_interimSent = true;
    emitEvent(EventKind::InterimSent, 100, -1, m_decision.why, m_decision.rule);
}

void ServerConnection::sendFinal(int status, const QByteArray &jsonBody, bool close, const QString &why)
{
    MessageHead response;
    response.status = status;
    // R15 is about 1xx only; a final answer to an HTTP/1.0 request still says HTTP/1.1 (RFC 9110 2.5).
    response.headers = {{"Content-Type", "application/json"},
                        {"Content-Length", QByteArray::number(jsonBody.size())},
                        {"Server", "ExpectLab"}};
    if (close)
        response.headers.append(HttpHeader("Connection", "close")); // R10, R22
    else if (m_request.isHttp10())
        response.headers.append(HttpHeader("Connection", "keep-alive"));
    const QByteArray head = response.serializeResponse();
    m_outgoing += head;
    m_outgoing += jsonBody;
    m_wire.add(WireLog::Direction::Sent, m_now, head, false);
    m_wire.add(WireLog::Direction::Sent, m_now, jsonBody, true);

    QString detail = why;
    QString rule = m_decision.rule;
    if (m_inBody && close) {
        rule = QStringLiteral("R10");
    }
    emitEvent(EventKind::FinalSent, status, jsonBody.size(), detail, rule);
    if (close)
        requestClose(CloseMode::Graceful, why.isEmpty() ? tr("closed after %1 with Connection: close").arg(status)
                                                        : tr("closed after %1: %2").arg(status).arg(why));
}

void ServerConnection::requestClose(CloseMode mode, const QString &why)
{
    if (m_closeMode == CloseMode::Now)
        return;
    m_closeMode = mode;
    if (m_closeReason.isEmpty())
        m_closeReason = why;
    m_continueDeadlineNs.reset();
    if (mode == CloseMode::Graceful && !m_lingerDeadlineNs)
        m_lingerDeadlineNs = m_now + kLingerNs;
}

void ServerConnection::peerClosed(qint64 nowNs)
{
    m_now = nowNs;
    if (m_peerClosed || m_closed)
        return;
    m_peerClosed = true;
    if (m_closeMode == CloseMode::None) {
        if (m_parser.inMessage() || m_headPending) {
            emitEvent(EventKind::Error, 0, m_bodyBytes,
                      tr("peer closed in the middle of a request after %1 body bytes").arg(m_bodyBytes));
        }
        m_closeReason = tr("peer closed the connection");
    }
    m_closeMode = CloseMode::Now;
}

void ServerConnection::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (m_continueDeadlineNs && nowNs >= *m_continueDeadlineNs) {
        m_continueDeadlineNs.reset();
        sendInterim(nowNs);
    }
    if (m_lingerDeadlineNs && nowNs >= *m_lingerDeadlineNs && m_closeMode == CloseMode::Graceful) {
        m_closeMode = CloseMode::Now;
    }
}

std::optional<qint64> ServerConnection::nextDeadlineNs() const
{
    std::optional<qint64> next = m_continueDeadlineNs;
    if (m_closeMode == CloseMode::Graceful && m_lingerDeadlineNs && (!next || *m_lingerDeadlineNs < *next))
        next = m_lingerDeadlineNs;
    return next;
}

void ServerConnection::transportClosed(qint64 nowNs, const QString &transportReason)
{
    m_now = nowNs;
    if (m_closed)
        return;
    m_closed = true;
    QString reason = m_closeReason.isEmpty() ? transportReason : m_closeReason;
    if (reason.isEmpty())
        reason = tr("peer closed the connection");
    if (m_discardedBytes > 0)
        reason += tr("; %1 unread bytes discarded").arg(m_discardedBytes);
    emitEvent(EventKind::Closed, 0, -1, reason, m_discardedBytes > 0 ? QStringLiteral("R19") : QString());
}

void ServerConnection::transportError(qint64 nowNs, const QString &message)
{
    m_now = nowNs;
    if (m_closed)
        return;
    emitEvent(EventKind::Error, 0, -1, message);
    if (m_closeReason.isEmpty())
        m_closeReason = message;
    m_closeMode = CloseMode::Now;
}

QByteArray ServerConnection::takeOutgoing()
{
    return std::exchange(m_outgoing, QByteArray());
}

QList<TimelineEvent> ServerConnection::takeEvents()
{
    return std::exchange(m_events, {});
}

void ServerConnection::emitEvent(EventKind kind, int status, qint64 bytes, const QString &detail,
                                 const QString &rule)
{
    TimelineEvent e;
    e.tNs = m_now;
    e.side = Side::Server;
    e.conn = m_id;
    e.kind = kind;
    e.status = status;
    e.bytes = bytes;
    e.detail = detail;
    e.rule = rule;
    m_events.append(std::move(e));
}

QString ServerConnection::describeHead(const MessageHead &head) const
{
    QString text = QStringLiteral("%1 %2 HTTP/%3.%4")
                       .arg(QString::fromLatin1(head.method), QString::fromLatin1(head.target))
                       .arg(head.versionMajor)
                       .arg(head.versionMinor);
    if (const auto expect = head.combinedHeader("Expect"))
        text += QStringLiteral("; Expect: %1").arg(QString::fromLatin1(*expect));
    if (const auto length = head.contentLength())
        text += QStringLiteral("; Content-Length: %1").arg(*length);
    if (head.isChunked())
        text += QStringLiteral("; chunked");
    return text;
}

} // namespace expectlab
