#pragma once

#include "probescenario.h"

#include <QUrl>

namespace expectlab {

// The conformance battery: which scenarios `expectlab probe` and the Probe tab run, and how each
// turns what it observed into a verdict with the rule ids of shared/docs/expect-rules.md.
namespace probe {

// Clients commonly wait this long for a 100 before sending anyway (curl, Go, .NET): a server that
// answers later is conformant on paper but useless in practice (R12).
constexpr int kPromptMs = 1000;
// How long the HTTP/1.0 scenario listens for a forbidden 1xx before sending the body.
constexpr int kHttp10ListenMs = 500;
// Announced on the early-final scenario: above any usual body limit, so limit-checking servers
// answer 413 at once; the probe never sends it.
constexpr qint64 kHugeBody = qint64(1) << 32;
constexpr qint64 kLargeBody = qint64(1) << 20;
constexpr int kDefaultTimeoutMs = 3000;

// Host and target from an http:// URL; empty host when the URL is unusable.
ProbeTarget targetFromUrl(const QUrl &url, int timeoutMs);
// Checks the URL a probe is given; empty when usable.
QString validateUrl(const QUrl &url);

QList<ProbeScenario> battery(const ProbeTarget &target);

// Runs a scenario's assessment and fills the result.
ProbeResult makeResult(const ProbeScenario &scenario, const ProbeObservation &obs,
                       const QList<ProbeResult> &earlier = {});

} // namespace probe
} // namespace expectlab
