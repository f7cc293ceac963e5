// Writing sessions: every type to its JSON, the document, the file (QSaveFile). The reader is
// sessionfilereader.cpp; the format is docs/session-format.md.
#include "sessionfile.h"
#include "sessiontoolresults.h"

#include "clientprofile.h"
#include "exchangereport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("SessionFile", text);
}

QString latin1(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes);
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

// Qt 6 keeps JSON integers as 64-bit integers both ways, so nanosecond timestamps survive exactly.
QJsonValue int64(qint64 value)
{
    return QJsonValue(value);
}

// Each item as JSON, in order.
template <typename List, typename ToJson> QJsonArray jsonArray(const List &items, ToJson toJson)
{
    QJsonArray out;
    for (const auto &item : items)
        out.append(toJson(item));
    return out;
}

QJsonObject wireLogToJson(const WireLog &log)
{
    QJsonArray records;
    for (const WireLog::Record &r : log.records()) {
        records.append(QJsonObject{
            {QStringLiteral("direction"),
             r.direction == WireLog::Direction::Sent ? QStringLiteral("sent") : QStringLiteral("received")},
            {QStringLiteral("first_ns"), int64(r.firstNs)},
            {QStringLiteral("last_ns"), int64(r.lastNs)},
            {QStringLiteral("byte_count"), int64(r.byteCount)},
            {QStringLiteral("body"), r.body},
            {QStringLiteral("bytes_b64"), base64(r.bytes)},
        });
    }
    QJsonObject o{{QStringLiteral("capacity"), int64(log.capacity())}, {QStringLiteral("records"), records}};
    if (log.droppedRecords() > 0) {
        o.insert(QStringLiteral("dropped_records"), int64(log.droppedRecords()));
        o.insert(QStringLiteral("dropped_sent"), int64(log.droppedBytes(WireLog::Direction::Sent)));
        o.insert(QStringLiteral("dropped_received"), int64(log.droppedBytes(WireLog::Direction::Received)));
    }
    return o;
}

QJsonObject attemptToJson(const AttemptSummary &a)
{
    const QJsonArray heads = jsonArray(a.interimHeads, messageHeadToJson);
    return QJsonObject{
        {QStringLiteral("expect"), latin1(a.expect)},
        {QStringLiteral("start_ns"), int64(a.startNs)},
        {QStringLiteral("end_ns"), int64(a.endNs)},
        {QStringLiteral("interim_heads"), heads},
        {QStringLiteral("final_status"), a.finalStatus ? QJsonValue(*a.finalStatus) : QJsonValue()},
        {QStringLiteral("final_head"), messageHeadToJson(a.finalHead)},
        {QStringLiteral("body_bytes_sent"), int64(a.bodyBytesSent)},
    };
}

QJsonObject summaryToJson(const ExchangeSummary &s)
{
    const QJsonArray events = jsonArray(s.events, timelineEventToJson);
    const QJsonArray interimStatuses = jsonArray(s.interimStatuses(), [](int status) { return QJsonValue(status); });
    const QJsonArray interimHeads = jsonArray(s.interimHeads, messageHeadToJson);
    const QJsonArray wireLogs = jsonArray(s.wireLogs, wireLogToJson);

    QJsonObject o;
    o.insert(QStringLiteral("id"), s.id);
    o.insert(QStringLiteral("url"), s.url.toString(QUrl::FullyEncoded));
    o.insert(QStringLiteral("method"), latin1(s.method));
    o.insert(QStringLiteral("request_headers"), headersToJson(s.requestHeaders));
    o.insert(QStringLiteral("body_bytes"), int64(s.bodyBytes));
    o.insert(QStringLiteral("start_ns"), int64(s.startNs));
    o.insert(QStringLiteral("end_ns"), s.endNs ? int64(*s.endNs) : QJsonValue());
    o.insert(QStringLiteral("events"), events);
    o.insert(QStringLiteral("interim_statuses"), interimStatuses);
    o.insert(QStringLiteral("interim_heads"), interimHeads);
    o.insert(QStringLiteral("final_status"), s.finalStatus ? QJsonValue(*s.finalStatus) : QJsonValue());
    o.insert(QStringLiteral("final_head"), messageHeadToJson(s.finalHead));
    o.insert(QStringLiteral("response_body_preview_b64"), base64(s.responseBodyPreview));
    o.insert(QStringLiteral("response_body_bytes"), int64(s.responseBodyBytes));
    o.insert(QStringLiteral("expect_wait_ns"), s.expectWaitNs ? int64(*s.expectWaitNs) : QJsonValue());
    o.insert(QStringLiteral("body_bytes_sent"), int64(s.bodyBytesSent));
    o.insert(QStringLiteral("bytes_saved"), int64(s.bytesSaved));
    o.insert(QStringLiteral("expect_sent"), s.expectSent);
    o.insert(QStringLiteral("retried"), s.retried);
    o.insert(QStringLiteral("cancelled"), s.cancelled);
    o.insert(QStringLiteral("error"), s.error);
    o.insert(QStringLiteral("error_kind"), errorKindName(s.errorKind));
    o.insert(QStringLiteral("response_complete"), s.responseComplete);
    o.insert(QStringLiteral("sent_anyway"), s.sentAnyway);
    o.insert(QStringLiteral("earlier_attempts"), jsonArray(s.earlierAttempts, attemptToJson));
    o.insert(QStringLiteral("wire_logs"), wireLogs);
    // Version 4: what the TLS handshake agreed on, the shape of `send --json`'s "tls".
    o.insert(QStringLiteral("tls"), s.tls ? QJsonValue(tlsToJson(*s.tls)) : QJsonValue());
    return o;
}
} // namespace

