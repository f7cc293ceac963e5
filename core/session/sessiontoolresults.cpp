#include "sessiontoolresults.h"

#include "sessionfile.h"
#include "sessionjsonreader.h"

#include <QJsonArray>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("SessionFile", text);
}

// JSON numbers hold 53 bits; nanosecond stamps fit, and the reader checks they came back whole.
QJsonValue int64(qint64 value)
{
    return QJsonValue(value);
}

QJsonValue nullable(const std::optional<qint64> &value)
{
    return value ? int64(*value) : QJsonValue();
}

QJsonValue nullableMs(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QJsonArray eventsToJson(const QList<TimelineEvent> &events)
{
    QJsonArray out;
    for (const TimelineEvent &e : events)
        out.append(timelineEventToJson(e));
    return out;
}

QJsonObject observationToJson(const ProbeObservation &o)
{
    QJsonArray responses;
    for (const ProbeResponse &r : o.responses) {
        responses.append(QJsonObject{
            {QStringLiteral("head"), messageHeadToJson(r.head)},
            {QStringLiteral("head_ns"), int64(r.headNs)},
            {QStringLiteral("complete_ns"), int64(r.completeNs)},
            {QStringLiteral("after_step"), r.afterStep},
            {QStringLiteral("body_bytes"), int64(r.bodyBytes)},
            {QStringLiteral("index"), r.index},
            {QStringLiteral("close_delimited"), r.closeDelimited},
        });
    }
    QJsonArray steps;
    for (qsizetype i = 0; i < o.sentSteps.size(); ++i) {
        steps.append(QJsonObject{
            {QStringLiteral("step"), o.sentSteps.at(i)},
            {QStringLiteral("t_ns"), int64(o.sentStepNs.value(i))},
            {QStringLiteral("requests"), QJsonArray::fromStringList(o.sentRequests.value(i))},
        });
    }
    return QJsonObject{
        {QStringLiteral("start_ns"), int64(o.startNs)},
        {QStringLiteral("connected_ns"), int64(o.connectedNs)},
        {QStringLiteral("end_ns"), int64(o.endNs)},
        {QStringLiteral("events"), eventsToJson(o.events)},
        {QStringLiteral("responses"), responses},
        {QStringLiteral("sent_steps"), steps},
        {QStringLiteral("peer_closed_ns"), nullable(o.peerClosedNs)},
        {QStringLiteral("reset"), o.reset},
        {QStringLiteral("bytes_after_close"), int64(o.bytesAfterClose)},
        {QStringLiteral("error"), o.error},
        {QStringLiteral("connect_failed"), o.connectFailed},
    };
}

QStringList strings(SessionJsonReader &r, const QJsonObject &o, const QString &path, const char *key)
{
    QStringList out;
    const QJsonArray list = r.array(o, path, key);
    for (qsizetype i = 0; i < list.size() && r.ok(); ++i) {
        if (!list.at(i).isString())
            r.fail(QStringLiteral("%1[%2]").arg(SessionJsonReader::join(path, key)).arg(i), tr("expected a string"));
        out.append(list.at(i).toString());
    }
    return out;
}

std::optional<double> nullableDouble(SessionJsonReader &r, const QJsonObject &o, const QString &path, const char *key)
{
    const QJsonValue v = r.field(o, path, key);
    if (v.isNull() || v.isUndefined())
        return std::nullopt;
    if (!v.isDouble()) {
        r.fail(SessionJsonReader::join(path, key), tr("expected a number or null"));
        return std::nullopt;
    }
    return v.toDouble();
}

ProbeObservation observationFromJson(SessionJsonReader &r, const QJsonObject &o, const QString &path)
{
    ProbeObservation obs;
    obs.startNs = r.integer(o, path, "start_ns");
    obs.connectedNs = r.integer(o, path, "connected_ns");
    obs.endNs = r.integer(o, path, "end_ns");
    obs.events = r.events(o, path, "events");
    obs.responses = r.objects(o, path, "responses", [&r](const QJsonObject &j, const QString &at) {
        ProbeResponse resp;
        const QString headAt = SessionJsonReader::join(at, "head");
        resp.head = r.head(r.object(r.field(j, at, "head"), headAt), headAt);
        resp.headNs = r.integer(j, at, "head_ns");
        resp.completeNs = r.integer(j, at, "complete_ns");
        resp.afterStep = r.int32(j, at, "after_step");
        resp.bodyBytes = r.integer(j, at, "body_bytes");
        resp.index = r.int32(j, at, "index");
        resp.closeDelimited = r.boolean(j, at, "close_delimited");
        return resp;
    });
    const QJsonArray steps = r.array(o, path, "sent_steps");
    for (qsizetype i = 0; i < steps.size() && r.ok(); ++i) {
        const QString at = QStringLiteral("%1.sent_steps[%2]").arg(path).arg(i);
        const QJsonObject step = r.object(steps.at(i), at);
        obs.sentSteps.append(r.int32(step, at, "step"));
        obs.sentStepNs.append(r.integer(step, at, "t_ns"));
        obs.sentRequests.append(strings(r, step, at, "requests"));
    }
    obs.peerClosedNs = r.nullableInteger(o, path, "peer_closed_ns");
    obs.reset = r.boolean(o, path, "reset");
    obs.bytesAfterClose = r.integer(o, path, "bytes_after_close");
    obs.error = r.string(o, path, "error");
    obs.connectFailed = r.boolean(o, path, "connect_failed");
    return obs;
}

ProbeVerdict verdictFromName(SessionJsonReader &r, const QString &name, const QString &path)
{
    for (ProbeVerdict v :
         {ProbeVerdict::Pass, ProbeVerdict::Warn, ProbeVerdict::Fail, ProbeVerdict::Info, ProbeVerdict::Inconclusive}) {
        if (verdictName(v) == name)
            return v;
    }
    r.fail(path, tr("unknown verdict '%1'").arg(name));
    return ProbeVerdict::Info;
}

QJsonObject probeResultToSessionJson(const ProbeResult &p)
{
    QJsonArray statuses;
    for (int s : p.statuses)
        statuses.append(s);
    return QJsonObject{
        {QStringLiteral("id"), p.id},
        {QStringLiteral("title"), p.title},
        {QStringLiteral("rules"), QJsonArray::fromStringList(p.rules)},
        {QStringLiteral("verdict"), verdictName(p.verdict)},
        {QStringLiteral("message"), p.message},
        {QStringLiteral("statuses"), statuses},
        {QStringLiteral("first_response_ms"), nullableMs(p.timings.firstResponseMs)},
        {QStringLiteral("final_ms"), nullableMs(p.timings.finalMs)},
        {QStringLiteral("duration_ms"), p.timings.durationMs},
        {QStringLiteral("observation"), observationToJson(p.observation)},
    };
}

ProbeResult probeResultFromJson(SessionJsonReader &r, const QJsonObject &o, const QString &path)
{
    ProbeResult p;
    p.id = r.string(o, path, "id");
    p.title = r.string(o, path, "title");
    p.rules = strings(r, o, path, "rules");
    p.verdict = verdictFromName(r, r.string(o, path, "verdict"), SessionJsonReader::join(path, "verdict"));
    p.message = r.string(o, path, "message");
    const QJsonArray statuses = r.array(o, path, "statuses");
    for (qsizetype i = 0; i < statuses.size() && r.ok(); ++i) {
        if (!statuses.at(i).isDouble())
            r.fail(QStringLiteral("%1.statuses[%2]").arg(path).arg(i), tr("expected an integer"));
        p.statuses.append(statuses.at(i).toInt());
    }
    p.timings.firstResponseMs = nullableDouble(r, o, path, "first_response_ms");
    p.timings.finalMs = nullableDouble(r, o, path, "final_ms");
    p.timings.durationMs = nullableDouble(r, o, path, "duration_ms").value_or(0.0);
    const QString at = SessionJsonReader::join(path, "observation");
    p.observation = observationFromJson(r, r.object(r.field(o, path, "observation"), at), at);
    return p;
}

QJsonObject matrixCellToJson(const MatrixCell &c)
{
    return QJsonObject{
        {QStringLiteral("client_index"), c.clientIndex},
        {QStringLiteral("policy_index"), c.policyIndex},
        {QStringLiteral("size_index"), c.sizeIndex},
        {QStringLiteral("client"), c.client.toString()},
        {QStringLiteral("policy"), c.policy ? QJsonValue(c.policy->toString()) : QJsonValue()},
        {QStringLiteral("size"), int64(c.size)},
        {QStringLiteral("exchange"), exchangeSummaryToJson(c.summary)},
        {QStringLiteral("server_events"), eventsToJson(c.serverEvents)},
        {QStringLiteral("expect_wait_ns"), nullable(c.expectWaitNs)},
        {QStringLiteral("body_bytes_sent"), int64(c.bodyBytesSent)},
        {QStringLiteral("body_bytes_before_final"), int64(c.bodyBytesBeforeFinal)},
        {QStringLiteral("total_ns"), int64(c.totalNs)},
        {QStringLiteral("saved_vs_no_expect"), nullable(c.savedVsNoExpect)},
    };
}

ClientBehaviour behaviourFromJson(SessionJsonReader &r, const QString &text, const QString &path)
{
    QString why;
    if (const auto b = ClientBehaviour::parse(text, &why))
        return *b;
    r.fail(path, why);
    return {};
}

std::optional<ServerPolicy> policyFromJson(SessionJsonReader &r, const QString &text, const QString &path)
{
    QString why;
    if (auto p = ServerPolicy::parse(text, &why))
        return p;
    r.fail(path, why);
    return std::nullopt;
}

MatrixCell matrixCellFromJson(SessionJsonReader &r, const QJsonObject &o, const QString &path)
{
    MatrixCell c;
    c.clientIndex = r.int32(o, path, "client_index");
    c.policyIndex = r.int32(o, path, "policy_index");
    c.sizeIndex = r.int32(o, path, "size_index");
    c.client = behaviourFromJson(r, r.string(o, path, "client"), SessionJsonReader::join(path, "client"));
    const QJsonValue policy = r.field(o, path, "policy");
    if (policy.isString())
        c.policy = policyFromJson(r, policy.toString(), SessionJsonReader::join(path, "policy"));
    else if (!policy.isNull() && r.ok())
        r.fail(SessionJsonReader::join(path, "policy"), tr("expected a policy or null"));
    c.size = r.integer(o, path, "size");
    const QString at = SessionJsonReader::join(path, "exchange");
    c.summary = r.summary(r.object(r.field(o, path, "exchange"), at), at);
    c.serverEvents = r.events(o, path, "server_events");
    c.expectWaitNs = r.nullableInteger(o, path, "expect_wait_ns");
    c.bodyBytesSent = r.integer(o, path, "body_bytes_sent");
    c.bodyBytesBeforeFinal = r.integer(o, path, "body_bytes_before_final");
    c.totalNs = r.integer(o, path, "total_ns");
    c.savedVsNoExpect = r.nullableInteger(o, path, "saved_vs_no_expect");
    return c;
}
} // namespace

