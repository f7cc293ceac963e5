#include "probereport.h"

#include "exchangereport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QXmlStreamWriter>

#include <cmath>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ProbeReport", text);
}

QJsonValue optionalMs(const std::optional<double> &v)
{
    return v ? QJsonValue(std::round(*v * 1000.0) / 1000.0) : QJsonValue();
}
} // namespace

int ProbeReport::count(ProbeVerdict verdict) const
{
    int n = 0;
    for (const ProbeResult &r : results)
        n += r.verdict == verdict ? 1 : 0;
    return n;
}

QJsonObject probeResultToJson(const ProbeResult &r)
{
    QJsonObject o;
    o.insert(QStringLiteral("id"), r.id);
    o.insert(QStringLiteral("title"), r.title);
    o.insert(QStringLiteral("rules"), QJsonArray::fromStringList(r.rules));
    o.insert(QStringLiteral("verdict"), verdictName(r.verdict));
    o.insert(QStringLiteral("message"), r.message);
    QJsonArray statuses;
    for (int s : r.statuses)
        statuses.append(s);
    o.insert(QStringLiteral("statuses"), statuses);
    QJsonObject timings;
    timings.insert(QStringLiteral("first_response_ms"), optionalMs(r.timings.firstResponseMs));
    timings.insert(QStringLiteral("final_ms"), optionalMs(r.timings.finalMs));
    timings.insert(QStringLiteral("duration_ms"), std::round(r.timings.durationMs * 1000.0) / 1000.0);
    o.insert(QStringLiteral("timings"), timings);
    QJsonArray evidence;
    for (const TimelineEvent &e : r.observation.events)
        evidence.append(eventToJson(e, r.observation.startNs, false));
    o.insert(QStringLiteral("evidence"), evidence);
    return o;
}

QJsonObject probeReportToJson(const ProbeReport &report)
{
    QJsonObject o;
    o.insert(QStringLiteral("tool"), QStringLiteral("expectlab probe"));
    o.insert(QStringLiteral("version"), QStringLiteral(EXPECTLAB_VERSION));
    o.insert(QStringLiteral("url"), report.url.toString());
    o.insert(QStringLiteral("timeout_ms"), report.timeoutMs);
    o.insert(QStringLiteral("error"), report.error.isEmpty() ? QJsonValue() : QJsonValue(report.error));
    o.insert(QStringLiteral("tls"), report.tls ? QJsonValue(tlsToJson(*report.tls)) : QJsonValue());
    QJsonObject summary;
    for (ProbeVerdict v :
         {ProbeVerdict::Pass, ProbeVerdict::Warn, ProbeVerdict::Fail, ProbeVerdict::Info, ProbeVerdict::Inconclusive})
        summary.insert(verdictName(v), report.count(v));
    o.insert(QStringLiteral("summary"), summary);
    QJsonArray scenarios;
    for (const ProbeResult &r : report.results)
        scenarios.append(probeResultToJson(r));
    o.insert(QStringLiteral("scenarios"), scenarios);
    return o;
}

QStringList probeEvidenceLines(const ProbeResult &r)
{
    QStringList lines;
    for (const TimelineEvent &e : r.observation.events)
        lines << eventToTextLine(e, r.observation.startNs);
    return lines;
}

