#pragma once

#include "probescenario.h"

#include <QJsonObject>
#include <QUrl>

#include <memory>

namespace expectlab {

// One run of the battery against one server.
struct ProbeReport
{
    QUrl url;
    int timeoutMs = 0;
    QList<ProbeResult> results;
    QString error; // the run could not happen (e.g. the server is unreachable); empty otherwise
    // https: what the first scenario's handshake negotiated (issue 15); empty for plain HTTP.
    std::shared_ptr<const TlsFacts> tls;

    int count(ProbeVerdict verdict) const;
    bool hasFailure() const { return !error.isEmpty() || count(ProbeVerdict::Fail) > 0; }
};

// The `expectlab probe --json` document; docs/probe-json.md describes it (fields may be added,
// never renamed).
QJsonObject probeReportToJson(const ProbeReport &report);
QJsonObject probeResultToJson(const ProbeResult &result);
// JUnit XML for CI: one testcase per scenario, fail -> <failure>, info -> <skipped>.
QByteArray probeReportToJUnit(const ProbeReport &report);
// The readable table printed by default.
QString probeReportToText(const ProbeReport &report);
// The evidence of one scenario as text lines, times relative to the scenario's start.
QStringList probeEvidenceLines(const ProbeResult &result);

} // namespace expectlab
