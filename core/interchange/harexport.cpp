#include "harexport.h"

#include "exchangerecord.h"
#include "exchangereport.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStringDecoder>
#include <QUrlQuery>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("HarExport", text);
}

double ms(qint64 ns)
{
    return double(ns / 1000) / 1000.0; // microsecond precision
}

QJsonArray harHeaders(const HttpHeaders &headers)
{
    QJsonArray out;
    for (const auto &[name, value] : headers)
        out.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)},
                               {QStringLiteral("value"), QString::fromLatin1(value)}});
    return out;
}

std::optional<QByteArray> headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return std::nullopt;
}

QJsonArray requestCookies(const HttpHeaders &headers)
{
    QJsonArray out;
    for (const auto &[name, value] : headers) {
        if (name.compare("Cookie", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &pair : value.split(';')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq <= 0)
                continue;
            out.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(pair.left(eq).trimmed())},
                                   {QStringLiteral("value"), QString::fromLatin1(pair.mid(eq + 1).trimmed())}});
        }
    }
    return out;
}

QJsonArray responseCookies(const HttpHeaders &headers)
{
    QJsonArray out;
    for (const auto &[name, value] : headers) {
        if (name.compare("Set-Cookie", Qt::CaseInsensitive) != 0)
            continue;
        const QByteArray first = value.split(';').first();
        const qsizetype eq = first.indexOf('=');
        if (eq <= 0)
            continue;
        out.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(first.left(eq).trimmed())},
                               {QStringLiteral("value"), QString::fromLatin1(first.mid(eq + 1).trimmed())}});
    }
    return out;
}

std::optional<QString> validUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError() || bytes.contains('\0'))
        return std::nullopt;
    return text;
}

// When each step of the last attempt happened, read back from the exchange's events.
struct Attempt
{
    qint64 connect = -1, connected = -1, tlsStart = -1, tlsDone = -1, headSent = -1, bodyStart = -1, bodyDone = -1,
           final = -1, responseDone = -1, closed = -1;
    QList<QPair<qint64, int>> interims;
};

QList<Attempt> attemptsOf(const ExchangeSummary &s)
{
    QList<Attempt> attempts;
    for (const TimelineEvent &e : s.events) {
        if (e.kind == EventKind::Connect || attempts.isEmpty())
            attempts.append(Attempt());
        Attempt &a = attempts.last();
        auto once = [&e](qint64 &slot) {
            if (slot < 0)
                slot = e.tNs;
        };
        switch (e.kind) {
        case EventKind::Connect: once(a.connect); break;
        case EventKind::Connected: once(a.connected); break;
        case EventKind::TlsStart: once(a.tlsStart); break;
        case EventKind::TlsDone: once(a.tlsDone); break;
        case EventKind::HeadSent: once(a.headSent); break;
        case EventKind::BodyStart: once(a.bodyStart); break;
        case EventKind::BodyDone: once(a.bodyDone); break;
        case EventKind::Final: once(a.final); break;
        case EventKind::ResponseDone: once(a.responseDone); break;
        case EventKind::Closed: once(a.closed); break;
        case EventKind::Interim: a.interims.append({e.tNs, e.status}); break;
        default: break;
        }
    }
    return attempts;
}

QJsonObject timingsOf(const ExchangeSummary &s, qint64 *totalNs)
{
    const QList<Attempt> attempts = attemptsOf(s);
    const Attempt a = attempts.isEmpty() ? Attempt() : attempts.last();
    const qint64 start = s.startNs;
    const qint64 end = a.responseDone >= 0 ? a.responseDone : (s.endNs ? *s.endNs : (a.final >= 0 ? a.final : start));
    const qint64 attemptStart = a.connect >= 0 ? qMax(a.connect, start) : start;
    const qint64 blocked = attemptStart - start;
    // HAR 1.2: `ssl` is the TLS handshake, and `connect` includes it (for HAR 1.1 readers).
    const qint64 ssl = a.tlsStart >= 0 && a.tlsDone >= a.tlsStart ? a.tlsDone - a.tlsStart : -1;
    const qint64 tcpUp = a.connected >= 0 ? a.connected : -1;
    const qint64 connectedAt = ssl >= 0 ? a.tlsDone : (tcpUp >= 0 ? tcpUp : attemptStart);
    const qint64 connect = tcpUp >= 0 ? connectedAt - attemptStart : -1;
    const qint64 answered = a.final >= 0 ? a.final : end;

    // Sending: the head, then the body for as long as it flowed before the answer.
    qint64 send = 0;
    if (a.headSent >= 0)
        send += qMax<qint64>(0, qMin(a.headSent, answered) - connectedAt);
    if (a.bodyStart >= 0) {
        const qint64 bodyEnd = a.bodyDone >= 0 ? a.bodyDone : answered;
        send += qMax<qint64>(0, qMin(bodyEnd, answered) - qMin(a.bodyStart, answered));
    }
    const qint64 span = qMax<qint64>(0, answered - connectedAt);
    send = qMin(send, span);
    const qint64 wait = span - send;
    const qint64 receive = a.final >= 0 ? qMax<qint64>(0, end - a.final) : 0;

    // `time` is the sum of the parts HAR counts (dns is -1; ssl is inside connect), so viewers agree.
    const double total = ms(blocked) + (connect >= 0 ? ms(connect) : 0) + ms(send) + ms(wait) + ms(receive);
    *totalNs = qint64(total * 1e6 + 0.5);
    return QJsonObject{
        {QStringLiteral("blocked"), ms(blocked)},
        {QStringLiteral("dns"), -1},
        {QStringLiteral("connect"), connect >= 0 ? ms(connect) : -1.0},
        {QStringLiteral("ssl"), ssl >= 0 ? ms(ssl) : -1.0},
        {QStringLiteral("send"), ms(send)},
        {QStringLiteral("wait"), ms(wait)},
        {QStringLiteral("receive"), ms(receive)},
    };
}

