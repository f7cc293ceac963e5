#include "exchangereport.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace expectlab {

namespace {
double toMs(qint64 ns)
{
    // Microsecond precision, as the contract says.
    return double(ns / 1000) / 1000.0;
}
} // namespace

QJsonObject tlsToJson(const TlsFacts &t)
{
    const bool hasPeer = !t.peerSha256.isEmpty();
    const QJsonValue peer = hasPeer ? QJsonValue(QJsonObject{
                                          {QStringLiteral("subject"), t.peerSubject},
                                          {QStringLiteral("issuer"), t.peerIssuer},
                                          {QStringLiteral("not_after"), t.peerNotAfter.toUTC().toString(Qt::ISODate)},
                                          {QStringLiteral("sha256"), t.peerSha256},
                                      })
                                    : QJsonValue();
    return {
        {QStringLiteral("protocol"), t.protocol},
        {QStringLiteral("cipher"), t.cipher},
        {QStringLiteral("alpn"), t.alpn.isEmpty() ? QJsonValue() : QJsonValue(t.alpn)},
        {QStringLiteral("peer"), peer},
    };
}

std::optional<TlsFacts> tlsFromJson(const QJsonObject &o, QString *why)
{
    auto text = [](const QJsonObject &from, const char *key, bool nullable) -> std::optional<QString> {
        const QJsonValue v = from.value(QLatin1String(key));
        if (v.isString())
            return v.toString();
        if (nullable && (v.isNull() || v.isUndefined()))
            return QString();
        return std::nullopt;
    };
    auto bad = [why](const QString &field) {
        *why = QCoreApplication::translate("ExchangeReport", "tls.%1: expected a string").arg(field);
        return std::nullopt;
    };
    TlsFacts t;
    const auto protocol = text(o, "protocol", false);
    const auto cipher = text(o, "cipher", false);
    const auto alpn = text(o, "alpn", true);
    if (!protocol)
        return bad(QStringLiteral("protocol"));
    if (!cipher)
        return bad(QStringLiteral("cipher"));
    if (!alpn)
        return bad(QStringLiteral("alpn"));
    t.protocol = *protocol;
    t.cipher = *cipher;
    t.alpn = *alpn;
    const QJsonValue peer = o.value(QStringLiteral("peer"));
    if (peer.isObject()) {
        const QJsonObject p = peer.toObject();
        const auto subject = text(p, "subject", false);
        const auto issuer = text(p, "issuer", false);
        const auto sha256 = text(p, "sha256", false);
        const auto notAfter = text(p, "not_after", false);
        if (!subject || !issuer || !sha256 || !notAfter)
            return bad(QStringLiteral("peer"));
        t.peerSubject = *subject;
        t.peerIssuer = *issuer;
        t.peerSha256 = *sha256;
        t.peerNotAfter = QDateTime::fromString(*notAfter, Qt::ISODate);
        if (!t.peerNotAfter.isValid()) {
            *why = QCoreApplication::translate("ExchangeReport", "tls.peer.not_after: expected an ISO 8601 time");
            return std::nullopt;
        }
    } else if (!peer.isNull() && !peer.isUndefined()) {
        *why = QCoreApplication::translate("ExchangeReport", "tls.peer: expected an object or null");
        return std::nullopt;
    }
    return t;
}