QJsonObject exchangeSummaryToJson(const ExchangeSummary &summary)
{
    return summaryToJson(summary);
}

QJsonArray headersToJson(const HttpHeaders &headers)
{
    QJsonArray out;
    for (const auto &[name, value] : headers)
        out.append(QJsonArray{latin1(name), latin1(value)});
    return out;
}

QJsonObject messageHeadToJson(const MessageHead &head)
{
    return QJsonObject{
        {QStringLiteral("method"), latin1(head.method)},
        {QStringLiteral("target"), latin1(head.target)},
        {QStringLiteral("status"), head.status},
        {QStringLiteral("reason"), latin1(head.reason)},
        {QStringLiteral("version_major"), head.versionMajor},
        {QStringLiteral("version_minor"), head.versionMinor},
        {QStringLiteral("headers"), headersToJson(head.headers)},
    };
}

QJsonObject timelineEventToJson(const TimelineEvent &e)
{
    QJsonObject o{
        {QStringLiteral("t_ns"), int64(e.tNs)}, {QStringLiteral("side"), sideName(e.side)},
        {QStringLiteral("conn"), e.conn},       {QStringLiteral("kind"), kindName(e.kind)},
        {QStringLiteral("status"), e.status},   {QStringLiteral("bytes"), int64(e.bytes)},
        {QStringLiteral("detail"), e.detail},   {QStringLiteral("rule"), e.rule},
    };
    // Typed facts: only those the event has, so that old-style events stay small.
    if (e.request)
        o.insert(QStringLiteral("request"), e.request);
    if (e.closedBy != Closer::Unknown)
        o.insert(QStringLiteral("closed_by"), closerName(e.closedBy));
    if (e.reset)
        o.insert(QStringLiteral("reset"), true);
    if (e.bytesBeforeFinal >= 0)
        o.insert(QStringLiteral("bytes_before_final"), int64(e.bytesBeforeFinal));
    if (e.bytesAfterFinal >= 0)
        o.insert(QStringLiteral("bytes_after_final"), int64(e.bytesAfterFinal));
    if (e.error != ErrorKind::None)
        o.insert(QStringLiteral("error_kind"), errorKindName(e.error));
    if (e.head)
        o.insert(QStringLiteral("head"), messageHeadToJson(*e.head));
    if (e.profile)
        o.insert(QStringLiteral("profile"), clientProfileToJson(*e.profile));
    if (e.notSent)
        o.insert(QStringLiteral("not_sent"), true);
    if (e.bodyNotSent >= 0)
        o.insert(QStringLiteral("body_not_sent"), int64(e.bodyNotSent));
    if (e.endpoints) {
        o.insert(QStringLiteral("endpoints"),
                 QJsonObject{{QStringLiteral("local_address"), e.endpoints->localAddress.toString()},
                             {QStringLiteral("local_port"), int(e.endpoints->localPort)},
                             {QStringLiteral("peer_address"), e.endpoints->peerAddress.toString()},
                             {QStringLiteral("peer_port"), int(e.endpoints->peerPort)}});
    }
    if (e.tls)
        o.insert(QStringLiteral("tls"), tlsToJson(*e.tls));
    // Version 5: the recording proxy's hop, exchange and decision.
    if (e.hop != Hop::None)
        o.insert(QStringLiteral("hop"), hopName(e.hop));
    if (e.exchange > 0)
        o.insert(QStringLiteral("exchange"), e.exchange);
    if (e.decision != ProxyDecision::None)
        o.insert(QStringLiteral("decision"), proxyDecisionName(e.decision));
    return o;
}

