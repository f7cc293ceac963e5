#include "sendtracker.h"

namespace expectlab {

void SendTracker::queue(QByteArrayView data, bool body)
{
    if (data.isEmpty())
        return;
    m_pieces.append({m_queued, data.size(),
                     (body ? data.first(qMin(data.size(), WireLog::kBodyPreview)) : data).toByteArray(), body});
    m_queued += data.size();
}

void SendTracker::hold(const TimelineEvent &event, qint64 offset, QList<TimelineEvent> &ready)
{
    if (offset < m_sent)
        ready.append(event);
    else
        m_held.append({offset, event});
}

void SendTracker::handed(qint64 bytes, qint64 nowNs, WireLog &log, QList<TimelineEvent> &released)
{
    bytes = qBound<qint64>(0, bytes, m_queued - m_sent);
    if (bytes == 0)
        return;
    m_sent += bytes;
    m_lastProgressNs = nowNs;
    while (!m_pieces.isEmpty() && m_pieces.first().offset < m_sent) {
        const Piece p = m_pieces.takeFirst();
        log.add(WireLog::Direction::Sent, nowNs, p.kept, p.body, p.size);
    }
    while (!m_held.isEmpty() && m_held.first().offset < m_sent) {
        TimelineEvent e = m_held.takeFirst().event;
        e.tNs = nowNs;
        released.append(e);
    }
}

void SendTracker::abandon(qint64 nowNs, QList<TimelineEvent> &released)
{
    for (Held &h : m_held) {
        h.event.tNs = nowNs;
        h.event.notSent = true;
        released.append(h.event);
    }
    m_held.clear();
    m_pieces.clear();
}

} // namespace expectlab