QJsonObject eventToJson(const TimelineEvent &event, qint64 originNs, bool serverShape)
{
    QJsonObject o;
    o.insert(QStringLiteral("t_ms"), toMs(event.tNs - originNs));
    if (event.hop != Hop::None) {
        // The recording proxy's (issue 16): which hop, the role it plays there, and the exchange
        // both hops of one request share.
        o.insert(QStringLiteral("side"), QStringLiteral("proxy"));
        o.insert(QStringLiteral("hop"), hopName(event.hop));
        o.insert(QStringLiteral("role"), sideName(event.side));
        o.insert(QStringLiteral("exchange"), event.exchange > 0 ? QJsonValue(event.exchange) : QJsonValue());
    } else {
        o.insert(QStringLiteral("side"), sideName(event.side));
    }
    if (serverShape)
        o.insert(QStringLiteral("conn"), event.conn);
    o.insert(QStringLiteral("kind"), kindName(event.kind));
    if (serverShape) {
        o.insert(QStringLiteral("status"), event.hasStatus() ? QJsonValue(event.status) : QJsonValue());
        o.insert(QStringLiteral("bytes"), event.hasBytes() ? QJsonValue(double(event.bytes)) : QJsonValue());
        o.insert(QStringLiteral("detail"), event.detail.isEmpty() ? QJsonValue() : QJsonValue(event.detail));
    } else {
        if (event.hasStatus())
            o.insert(QStringLiteral("status"), event.status);
        if (event.hasBytes())
            o.insert(QStringLiteral("bytes"), double(event.bytes));
        if (!event.detail.isEmpty())
            o.insert(QStringLiteral("detail"), event.detail);
    }
    if (!event.rule.isEmpty())
        o.insert(QStringLiteral("rule"), event.rule);
    // Typed facts (added fields; scripts need not parse "detail").
    if (event.request > 0)
        o.insert(serverShape ? QStringLiteral("request") : QStringLiteral("attempt"), event.request);
    if (event.kind == EventKind::Closed) {
        if (event.closedBy != Closer::Unknown)
            o.insert(QStringLiteral("closed_by"), closerName(event.closedBy));
        o.insert(QStringLiteral("reset"), event.reset);
    }
    if (event.bytesBeforeFinal >= 0)
        o.insert(QStringLiteral("bytes_before_final"), double(event.bytesBeforeFinal));
    if (event.bytesAfterFinal >= 0)
        o.insert(QStringLiteral("bytes_after_final"), double(event.bytesAfterFinal));
    if (event.error != ErrorKind::None)
        o.insert(QStringLiteral("error_code"), errorKindName(event.error));
    if (event.endpoints) {
        // accepted, connected: both ends, so that a script can find a connection in a capture.
        auto endpoint = [](const QHostAddress &a, quint16 port) {
            return (a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
                .arg(a.toString())
                .arg(port);
        };
        o.insert(QStringLiteral("local"), endpoint(event.endpoints->localAddress, event.endpoints->localPort));
        o.insert(QStringLiteral("peer"), endpoint(event.endpoints->peerAddress, event.endpoints->peerPort));
    }
    if (event.tls)
        o.insert(QStringLiteral("tls"), tlsToJson(*event.tls));
    if (event.decision != ProxyDecision::None)
        o.insert(QStringLiteral("decision"), proxyDecisionName(event.decision));
    return o;
}

QJsonObject exchangeToJson(const ExchangeSummary &s)
{
    QJsonArray headers;
    for (const auto &[name, value] : s.requestHeaders)
        headers.append(QJsonArray{displayText(name), displayText(value)});
    QJsonArray events;
    for (const TimelineEvent &e : s.events)
        events.append(eventToJson(e, s.startNs, false));
    QJsonArray interims;
    for (int status : s.interimStatuses())
        interims.append(status);
    // Attempts a retry superseded, each with its own answers (the 417 before the retry).
    QJsonArray earlier;
    for (const AttemptSummary &a : s.earlierAttempts) {
        QJsonArray statuses;
        for (int status : a.interimStatuses())
            statuses.append(status);
        earlier.append(QJsonObject{
            {QStringLiteral("expect"), a.expect.isEmpty() ? QJsonValue() : QJsonValue(displayText(a.expect))},
            {QStringLiteral("interim_statuses"), statuses},
            {QStringLiteral("final_status"), a.finalStatus ? QJsonValue(*a.finalStatus) : QJsonValue()},
            {QStringLiteral("body_bytes_sent"), double(a.bodyBytesSent)},
            {QStringLiteral("start_ms"), toMs(a.startNs - s.startNs)},
            {QStringLiteral("end_ms"), toMs(a.endNs - s.startNs)},
        });
    }

    QJsonObject o;
    o.insert(QStringLiteral("url"), s.url.toString());
    o.insert(QStringLiteral("method"), displayText(s.method));
    o.insert(QStringLiteral("request_headers"), headers);
    o.insert(QStringLiteral("body_bytes"), double(s.bodyBytes));
    o.insert(QStringLiteral("events"), events);
    o.insert(QStringLiteral("interim_statuses"), interims);
    o.insert(QStringLiteral("final_status"), s.finalStatus ? QJsonValue(*s.finalStatus) : QJsonValue());
    o.insert(QStringLiteral("expect_wait_ms"), s.expectWaitNs ? QJsonValue(toMs(*s.expectWaitNs)) : QJsonValue());
    o.insert(QStringLiteral("body_bytes_sent"), double(s.bodyBytesSent));
    o.insert(QStringLiteral("retried"), s.retried);
    o.insert(QStringLiteral("error"), s.error.isEmpty() ? QJsonValue() : QJsonValue(s.error));
    // Additions beyond the contract
    o.insert(QStringLiteral("bytes_saved"), double(s.bytesSaved));
    o.insert(QStringLiteral("cancelled"), s.cancelled);
    o.insert(QStringLiteral("total_ms"), s.endNs ? QJsonValue(toMs(s.durationNs())) : QJsonValue());
    // Why the exchange failed, as a value (error is the sentence); null when it did not.
    o.insert(QStringLiteral("error_code"),
             s.errorKind == ErrorKind::None ? QJsonValue() : QJsonValue(errorKindName(s.errorKind)));
    o.insert(QStringLiteral("response_complete"), s.responseComplete);
    o.insert(QStringLiteral("sent_anyway"), s.sentAnyway);
    o.insert(QStringLiteral("earlier_attempts"), earlier);
    o.insert(QStringLiteral("response_body_bytes"), double(s.responseBodyBytes));
    if (s.finalStatus) {
        QJsonArray responseHeaders;
        for (const auto &[name, value] : s.finalHead.headers)
            responseHeaders.append(QJsonArray{displayText(name), displayText(value)});
        o.insert(QStringLiteral("response_headers"), responseHeaders);
    }
    o.insert(QStringLiteral("outcome"), s.outcomeText());
    o.insert(QStringLiteral("outcome_code"), s.outcomeCode());
    // Issue 15: what the TLS handshake agreed on; null over plain HTTP.
    o.insert(QStringLiteral("tls"), s.tls ? QJsonValue(tlsToJson(*s.tls)) : QJsonValue());
    return o;
}

QString eventToTextLine(const TimelineEvent &e, qint64 originNs)
{
    QString line = QStringLiteral("%1 ms  %2  %3")
                       .arg(double(e.tNs - originNs) / 1e6, 10, 'f', 3)
                       .arg(sideName(e.side), -6)
                       .arg(kindName(e.kind), -14);
    if (e.hasStatus())
        line += QStringLiteral(" %1").arg(e.status);
    if (e.hasBytes())
        line += QStringLiteral(" [%1 B]").arg(e.bytes);
    if (!e.detail.isEmpty())
        line += QStringLiteral("  %1").arg(e.detail);
    if (!e.rule.isEmpty())
        line += QStringLiteral("  (%1)").arg(e.rule);
    return line;
}

QString exchangeToText(const ExchangeSummary &s)
{
    QString out;
    for (const TimelineEvent &e : s.events)
        out += eventToTextLine(e, s.startNs) + QLatin1Char('\n');
    out += QStringLiteral("-- %1\n").arg(s.outcomeText());
    return out;
}

} // namespace expectlab
