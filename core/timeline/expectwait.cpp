#include "expectwait.h"

namespace expectlab {

void ExpectWait::add(const TimelineEvent &e)
{
    if (e.side != m_role || m_end)
        return;
    if (!m_sinceNs) {
        const EventKind head = m_role == Side::Client ? EventKind::HeadSent : EventKind::Head;
        // A head without content has no body to hold back: nobody waits (R2).
        if (e.kind == head && e.head && e.head->hasHeader("Expect") && e.head->announcesContent() && !e.notSent)
            m_sinceNs = e.tNs;
        return;
    }
    switch (e.kind) {
    case EventKind::Interim:
    case EventKind::Final:
    case EventKind::ExpectTimeout:
    case EventKind::InterimSent:
    case EventKind::FinalSent:
    case EventKind::BodyStart:
    case EventKind::Error:
    case EventKind::Cancelled:
    case EventKind::Closed:
        m_end = e.kind;
        m_endNs = e.tNs;
        return;
    default: return;
    }
}

} // namespace expectlab
