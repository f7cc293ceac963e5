#pragma once

#include <QString>

namespace expectlab {

struct ExchangeSummary;

// What an exchange came to, in the few categories a user scans a list or a plot for.
// The colour of each lives in ui/ (core has no GUI types).
enum class Outcome {
    Running,
    Continued,  // a 100 came, then a 2xx: the handshake worked (R3, R11)
    Success,    // a 2xx without waiting for a 100 (no Expect, or the body went at once)
    WaitedOut,  // the client waited for a 100 that never came, then sent anyway (R5)
    Retried,    // 417, then repeated without Expect (R6)
    Rejected,   // 417 and no retry
    EarlyFinal, // another final status (3xx/4xx/5xx) before or instead of the body
    Failed,     // no final response: refused, closed, timed out, malformed
    Cancelled,
};

constexpr int kOutcomeCount = int(Outcome::Cancelled) + 1;

Outcome classifyOutcome(const ExchangeSummary &summary, bool running);
// Short words for a table cell: "continued", "retried after 417", ...
QString outcomeName(Outcome outcome);
// A stable key for scripts and files (the CLI's `outcome_code`): "continued", "retried", "failed", ...
QString outcomeKey(Outcome outcome);

} // namespace expectlab
