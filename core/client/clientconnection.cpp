#include "clientconnection.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientConnection", text);
}
} // namespace

ClientConnection::ClientConnection(Listener *listener, Rules rules)
    : m_listener(listener)
    , m_rules(rules)
    , m_parser(HttpParser::Kind::Response, this)
{
    m_parser.setMaxHeadBytes(m_rules.maxHeadBytes);
}

ClientConnection::~ClientConnection() = default;

void ClientConnection::sendHead(const MessageHead &head, const TimelineEvent &announce)
{
    m_chunked = head.isChunked();
    const QByteArray bytes = head.serializeRequest();
    m_out.queue(bytes, false);
    m_pieces << bytes;
    m_headOffset = m_out.queued() - 1;
    QList<TimelineEvent> ready;
    m_out.hold(announce, *m_headOffset, ready);
    release(ready);
}

void ClientConnection::sendData(const QByteArray &data, const std::optional<TimelineEvent> &atFirstByte)
{
    if (data.isEmpty())
        return;
    const qint64 first = m_out.queued();
    if (m_chunked) {
        // A chunk goes out as size line, data, CRLF: three pieces rather than one framed copy, so
        // the data reaches the socket as the source gave it (for generated bodies, shared memory).
        const QByteArray sizeLine = QByteArray::number(data.size(), 16) + "\r\n";
        m_out.queueUnlogged(sizeLine.size());
        m_out.queue(data, true);
        m_out.queueUnlogged(2);
        m_pieces << sizeLine << data << QByteArrayLiteral("\r\n");
    } else {
        m_out.queue(data, true);
        m_pieces << data;
    }
    if (atFirstByte) {
        QList<TimelineEvent> ready;
        m_out.hold(*atFirstByte, first, ready);
        release(ready);
    }
}

void ClientConnection::sendEnd(const TimelineEvent &announce, const std::optional<TimelineEvent> &atFirstByte)
{
    QList<TimelineEvent> ready;
    if (atFirstByte)
        m_out.hold(*atFirstByte, m_out.queued(), ready);
    if (m_chunked) {
        const QByteArray last = QByteArrayLiteral("0\r\n\r\n");
        m_out.queueUnlogged(last.size());
        m_pieces << last;
    }
    m_out.hold(announce, m_out.queued() - 1, ready);
    release(ready);
}

qint64 ClientConnection::sendRaw(const QByteArray &bytes, bool body, const TimelineEvent &announce)
{
    m_out.queue(bytes, body);
    if (!bytes.isEmpty())
        m_pieces << bytes;
    QList<TimelineEvent> ready;
    m_out.hold(announce, m_out.queued() - 1, ready);
    release(ready);
    return m_out.queued() - 1;
}

void ClientConnection::sent(qint64 bytes, qint64 nowNs)
{
    QList<TimelineEvent> released;
    m_out.handed(bytes, nowNs, m_listener->wireLog(), released);
    release(released);
}

void ClientConnection::abandon(qint64 nowNs)
{
    QList<TimelineEvent> unsent;
    m_out.abandon(nowNs, unsent);
    m_pieces.clear();
    release(unsent);
}

void ClientConnection::release(QList<TimelineEvent> &events)
{
    for (const TimelineEvent &e : std::as_const(events))
        m_listener->outputEvent(e);
}

qint64 ClientConnection::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (data.isEmpty() || m_refused)
        return 0;
    WireLog &wire = m_listener->wireLog();
    if (readingStopped()) {
        wire.add(WireLog::Direction::Received, nowNs, data, true);
        return data.size();
    }
    if (m_rules.strict && m_out.sent() == 0) {
        // Nobody answers a request of which no byte has left: a banner, or not an HTTP server at all.
        wire.add(WireLog::Direction::Received, nowNs, data, false);
        refuse(
            ErrorKind::SpokeFirst,
            tr("the server sent %1 bytes before any byte of the request left: is it an HTTP server?").arg(data.size()));
        return 0;
    }
    wire.add(WireLog::Direction::Received, nowNs, data, m_inFinal);
    const HttpParser::Result r = m_parser.feed(data);
    if (r.status == HttpParser::Status::Error) {
        refuse(ErrorKind::MalformedResponse, tr("malformed response: %1").arg(m_parser.errorReason()));
        return 0;
    }
    if (r.status == HttpParser::Status::Stopped && m_stopRequested)
        return data.size() - r.consumed;
    return 0;
}

void ClientConnection::stopReading()
{
    m_stopRequested = true;
    m_parser.stop();
}

std::optional<QString> ClientConnection::peerClosed()
{
    if (readingStopped() || m_refused)
        return std::nullopt;
    if (m_parser.finish().status == HttpParser::Status::Error)
        return m_parser.errorReason();
    return std::nullopt;
}

void ClientConnection::refuse(ErrorKind kind, const QString &message)
{
    m_refused = true;
    m_listener->responseFailed(kind, message);
}

HttpParser::HeadAction ClientConnection::onHead(const MessageHead &head)
{
    if (m_rules.strict) {
        if (head.status < 100 || head.status > 599) {
            refuse(
                ErrorKind::InvalidStatus,
                tr("invalid status code %1: RFC 9110 15 allows 100 to 599").arg(head.status, 3, 10, QLatin1Char('0')));
            return HttpParser::HeadAction::Stop;
        }
        if (head.versionMajor != 1) {
            refuse(ErrorKind::MalformedResponse,
                   tr("the response says HTTP/%1.%2, not HTTP/1.x").arg(head.versionMajor).arg(head.versionMinor));
            return HttpParser::HeadAction::Stop;
        }
        if (head.status == 101) {
            // We never send Upgrade, so a switch of protocols is the server's error: whatever follows
            // is not HTTP/1.1 (RFC 9110 15.2.2).
            const auto upgrade = head.header("Upgrade");
            refuse(ErrorKind::UnexpectedUpgrade,
                   tr("the server switched protocols (101%1) although the request asked for no upgrade")
                       .arg(upgrade ? tr(" to %1").arg(displayText(*upgrade)) : QString()));
            return HttpParser::HeadAction::Stop;
        }
        if (head.isInterim() && m_interims >= m_rules.maxInterims) {
            refuse(ErrorKind::TooManyInterims,
                   tr("more than %1 interim responses: giving up").arg(m_rules.maxInterims));
            return HttpParser::HeadAction::Stop;
        }
    }
    m_inInterim = head.isInterim();
    if (m_inInterim)
        ++m_interims;
    else
        m_inFinal = true;
    const HttpParser::HeadAction action = m_listener->responseHead(head);
    if (action == HttpParser::HeadAction::Stop)
        m_refused = true;
    return action;
}

void ClientConnection::onBody(QByteArrayView data)
{
    if (!m_inInterim)
        m_listener->responseData(data);
}

void ClientConnection::onMessageComplete()
{
    if (m_inInterim) {
        m_inInterim = false;
        return;
    }
    if (!m_inFinal)
        return;
    m_inFinal = false;
    // The bound is per response: a connection kept alive (the proxy's upstream hop) answers many
    // requests, each with its own 100.
    m_interims = 0;
    m_listener->responseEnd();
}

} // namespace expectlab
