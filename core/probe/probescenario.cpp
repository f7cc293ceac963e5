#include "probescenario.h"

namespace expectlab {

ProbeStep ProbeStep::send(const QByteArray &bytes, EventKind event, const QString &label, When when,
                          const QStringList &requests)
{
    ProbeStep s;
    s.kind = Kind::Send;
    s.bytes = bytes;
    s.event = event;
    s.label = label;
    s.when = when;
    s.requests = requests;
    return s;
}

ProbeStep ProbeStep::await(Until until, int waitMs, When when)
{
    ProbeStep s;
    s.kind = Kind::Await;
    s.until = until;
    s.waitMs = waitMs;
    s.when = when;
    return s;
}

ProbeStep ProbeStep::close(When when)
{
    ProbeStep s;
    s.kind = Kind::Close;
    s.when = when;
    return s;
}

std::optional<qint64> ProbeObservation::stepSentNs(int index) const
{
    const qsizetype i = sentSteps.indexOf(index);
    if (i < 0)
        return std::nullopt;
    return sentStepNs.at(i);
}

QList<ProbeResponse> ProbeObservation::finals() const
{
    QList<ProbeResponse> out;
    for (const ProbeResponse &r : responses) {
        if (!r.interim())
            out.append(r);
    }
    return out;
}

QList<ProbeResponse> ProbeObservation::interims() const
{
    QList<ProbeResponse> out;
    for (const ProbeResponse &r : responses) {
        if (r.interim())
            out.append(r);
    }
    return out;
}

const ProbeResponse *ProbeObservation::firstResponseFrom(int index) const
{
    for (const ProbeResponse &r : responses) {
        if (r.afterStep >= index)
            return &r;
    }
    return nullptr;
}

QString verdictName(ProbeVerdict verdict)
{
    switch (verdict) {
    case ProbeVerdict::Pass: return QStringLiteral("pass");
    case ProbeVerdict::Warn: return QStringLiteral("warn");
    case ProbeVerdict::Fail: return QStringLiteral("fail");
    case ProbeVerdict::Info: return QStringLiteral("info");
    case ProbeVerdict::Inconclusive: return QStringLiteral("inconclusive");
    }
    return QStringLiteral("info");
}

ProbeTimings computeTimings(const ProbeObservation &obs)
{
    ProbeTimings t;
    const qint64 end = obs.endNs ? obs.endNs : obs.startNs;
    t.durationMs = double(end - obs.startNs) / 1e6;
    if (obs.sentStepNs.isEmpty())
        return t;
    const qint64 headNs = obs.sentStepNs.first();
    for (const ProbeResponse &r : obs.responses) {
        if (!t.firstResponseMs)
            t.firstResponseMs = double(r.headNs - headNs) / 1e6;
        if (!r.interim() && !t.finalMs)
            t.finalMs = double(r.headNs - headNs) / 1e6;
    }
    return t;
}

QList<int> responseStatuses(const ProbeObservation &obs)
{
    QList<int> out;
    for (const ProbeResponse &r : obs.responses)
        out.append(r.head.status);
    return out;
}

} // namespace expectlab
