#pragma once

#include "party.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class QTimer;

namespace expectlab {

class ByteStream;

// The one loop that moves bytes and time between a ByteStream and a protocol core (Party), for the
// server, the client and the probe alike. Times are taken when bytes are read from or handed to the
// kernel and told to the core; events are emitted after the write they describe.
class Pump : public QObject
{
    Q_OBJECT
public:
    // Keeps the stream's send queue short, so that memory stays flat and a cancel acts at once.
    static constexpr qint64 kWriteWindow = 1 << 20;
    static constexpr qint64 kSliceSize = 256 * 1024;

    // The pump owns the stream (it becomes its child); the party must outlive the pump.
    Pump(ByteStream *stream, Party *party, QObject *parent = nullptr);
    ~Pump() override;

    ByteStream *stream() const { return m_stream; }
    bool isDone() const { return m_done; }

    // The first turn: drives the party and reads what the stream already holds.
    void start();
    // Drives the party now (after a call into it from outside, e.g. a cancel).
    void pump();
    // Called at the end of every turn of this pump (also the last), outside any call into the party:
    // where an owner that joins two pumps (the proxy) gives the other one its turn at once, rather
    // than one event-loop pass later.
    void setAfterTurn(std::function<void()> afterTurn) { m_afterTurn = std::move(afterTurn); }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);
    // Body bytes went out (for progress bars).
    void wrote();
    // The stream is closed and the party knows it.
    void finished();

private:
    void onReadyRead();
    void onTlsStarted();
    void onConnected();
    void onPeerClosed(bool reset);
    void onFailed(const QString &message, ErrorKind kind);
    void onTimer();
    void pumpOnce();
    void reportSent(std::optional<qint64> handedAtNs = std::nullopt);
    void emitEvents();
    void closeNow();
    void armTimer();

    ByteStream *m_stream;
    Party *m_party;
    QTimer *m_timer;
    qint64 m_reported = 0;        // bytes of ours reported to the party as sent
    qint64 m_timerDeadlineNs = 0; // 0: not armed
    bool m_connected = false;
    bool m_tlsStarted = false;
    bool m_halfClosed = false;
    bool m_inputHeld = false;
    bool m_pumping = false;
    bool m_again = false;
    bool m_done = false;
    std::function<void()> m_afterTurn;
};

} // namespace expectlab