QJsonObject sessionToJson(const Session &session)
{
    const QJsonArray exchanges = jsonArray(session.exchanges, summaryToJson);
    const QJsonArray serverEvents = jsonArray(session.serverEvents, timelineEventToJson);
    QJsonArray serverConnections;
    for (const SessionServerConnection &c : session.serverConnections) {
        serverConnections.append(QJsonObject{
            {QStringLiteral("id"), c.id},
            {QStringLiteral("peer_address"), c.peerAddress},
            {QStringLiteral("peer_port"), int(c.peerPort)},
            {QStringLiteral("exchange_id"), c.exchangeId},
            {QStringLiteral("wire_log"), wireLogToJson(c.wire)},
        });
    }
    QJsonObject o;
    o.insert(QStringLiteral("format"), QString::fromLatin1(kSessionFormat));
    o.insert(QStringLiteral("version"), kSessionVersion);
    o.insert(QStringLiteral("generator"), QStringLiteral("ExpectLab %1").arg(QStringLiteral(EXPECTLAB_VERSION)));
    o.insert(QStringLiteral("origin_ns"), int64(session.originNs));
    o.insert(QStringLiteral("origin_utc"), session.originUtc.isValid()
                                               ? QJsonValue(session.originUtc.toUTC().toString(Qt::ISODateWithMs))
                                               : QJsonValue());
    o.insert(QStringLiteral("server_policy"), session.serverPolicy);
    o.insert(QStringLiteral("note"), session.note);
    if (session.droppedServerEvents > 0)
        o.insert(QStringLiteral("dropped_server_events"), int64(session.droppedServerEvents));
    o.insert(QStringLiteral("exchanges"), exchanges);
    o.insert(QStringLiteral("server_events"), serverEvents);
    o.insert(QStringLiteral("server_connections"), serverConnections);
    if (session.probe)
        o.insert(QStringLiteral("probe"), probeReportToSessionJson(*session.probe));
    if (session.matrix)
        o.insert(QStringLiteral("matrix"), matrixResultToSessionJson(*session.matrix));
    if (session.proxy) {
        o.insert(QStringLiteral("proxy"), QJsonObject{{QStringLiteral("mode"), session.proxy->mode},
                                                      {QStringLiteral("upstream"), session.proxy->upstream},
                                                      {QStringLiteral("forward"), session.proxy->forward},
                                                      {QStringLiteral("listen"), session.proxy->listenUrl}});
    }
    if (session.proxy || !session.proxyEvents.isEmpty()) {
        o.insert(QStringLiteral("proxy_events"), jsonArray(session.proxyEvents, timelineEventToJson));
        QJsonArray connections;
        for (const SessionProxyConnection &c : session.proxyConnections) {
            connections.append(QJsonObject{
                {QStringLiteral("hop"), hopName(c.hop)},
                {QStringLiteral("id"), c.id},
                {QStringLiteral("peer_address"), c.peerAddress},
                {QStringLiteral("peer_port"), int(c.peerPort)},
                {QStringLiteral("wire_log"), wireLogToJson(c.wire)},
            });
        }
        o.insert(QStringLiteral("proxy_connections"), connections);
        if (session.droppedProxyEvents > 0)
            o.insert(QStringLiteral("dropped_proxy_events"), int64(session.droppedProxyEvents));
    }
    return o;
}

QByteArray sessionToBytes(const Session &session)
{
    return QJsonDocument(sessionToJson(session)).toJson(QJsonDocument::Indented);
}

bool saveSession(const Session &session, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = sessionToBytes(session);
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

} // namespace expectlab