QJsonObject probeReportToSessionJson(const ProbeReport &report)
{
    QJsonArray results;
    for (const ProbeResult &p : report.results)
        results.append(probeResultToSessionJson(p));
    return QJsonObject{
        {QStringLiteral("url"), report.url.toString(QUrl::FullyEncoded)},
        {QStringLiteral("timeout_ms"), report.timeoutMs},
        {QStringLiteral("error"), report.error},
        {QStringLiteral("results"), results},
        // Version 4: what the first scenario's handshake negotiated, as in `probe --json`.
        {QStringLiteral("tls"), report.tls ? QJsonValue(tlsToJson(*report.tls)) : QJsonValue()},
    };
}

ProbeReport probeReportFromSessionJson(SessionJsonReader &r, const QJsonObject &o, const QString &path)
{
    ProbeReport report;
    const QString url = r.string(o, path, "url");
    report.url = QUrl(url, QUrl::StrictMode);
    if (r.ok() && !url.isEmpty() && !report.url.isValid())
        r.fail(SessionJsonReader::join(path, "url"), tr("invalid URL '%1'").arg(url));
    report.timeoutMs = r.int32(o, path, "timeout_ms");
    report.error = r.string(o, path, "error");
    report.results = r.objects(o, path, "results",
                               [&r](const QJsonObject &j, const QString &at) { return probeResultFromJson(r, j, at); });
    if (const auto facts = r.tls(o, path))
        report.tls = std::make_shared<const TlsFacts>(*facts);
    return report;
}

