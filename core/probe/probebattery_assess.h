#pragma once

// Private to the probebattery*.cpp files: the verdicts, kept apart from the scenario scripts so
// that what a scenario sends and how its outcome is judged can be read (and changed) separately.

#include "probebattery.h"

#include <QCoreApplication>

#include <optional>

namespace expectlab::probe::detail {

// Both halves of the battery share one translation context, as they did when they were one file.
inline QString tr(const char *text)
{
    return QCoreApplication::translate("ProbeBattery", text);
}

// Each judges the scenario of the same name in probebattery.cpp; assessContinue relies on the head
// being step 0 and the body step 2 (handshakeSteps).
ProbeAssessment assessContinue(const ProbeObservation &obs, bool caseVariant, const QList<ProbeResult> &earlier);
ProbeAssessment assessBodyAtOnce(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
ProbeAssessment assessUnknownExpectation(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
ProbeAssessment assessHttp10(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
ProbeAssessment assessNoContent(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
ProbeAssessment assessEarlyFinal(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
ProbeAssessment assessEarlyFinalDesync(const ProbeObservation &obs, const QList<ProbeResult> &earlier);
// Any scenario: no valid answer at all (silence, garbage, a close or reset) is a failure.
std::optional<ProbeAssessment> assessUnanswered(const ProbeObservation &obs);

} // namespace expectlab::probe::detail