QString versionText(const MessageHead &h)
{
    return QStringLiteral("HTTP/%1.%2").arg(h.versionMajor).arg(h.versionMinor);
}

QJsonObject entryOf(const Session &session, const ExchangeSummary &s)
{
    QJsonObject request;
    request.insert(QStringLiteral("method"), QString::fromLatin1(s.method));
    request.insert(QStringLiteral("url"), s.url.toString(QUrl::FullyEncoded));
    request.insert(QStringLiteral("httpVersion"), QStringLiteral("HTTP/1.1"));
    request.insert(QStringLiteral("cookies"), requestCookies(s.requestHeaders));
    request.insert(QStringLiteral("headers"), harHeaders(s.requestHeaders));
    QJsonArray query;
    for (const auto &[name, value] : QUrlQuery(s.url).queryItems(QUrl::FullyDecoded))
        query.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    request.insert(QStringLiteral("queryString"), query);
    qint64 requestHeadSize = -1;
    if (!s.wireLogs.isEmpty()) {
        for (const WireLog::Record &r : s.wireLogs.first().records()) {
            if (r.direction == WireLog::Direction::Sent && !r.body) {
                requestHeadSize = r.byteCount;
                break;
            }
        }
    }
    request.insert(QStringLiteral("headersSize"), double(requestHeadSize));
    request.insert(QStringLiteral("bodySize"), double(s.bodyBytes));
    // The body itself is only known when the wire log kept all of it.
    if (s.bodyBytes > 0 && !s.wireLogs.isEmpty()) {
        for (const WireLog::Record &r : s.wireLogs.last().records()) {
            if (r.direction == WireLog::Direction::Sent && r.body) {
                if (r.byteCount == s.bodyBytes && !r.truncated()) {
                    if (const auto text = validUtf8(r.bytes)) {
                        const QByteArray type =
                            headerValue(s.requestHeaders, "Content-Type").value_or("application/octet-stream");
                        request.insert(QStringLiteral("postData"),
                                       QJsonObject{{QStringLiteral("mimeType"), QString::fromLatin1(type)},
                                                   {QStringLiteral("text"), *text}});
                    }
                }
                break;
            }
        }
    }

    QJsonObject response;
    QJsonObject content;
    if (s.finalStatus) {
        const MessageHead &h = s.finalHead;
        response.insert(QStringLiteral("status"), *s.finalStatus);
        response.insert(QStringLiteral("statusText"), QString::fromLatin1(h.reason));
        response.insert(QStringLiteral("httpVersion"), versionText(h));
        response.insert(QStringLiteral("cookies"), responseCookies(h.headers));
        response.insert(QStringLiteral("headers"), harHeaders(h.headers));
        content.insert(QStringLiteral("size"), double(s.responseBodyBytes));
        content.insert(QStringLiteral("mimeType"),
                       QString::fromLatin1(headerValue(h.headers, "Content-Type").value_or("x-unknown")));
        if (!s.responseBodyPreview.isEmpty()) {
            if (const auto text = validUtf8(s.responseBodyPreview)) {
                content.insert(QStringLiteral("text"), *text);
            } else {
                content.insert(QStringLiteral("text"), QString::fromLatin1(s.responseBodyPreview.toBase64()));
                content.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
            }
            if (s.responseBodyPreview.size() < s.responseBodyBytes)
                content.insert(QStringLiteral("comment"),
                               tr("only the first %1 bytes were kept").arg(s.responseBodyPreview.size()));
        }
        response.insert(QStringLiteral("redirectURL"),
                        QString::fromLatin1(headerValue(h.headers, "Location").value_or(QByteArray())));
        response.insert(QStringLiteral("headersSize"), double(h.serializeResponse().size()));
        response.insert(QStringLiteral("bodySize"), double(s.responseBodyBytes));
    } else {
        // No final response: HAR's convention (as browsers write it) is status 0.
        response.insert(QStringLiteral("status"), 0);
        response.insert(QStringLiteral("statusText"), QString());
        response.insert(QStringLiteral("httpVersion"), QString());
        response.insert(QStringLiteral("cookies"), QJsonArray());
        response.insert(QStringLiteral("headers"), QJsonArray());
        content.insert(QStringLiteral("size"), 0);
        content.insert(QStringLiteral("mimeType"), QStringLiteral("x-unknown"));
        response.insert(QStringLiteral("redirectURL"), QString());
        response.insert(QStringLiteral("headersSize"), -1);
        response.insert(QStringLiteral("bodySize"), -1);
    }
    response.insert(QStringLiteral("content"), content);
    if (!s.error.isEmpty())
        response.insert(QStringLiteral("_error"), s.error);

    QJsonArray interims;
    for (const TimelineEvent &e : s.events) {
        if (e.kind != EventKind::Interim)
            continue;
        QJsonObject i{{QStringLiteral("status"), e.status}, {QStringLiteral("time"), ms(e.tNs - s.startNs)}};
        if (e.head) {
            i.insert(QStringLiteral("statusText"), QString::fromLatin1(e.head->reason));
            i.insert(QStringLiteral("httpVersion"), versionText(*e.head));
            i.insert(QStringLiteral("headers"), harHeaders(e.head->headers));
        }
        if (e.request > 0)
            i.insert(QStringLiteral("attempt"), e.request);
        interims.append(i);
    }
    response.insert(QStringLiteral("_interim"), interims);

    qint64 totalNs = 0;
    const QJsonObject timings = timingsOf(s, &totalNs);

    QJsonObject extra{
        {QStringLiteral("id"), s.id},
        {QStringLiteral("expect_sent"), s.expectSent},
        {QStringLiteral("expect_wait_ms"), s.expectWaitNs ? QJsonValue(ms(*s.expectWaitNs)) : QJsonValue()},
        {QStringLiteral("retried"), s.retried},
        {QStringLiteral("cancelled"), s.cancelled},
        {QStringLiteral("body_bytes_sent"), double(s.bodyBytesSent)},
        {QStringLiteral("bytes_saved"), double(s.bytesSaved)},
        {QStringLiteral("total_ms"), s.endNs ? QJsonValue(ms(s.durationNs())) : QJsonValue()},
        {QStringLiteral("outcome"), s.outcomeText()},
        {QStringLiteral("outcome_code"), s.outcomeCode()},
    };

    QJsonObject entry;
    entry.insert(QStringLiteral("startedDateTime"), session.wallTime(s.startNs).toString(Qt::ISODateWithMs));
    entry.insert(QStringLiteral("time"), double(totalNs / 1000) / 1000.0);
    entry.insert(QStringLiteral("request"), request);
    entry.insert(QStringLiteral("response"), response);
    entry.insert(QStringLiteral("cache"), QJsonObject());
    entry.insert(QStringLiteral("timings"), timings);
    entry.insert(QStringLiteral("_expectlab"), extra);
    // What the TLS handshake agreed on, the shape of `send --json`'s "tls"; HAR has no field for it.
    if (s.tls)
        entry.insert(QStringLiteral("_tls"), tlsToJson(*s.tls));
    return entry;
}
} // namespace

