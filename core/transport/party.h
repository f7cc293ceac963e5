#pragma once

#include "timelineevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>

namespace expectlab {

// What the Pump asks of a protocol core on one connection: bytes and times in, bytes, a wish to close,
// the next deadline and events out. Sans I/O: a core never sees a socket, so the same core runs over
// TCP, TLS or an in-memory stream, and in unit tests with no stream at all.
class Party
{
public:
    enum class CloseWish {
        None,
        AfterOutput, // send what is queued, half-close, keep reading until the peer closes
        Now,         // close at once
    };

    virtual ~Party() = default;

    virtual void streamConnected(qint64 nowNs, const Endpoints &endpoints) = 0;
    virtual void streamReceived(QByteArrayView data, qint64 nowNs) = 0;
    // More of our output reached the kernel; peerWaiting: the peer's bytes already here, unread
    // (counted only while wantsPeerWaiting(), else 0: the count costs a system call per write).
    virtual void streamSent(qint64 bytes, qint64 nowNs, qint64 peerWaiting) = 0;
    virtual bool wantsPeerWaiting() const { return false; }
    virtual void streamPeerClosed(qint64 nowNs, bool reset) = 0;
    virtual void streamFailed(qint64 nowNs, const QString &message, ErrorKind kind) = 0;
    // A TLS stream: the handshake began right after streamConnected(), and ended; until then the
    // pump takes no output, so a head is never "sent" while it waits for the handshake (issue 15).
    virtual void streamTlsStarted(qint64) {}
    virtual void streamTlsDone(qint64, const TlsFacts &) {}
    // Our half-close (FIN) left, or (ok false) the stream could not half-close.
    virtual void streamHalfClosed(qint64, bool) {}
    // The stream is gone: the core's last word.
    virtual void streamClosed(qint64 nowNs) = 0;
    virtual void advanceTime(qint64 nowNs) = 0;

    // The next bytes to write, about `budget` of them at most; empty when there is nothing now.
    virtual QByteArray takeOutput(qint64 budget, qint64 nowNs) = 0;
    // False while the core wants no more input (its output waits unread: backpressure).
    virtual bool wantsInput() const { return true; }
    // True while the core keeps input it has not parsed yet: the pump reads no more until it resumed.
    virtual bool hasHeldInput() const { return false; }
    // Input the core held back while it wanted none; the pump asks once wantsInput() again.
    virtual void resumeInput(qint64) {}
    virtual CloseWish closeWish() const = 0;
    virtual std::optional<qint64> nextDeadlineNs() const = 0;
    virtual QList<TimelineEvent> takeEvents() = 0;
};

} // namespace expectlab
