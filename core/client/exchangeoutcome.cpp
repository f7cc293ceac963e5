#include "exchangeoutcome.h"

#include "exchangesummary.h"

#include <QCoreApplication>

namespace expectlab {

Outcome classifyOutcome(const ExchangeSummary &s, bool running)
{
    if (running)
        return Outcome::Running;
    if (s.cancelled)
        return Outcome::Cancelled;
    // No whole final response to the last attempt is a failure, whatever came before it.
    if (!s.succeeded())
        return Outcome::Failed;
    const int status = *s.finalStatus;
    if (s.retried)
        return Outcome::Retried;
    if (status == 417)
        return Outcome::Rejected;
    if (status < 200 || status >= 300)
        return Outcome::EarlyFinal;
    // The same for every client, ours or foreign: a wait for a 100 that ended by the client's own
    // timer (ClientExchange sets it; the profiler does for foreign clients).
    if (s.sentAnyway)
        return Outcome::WaitedOut;
    return s.interimStatuses().contains(100) ? Outcome::Continued : Outcome::Success;
}

QString outcomeName(Outcome outcome)
{
    const char *text = "";
    switch (outcome) {
    case Outcome::Running: text = QT_TRANSLATE_NOOP("Outcome", "running"); break;
    case Outcome::Continued: text = QT_TRANSLATE_NOOP("Outcome", "continued"); break;
    case Outcome::Success: text = QT_TRANSLATE_NOOP("Outcome", "success"); break;
    case Outcome::WaitedOut: text = QT_TRANSLATE_NOOP("Outcome", "expect timed out"); break;
    case Outcome::Retried: text = QT_TRANSLATE_NOOP("Outcome", "417, retried"); break;
    case Outcome::Rejected: text = QT_TRANSLATE_NOOP("Outcome", "rejected (417)"); break;
    case Outcome::EarlyFinal: text = QT_TRANSLATE_NOOP("Outcome", "early final"); break;
    case Outcome::Failed: text = QT_TRANSLATE_NOOP("Outcome", "failed"); break;
    case Outcome::Cancelled: text = QT_TRANSLATE_NOOP("Outcome", "cancelled"); break;
    }
    return QCoreApplication::translate("Outcome", text);
}

QString outcomeKey(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Running: return QStringLiteral("running");
    case Outcome::Continued: return QStringLiteral("continued");
    case Outcome::Success: return QStringLiteral("success");
    case Outcome::WaitedOut: return QStringLiteral("expect_timed_out");
    case Outcome::Retried: return QStringLiteral("retried");
    case Outcome::Rejected: return QStringLiteral("rejected");
    case Outcome::EarlyFinal: return QStringLiteral("early_final");
    case Outcome::Failed: return QStringLiteral("failed");
    case Outcome::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace expectlab
