#pragma once

#include "timelineevent.h"

#include <optional>

namespace expectlab {

// Where one party's wait for a 100 stands, from its events in order: it begins at a head with
// Expect (sent by a client, or received by a server from an outside client) and ends at the first
// answer, the client's timer (R5), its body, or the end of the connection. One rule for the
// timeline's bracket and the live "waiting for 100" indicator.
class ExpectWait
{
public:
    // role: the half of the party whose wait this is (Client: HeadSent starts it; Server: Head).
    explicit ExpectWait(Side role = Side::Client)
        : m_role(role)
    {}
    void add(const TimelineEvent &event);

    bool began() const { return m_sinceNs.has_value(); }
    bool waiting() const { return m_sinceNs && !m_end; }
    bool ended() const { return m_end.has_value(); }
    qint64 sinceNs() const { return m_sinceNs.value_or(0); }
    qint64 endNs() const { return m_endNs; }
    // What ended it; ExpectTimeout when the client stopped waiting on its own (R5).
    EventKind endKind() const { return m_end.value_or(EventKind::Error); }

private:
    Side m_role;
    std::optional<qint64> m_sinceNs;
    std::optional<EventKind> m_end;
    qint64 m_endNs = 0;
};

} // namespace expectlab