QJsonObject sessionToHar(const Session &session)
{
    QJsonArray entries;
    for (const ExchangeSummary &s : session.exchanges)
        entries.append(entryOf(session, s));
    // Outside clients (curl, your own app) were seen only by our server: their exchanges come from
    // its view of each connection, as the list shows them, and say so (_expectlab.observed_by).
    QHash<int, QList<TimelineEvent>> eventsOf; // the server's events by connection, in one pass
    for (const TimelineEvent &e : session.serverEvents)
        eventsOf[e.conn].append(e);
    for (const SessionServerConnection &c : session.serverConnections) {
        if (c.exchangeId != 0)
            continue;
        ServerConnectionRecord record;
        record.id = c.id;
        record.peerAddress = c.peerAddress;
        record.peerPort = c.peerPort;
        record.events = eventsOf.value(c.id);
        const ExchangeSummary s = summaryFromServerConnection(record);
        if (s.method.isEmpty())
            continue; // no request head came: nothing a HAR entry could say
        QJsonObject entry = entryOf(session, s);
        QJsonObject extra = entry.value(QStringLiteral("_expectlab")).toObject();
        extra.insert(QStringLiteral("observed_by"), QStringLiteral("server"));
        extra.insert(QStringLiteral("client"), QStringLiteral("%1:%2").arg(c.peerAddress).arg(c.peerPort));
        entry.insert(QStringLiteral("_expectlab"), extra);
        entries.append(entry);
    }
    QJsonObject log{
        {QStringLiteral("version"), QStringLiteral("1.2")},
        {QStringLiteral("creator"), QJsonObject{{QStringLiteral("name"), QStringLiteral("ExpectLab")},
                                                {QStringLiteral("version"), QStringLiteral(EXPECTLAB_VERSION)}}},
        {QStringLiteral("pages"), QJsonArray()},
        {QStringLiteral("entries"), entries},
    };
    if (!session.note.isEmpty())
        log.insert(QStringLiteral("comment"), session.note);
    return QJsonObject{{QStringLiteral("log"), log}};
}

bool saveHar(const Session &session, const QString &path, QString *error)
{
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(sessionToHar(session)).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace expectlab