QJsonObject matrixResultToSessionJson(const MatrixResult &result)
{
    const MatrixSpec &spec = result.spec;
    QJsonArray clients;
    for (const ClientBehaviour &b : spec.clients)
        clients.append(b.toString());
    QJsonArray policies;
    for (const ServerPolicy &p : spec.policies)
        policies.append(p.toString());
    QJsonArray sizes;
    for (qint64 s : spec.sizes)
        sizes.append(int64(s));
    QJsonArray cells;
    for (const MatrixCell &c : result.cells)
        cells.append(matrixCellToJson(c));
    return QJsonObject{
        {QStringLiteral("clients"), clients},
        {QStringLiteral("policies"), policies},
        {QStringLiteral("sizes"), sizes},
        {QStringLiteral("url"), spec.url.toString(QUrl::FullyEncoded)},
        {QStringLiteral("method"), QString::fromLatin1(spec.method)},
        {QStringLiteral("timeout_ms"), spec.timeoutMs},
        {QStringLiteral("cancelled"), result.cancelled},
        {QStringLiteral("cells"), cells},
        // Version 4: how an https:// url was trusted, so that a rerun trusts it the same way.
        {QStringLiteral("insecure"), spec.tls.insecure},
        {QStringLiteral("ca_cert_file"), spec.tls.caCertFile},
    };
}

