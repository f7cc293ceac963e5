#include "pump.h"

#include "bytestream.h"
#include "monotonicclock.h"

#include <QTimer>

namespace expectlab {

Pump::Pump(ByteStream *stream, Party *party, QObject *parent)
    : QObject(parent)
    , m_stream(stream)
    , m_party(party)
    , m_timer(new QTimer(this))
{
    m_stream->setParent(this);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &Pump::onTimer);
    connect(m_stream, &ByteStream::tlsStarted, this, &Pump::onTlsStarted);
    connect(m_stream, &ByteStream::connected, this, &Pump::onConnected);
    connect(m_stream, &ByteStream::readyRead, this, &Pump::onReadyRead);
    connect(m_stream, &ByteStream::writable, this, &Pump::pump);
    connect(m_stream, &ByteStream::peerClosed, this, &Pump::onPeerClosed);
    connect(m_stream, &ByteStream::failed, this, &Pump::onFailed);
    m_connected = m_stream->isOpen();
}

Pump::~Pump()
{
    m_stream->disconnect(this);
}

void Pump::start()
{
    // An accepted stream is open from the start: the party's first turn is now.
    if (m_connected)
        m_party->streamConnected(monotonicNowNs(), m_stream->endpoints());
    else
        m_stream->startAccepted(); // a TLS server side: tlsStarted() and connected() follow
    pump();
    if (!m_done && m_stream->bytesAvailable() > 0)
        onReadyRead();
}

void Pump::onTlsStarted()
{
    // The TCP connection is up: the party learns it now, and that a handshake runs, but gets no
    // turn to write until the handshake is done (m_connected stays false).
    const qint64 now = monotonicNowNs();
    m_tlsStarted = true;
    m_party->streamConnected(now, m_stream->endpoints());
    m_party->streamTlsStarted(now);
    emitEvents();
    armTimer();
}

void Pump::onConnected()
{
    m_connected = true;
    if (m_tlsStarted) {
        const std::shared_ptr<const TlsFacts> facts = m_stream->tlsFacts();
        m_party->streamTlsDone(monotonicNowNs(), facts ? *facts : TlsFacts());
    } else {
        m_party->streamConnected(monotonicNowNs(), m_stream->endpoints());
    }
    // The connect is told before the head is written: the workbench matches our server's side of a
    // connection to our client by it, and must know it before the server reports the head, or it
    // would list our own client as an outside one (issue 14).
    emitEvents();
    // Bytes already waiting were sent before anything of ours: the party sees them first (issue 12,
    // case 6), before the pump writes.
    m_stream->readPending();
    pump();
}

void Pump::onReadyRead()
{
    // Read everything the stream holds, in large slices, into one buffer that every pump of this
    // thread reuses (the party copies what it keeps): per-read overhead dominates on loopback, and
    // a fresh block per read made glibc fault new pages in for every slice of an upload.
    static thread_local QByteArray buffer;
    while (!m_done && m_stream->bytesAvailable() > 0) {
        if (!m_party->wantsInput() || m_party->hasHeldInput()) {
            m_inputHeld = true; // resumed by pump() once the peer has read some of our output
            break;
        }
        const qint64 want = m_stream->bytesAvailable();
        if (buffer.size() < want)
            buffer.resize(want);
        const qint64 n = m_stream->read(buffer.data(), want);
        if (n <= 0)
            break;
        m_party->streamReceived(QByteArrayView(buffer.constData(), n), monotonicNowNs());
        // Answer what this slice asked for before reading the next one: a 100 leaves at once, and a
        // peer that reads nothing is noticed (wantsInput) before its next requests are read.
        pump();
    }
    pump();
}

void Pump::onPeerClosed(bool reset)
{
    onReadyRead(); // what arrived before the close is the peer's last word
    if (m_done)
        return;
    m_party->streamPeerClosed(monotonicNowNs(), reset);
    pump();
}

void Pump::onFailed(const QString &message, ErrorKind kind)
{
    if (m_done)
        return;
    if (m_stream->bytesAvailable() > 0)
        onReadyRead(); // a reset may follow an answer not parsed yet
    m_party->streamFailed(monotonicNowNs(), message, kind);
    pump();
}

void Pump::onTimer()
{
    m_timerDeadlineNs = 0;
    m_party->advanceTime(monotonicNowNs());
    pump();
}