QByteArray probeReportToJUnit(const ProbeReport &report)
{
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("testsuites"));
    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("expectlab probe %1").arg(report.url.toString()));
    const int failures = report.count(ProbeVerdict::Fail);
    w.writeAttribute(QStringLiteral("tests"),
                     QString::number(report.results.size() + (report.error.isEmpty() ? 0 : 1)));
    w.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    w.writeAttribute(QStringLiteral("errors"), QString::number(report.error.isEmpty() ? 0 : 1));
    w.writeAttribute(QStringLiteral("skipped"),
                     QString::number(report.count(ProbeVerdict::Info) + report.count(ProbeVerdict::Inconclusive)));
    double total = 0;
    for (const ProbeResult &r : report.results)
        total += r.timings.durationMs;
    w.writeAttribute(QStringLiteral("time"), QString::number(total / 1000.0, 'f', 3));
    if (!report.error.isEmpty()) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), QStringLiteral("expectlab.probe"));
        w.writeAttribute(QStringLiteral("name"), QStringLiteral("connect"));
        w.writeStartElement(QStringLiteral("error"));
        w.writeAttribute(QStringLiteral("message"), report.error);
        w.writeEndElement();
        w.writeEndElement();
    }
    for (const ProbeResult &r : report.results) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), QStringLiteral("expectlab.probe"));
        w.writeAttribute(QStringLiteral("name"), QStringLiteral("%1 [%2]").arg(r.id, r.rules.join(QLatin1Char(' '))));
        w.writeAttribute(QStringLiteral("time"), QString::number(r.timings.durationMs / 1000.0, 'f', 3));
        const QString evidence = probeEvidenceLines(r).join(QLatin1Char('\n'));
        if (r.verdict == ProbeVerdict::Fail) {
            w.writeStartElement(QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("message"), r.message);
            w.writeCharacters(evidence);
            w.writeEndElement();
        } else if (r.verdict == ProbeVerdict::Info || r.verdict == ProbeVerdict::Inconclusive) {
            w.writeStartElement(QStringLiteral("skipped"));
            w.writeAttribute(QStringLiteral("message"), r.message);
            w.writeEndElement();
        }
        w.writeTextElement(QStringLiteral("system-out"),
                           QStringLiteral("%1: %2\n%3").arg(verdictName(r.verdict), r.message, evidence));
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

QString probeReportToText(const ProbeReport &report)
{
    QString out = tr("Probe of %1 (timeout %2 ms)\n").arg(report.url.toString()).arg(report.timeoutMs);
    if (report.tls)
        out += tr("TLS: %1, ALPN %2, cipher %3, certificate %4 (issued by %5)\n")
                   .arg(report.tls->protocol, report.tls->alpn.isEmpty() ? tr("none") : report.tls->alpn,
                        report.tls->cipher, report.tls->peerSubject, report.tls->peerIssuer);
    if (!report.error.isEmpty())
        out += tr("error: %1\n").arg(report.error);
    qsizetype idWidth = 2;
    qsizetype ruleWidth = 5;
    for (const ProbeResult &r : report.results) {
        idWidth = qMax(idWidth, r.id.size());
        ruleWidth = qMax(ruleWidth, r.rules.join(QLatin1Char(' ')).size());
    }
    out += QStringLiteral("%1  %2  %3  %4  %5\n")
               .arg(tr("VERDICT"), -12)
               .arg(tr("ID"), -int(idWidth))
               .arg(tr("RULES"), -int(ruleWidth))
               .arg(tr("FIRST"), 9)
               .arg(tr("RESULT"));
    for (const ProbeResult &r : report.results) {
        const QString first = r.timings.firstResponseMs
                                  ? QString::number(*r.timings.firstResponseMs, 'f', 1) + QStringLiteral(" ms")
                                  : QStringLiteral("-");
        out += QStringLiteral("%1  %2  %3  %4  %5\n")
                   .arg(verdictName(r.verdict).toUpper(), -12)
                   .arg(r.id, -int(idWidth))
                   .arg(r.rules.join(QLatin1Char(' ')), -int(ruleWidth))
                   .arg(first, 9)
                   .arg(r.message);
    }
    out += tr("%1 pass, %2 warn, %3 fail, %4 info, %5 inconclusive\n")
               .arg(report.count(ProbeVerdict::Pass))
               .arg(report.count(ProbeVerdict::Warn))
               .arg(report.count(ProbeVerdict::Fail))
               .arg(report.count(ProbeVerdict::Info))
               .arg(report.count(ProbeVerdict::Inconclusive));
    return out;
}

} // namespace expectlab