MatrixResult matrixResultFromSessionJson(SessionJsonReader &r, const QJsonObject &o, const QString &path)
{
    MatrixResult result;
    MatrixSpec &spec = result.spec;
    const QStringList clients = strings(r, o, path, "clients");
    for (qsizetype i = 0; i < clients.size() && r.ok(); ++i)
        spec.clients.append(behaviourFromJson(r, clients.at(i), QStringLiteral("%1.clients[%2]").arg(path).arg(i)));
    const QStringList policies = strings(r, o, path, "policies");
    for (qsizetype i = 0; i < policies.size() && r.ok(); ++i) {
        if (auto p = policyFromJson(r, policies.at(i), QStringLiteral("%1.policies[%2]").arg(path).arg(i)))
            spec.policies.append(*p);
    }
    const QJsonArray sizes = r.array(o, path, "sizes");
    for (qsizetype i = 0; i < sizes.size() && r.ok(); ++i) {
        const QJsonValue v = sizes.at(i);
        if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != double(v.toInteger()))
            r.fail(QStringLiteral("%1.sizes[%2]").arg(path).arg(i), tr("expected a byte count"));
        spec.sizes.append(v.toInteger());
    }
    const QString url = r.string(o, path, "url");
    spec.url = QUrl(url, QUrl::StrictMode);
    if (r.ok() && !url.isEmpty() && !spec.url.isValid())
        r.fail(SessionJsonReader::join(path, "url"), tr("invalid URL '%1'").arg(url));
    spec.method = r.latin1Bytes(o, path, "method");
    spec.timeoutMs = r.int32(o, path, "timeout_ms");
    spec.tls.insecure = r.boolean(o, path, "insecure", true);
    spec.tls.caCertFile = r.string(o, path, "ca_cert_file", true);
    result.cancelled = r.boolean(o, path, "cancelled");
    result.cells = r.objects(o, path, "cells",
                             [&r](const QJsonObject &j, const QString &at) { return matrixCellFromJson(r, j, at); });
    // A cell outside the grid it claims to belong to would index past the axes in every view.
    for (qsizetype i = 0; i < result.cells.size() && r.ok(); ++i) {
        const MatrixCell &c = result.cells.at(i);
        if (c.clientIndex < 0 || c.clientIndex >= spec.clients.size() || c.policyIndex < 0 ||
            c.policyIndex >= spec.policyCount() || c.sizeIndex < 0 || c.sizeIndex >= spec.sizes.size())
            r.fail(QStringLiteral("%1.cells[%2]").arg(path).arg(i), tr("cell outside the matrix's axes"));
    }
    return result;
}

} // namespace expectlab
