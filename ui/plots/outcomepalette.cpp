#include "outcomepalette.h"

namespace expectlab {

QColor meaningColor(Meaning meaning)
{
    switch (meaning) {
    case Meaning::Continue: return QColor(0x1e, 0x6f, 0xd9); // 100: blue
    case Meaning::Reject: return QColor(0xf0, 0x8c, 0x00);   // 417: orange
    case Meaning::Success: return QColor(0x2e, 0x9d, 0x44);  // 2xx: green
    case Meaning::Failure: return QColor(0xd3, 0x2f, 0x2f);  // other 4xx/5xx: red
    case Meaning::Muted: return QColor(0x90, 0x90, 0x90);    // timeout, close: grey
    case Meaning::Body: return QColor(0x7b, 0x52, 0xc7);     // body bytes: violet
    case Meaning::Neutral: break;
    }
    return QColor(0x37, 0x47, 0x4f);
}

QColor outcomeColor(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Running: return QColor(0x64, 0xb5, 0xf6);
    case Outcome::Continued: return meaningColor(Meaning::Success);
    case Outcome::Success: return QColor(0x8b, 0xc3, 0x4a);
    case Outcome::WaitedOut: return QColor(0xc9, 0xa2, 0x27);
    case Outcome::Retried: return meaningColor(Meaning::Reject);
    case Outcome::Rejected: return QColor(0xe6, 0x51, 0x00);
    case Outcome::EarlyFinal: return meaningColor(Meaning::Failure);
    case Outcome::Failed: return QColor(0x8e, 0x24, 0xaa);
    case Outcome::Cancelled: return meaningColor(Meaning::Muted);
    }
    return Qt::black;
}

} // namespace expectlab