void Pump::pump()
{
    // flush() emits writable, which calls back in here: the outer call goes round once more.
    if (m_done)
        return;
    if (m_pumping) {
        m_again = true;
        return;
    }
    m_pumping = true;
    do {
        m_again = false;
        pumpOnce();
    } while (m_again && !m_done);
    m_pumping = false;
    if (m_afterTurn)
        m_afterTurn();
    if (m_done)
        return;
    // Output drained far enough to read again: first what the core held, then what the stream holds.
    if (m_party->wantsInput() && (m_inputHeld || m_party->hasHeldInput())) {
        m_inputHeld = false;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_party->resumeInput(monotonicNowNs());
                onReadyRead();
            },
            Qt::QueuedConnection);
    }
}

void Pump::reportSent(std::optional<qint64> handedAtNs)
{
    // What left the stream's queue is in the kernel: the events of those bytes take this moment
    // (or the moment the write that handed them began).
    const qint64 handed = m_stream->bytesHanded();
    if (handed > m_reported) {
        const qint64 waiting = m_party->wantsPeerWaiting() ? m_stream->peerBytesWaiting() : 0;
        m_party->streamSent(handed - m_reported, handedAtNs.value_or(monotonicNowNs()), waiting);
        m_reported = handed;
    }
}

void Pump::emitEvents()
{
    for (const TimelineEvent &e : m_party->takeEvents())
        emit eventRecorded(e);
}

void Pump::pumpOnce()
{
    if (m_connected && m_stream->isOpen()) {
        bool wroteAny = false;
        bool windowFull = false;
        for (;;) {
            if (m_stream->bytesQueued() >= kWriteWindow) {
                windowFull = true;
                break;
            }
            const QByteArray out = m_party->takeOutput(kSliceSize, monotonicNowNs());
            if (out.isEmpty())
                break;
            m_stream->write(out);
            wroteAny = true;
        }
        if (wroteAny) {
            // Into the kernel now rather than on the next turn of the event loop: the head's (or the
            // 100's) event says when it left, and a response costs no write-notifier round trip.
            // Its time is taken before the write: the write wakes the peer's thread, which on a
            // busy machine runs first, so a time taken after it could come after the peer's
            // receipt, an arrow going back in time on the timeline.
            const qint64 flushNs = monotonicNowNs();
            m_stream->flush();
            reportSent(flushNs);
            emit wrote();
            // Inside QTcpSocket's own bytesWritten, a flush that empties its buffer emits nothing
            // more and turns the write notifier off: with output left, nothing would wake us.
            if (windowFull && m_stream->bytesQueued() < kWriteWindow)
                QMetaObject::invokeMethod(this, &Pump::pump, Qt::QueuedConnection);
        }
        reportSent();
    }
    switch (m_party->closeWish()) {
    case Party::CloseWish::None: break;
    case Party::CloseWish::AfterOutput:
        if (!m_halfClosed && m_connected && m_stream->bytesQueued() == 0) {
            // Half-close, then keep reading so the peer's unread upload does not reset our answer.
            m_halfClosed = true;
            m_party->streamHalfClosed(monotonicNowNs(), m_stream->shutdownWrite());
        }
        break;
    case Party::CloseWish::Now: closeNow(); return;
    }
    emitEvents();
    if (m_party->closeWish() == Party::CloseWish::Now) {
        closeNow();
        return;
    }
    armTimer();
}

void Pump::closeNow()
{
    if (m_stream->isOpen() && m_stream->bytesQueued() > 0) {
        m_stream->flush();
        reportSent();
    }
    m_done = true;
    m_timer->stop();
    m_timerDeadlineNs = 0;
    m_stream->abort();
    m_party->streamClosed(monotonicNowNs());
    emitEvents();
    emit finished();
}

void Pump::armTimer()
{
    // Re-arm only for an earlier deadline: one that moved later (the idle timeout, pushed on by
    // every read) lets the timer fire early, and onTimer() arms it again. Restarting a timer on
    // every read cost measurable time with many connections.
    if (const auto deadline = m_party->nextDeadlineNs()) {
        if (m_timerDeadlineNs == 0 || *deadline < m_timerDeadlineNs) {
            const qint64 waitNs = qMax<qint64>(0, *deadline - monotonicNowNs());
            m_timer->start(int(qMin<qint64>((waitNs + 999'999) / 1'000'000, 24LL * 3600 * 1000)));
            m_timerDeadlineNs = *deadline;
        }
    } else if (m_timerDeadlineNs != 0) {
        m_timer->stop();
        m_timerDeadlineNs = 0;
    }
}

} // namespace expectlab
