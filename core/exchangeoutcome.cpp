#include "exchangeoutcome.h"

#include "clientexchange.h"

#include <QCoreApplication>

namespace expectlab {

Outcome classifyOutcome(const ExchangeSummary &s, bool running)
{
    if (running)
        return Outcome::Running;
    if (s.cancelled)
        return Outcome::Cancelled;
    if (!s.finalStatus)
        return Outcome::Failed;
    const int status = *s.finalStatus;
    if (s.retried)
        return Outcome::Retried;
    if (status == 417)
        return Outcome::Rejected;
    if (status < 200 || status >= 300)
        return Outcome::EarlyFinal;
    if (!s.error.isEmpty())
        return Outcome::Failed;
    for (const TimelineEvent &e : s.events) {
        if (e.kind == EventKind::ExpectTimeout)
            return Outcome::WaitedOut;
    }
    return s.interimStatuses.contains(100) ? Outcome::Continued : Outcome::Success;
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

} // namespace expectlab
