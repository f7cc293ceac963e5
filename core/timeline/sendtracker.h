#pragma once

#include "timelineevent.h"
#include "wirelog.h"

#include <QList>

namespace expectlab {

// Our side's output from the moment a protocol core queues it to the moment the adapter says it
// reached the kernel: byte offsets, what the wire log keeps of it, and the events that wait for it,
// so that an event's time (and its wire-log record's) is when its bytes left, not when we decided to
// send them (issue 12, case 16). Shared by the server, client and probe cores.
class SendTracker
{
public:
    // Bytes of the output stream, logged into the wire log when they leave.
    void queue(QByteArrayView data, bool body);
    // Bytes that go out but are not logged (chunk framing around a body slice).
    void queueUnlogged(qint64 bytes) { m_queued += bytes; }

    qint64 queued() const { return m_queued; }
    qint64 sent() const { return m_sent; }
    qint64 unsent() const { return m_queued - m_sent; }
    // When the kernel last took some of our output (or output began waiting); for send timeouts.
    qint64 lastProgressNs() const { return m_lastProgressNs; }

    // An event about output: it waits until byte `offset` has left and then takes that time; when
    // that byte is already out it goes to `ready` at once.
    void hold(const TimelineEvent &event, qint64 offset, QList<TimelineEvent> &ready);
    // The adapter handed `bytes` more bytes to the kernel at nowNs: they go into the log and the
    // events they carry go to `released`, stamped nowNs. More than was queued is ignored.
    void handed(qint64 bytes, qint64 nowNs, WireLog &log, QList<TimelineEvent> &released);
    // The connection is gone: what was still held never left (TimelineEvent::notSent).
    void abandon(qint64 nowNs, QList<TimelineEvent> &released);
    // A new connection: nothing queued, nothing sent.
    void reset() { *this = SendTracker(); }
    void noteQueueStart(qint64 nowNs)
    {
        if (m_queued == m_sent)
            m_lastProgressNs = nowNs;
    }

private:
    struct Piece
    {
        qint64 offset = 0;
        qint64 size = 0;
        QByteArray kept; // a head whole, a body's first WireLog::kBodyPreview bytes
        bool body = false;
    };
    struct Held
    {
        qint64 offset = 0;
        TimelineEvent event;
    };
    QList<Piece> m_pieces;
    QList<Held> m_held;
    qint64 m_queued = 0;
    qint64 m_sent = 0;
    qint64 m_lastProgressNs = 0;
};

} // namespace expectlab
