#include "serverconnectionhandler.h"

#include "monotonicclock.h"

#include <QTcpSocket>
#include <QTimer>

namespace expectlab {

namespace {
Endpoints endpointsOf(const QTcpSocket *socket)
{
    return {socket->localAddress(), socket->localPort(), socket->peerAddress(), socket->peerPort()};
}
} // namespace

ServerConnectionHandler::ServerConnectionHandler(int id, const ServerPolicy &policy, const ServerLimits &limits,
                                                 QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_timer(new QTimer(this))
    , m_closeWatch(socket->socketDescriptor())
    , m_connection(id, policy, monotonicNowNs(), limits, endpointsOf(socket))
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadBufferBytes);
    // A 100 or a final response must not wait for Nagle's algorithm behind an unacknowledged
    // segment: it would add up to 40 ms (a delayed ACK) to the very timings we record.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_socket, &QTcpSocket::readyRead, this, &ServerConnectionHandler::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ServerConnectionHandler::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ServerConnectionHandler::onError);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ServerConnectionHandler::pump);
    connect(m_timer, &QTimer::timeout, this, &ServerConnectionHandler::onTimer);
}

void ServerConnectionHandler::start()
{
    m_connection.receive({}, monotonicNowNs());
    pump();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void ServerConnectionHandler::onReadyRead()
{
    // Read everything Qt holds, in large slices, into one buffer that every connection of this
    // thread reuses (receive() copies what it keeps): per-read overhead dominates on loopback, and
    // a fresh block per read made glibc fault new pages in for every slice of an upload.
    static thread_local QByteArray buffer;
    while (m_socket->bytesAvailable() > 0) {
        if (!m_connection.wantsInput() || m_connection.hasHeldInput()) {
            m_inputHeld = true; // resumed by pump() once the peer has read some of our output
            break;
        }
        const qint64 want = qMin<qint64>(m_socket->bytesAvailable(), kReadBufferBytes);
        if (buffer.size() < want)
            buffer.resize(want);
        const qint64 n = m_socket->read(buffer.data(), want);
        if (n <= 0)
            break;
        m_connection.receive(QByteArrayView(buffer.constData(), n), monotonicNowNs());
        // Answer what this slice asked for before reading the next one: the 100 leaves at once,
        // and a peer that reads nothing is noticed (wantsInput) before we read its next requests.
        pump();
        if (m_done)
            return;
    }
    pump();
}

void ServerConnectionHandler::onDisconnected()
{
    m_connection.peerClosed(monotonicNowNs(), m_closeWatch.wasReset());
    pump();
}

void ServerConnectionHandler::onError()
{
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
        m_connection.peerClosed(monotonicNowNs(), m_closeWatch.wasReset());
    } else {
        m_connection.transportError(monotonicNowNs(), m_socket->errorString(), m_closeWatch.wasReset());
    }
    pump();
}

void ServerConnectionHandler::onTimer()
{
    m_timerDeadlineNs = 0;
    m_connection.advanceTime(monotonicNowNs());
    pump();
}

void ServerConnectionHandler::pump()
{
    // flush() below emits bytesWritten, which calls back in here: the outer call does the rest.
    if (m_done || m_pumping)
        return;
    m_pumping = true;
    pumpOnce();
    m_pumping = false;
    // Output drained far enough to read again: first what the core held, then what Qt buffered.
    if (!m_done && m_connection.wantsInput() && (m_inputHeld || m_connection.hasHeldInput())) {
        m_inputHeld = false;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_connection.resumeInput(monotonicNowNs());
                onReadyRead();
            },
            Qt::QueuedConnection);
    }
}

void ServerConnectionHandler::reportSent()
{
    // What left Qt's buffer went to the kernel: its events take this moment as their time.
    const qint64 handed = m_written - m_socket->bytesToWrite();
    if (handed > m_reported) {
        // What the peer had already sent when our bytes left (in Qt's buffer or still in the kernel's):
        // for an early answer, body bytes sent before it (case 17).
        const qint64 waiting = m_socket->bytesAvailable() + platform::bytesWaiting(m_socket->socketDescriptor());
        m_connection.sent(handed - m_reported, monotonicNowNs(), waiting);
        m_reported = handed;
    }
}

void ServerConnectionHandler::pumpOnce()
{
    const QByteArray out = m_connection.takeOutgoing();
    if (!out.isEmpty() && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_written += qMax<qint64>(0, m_socket->write(out));
        // Into the kernel now rather than on the next turn of the event loop: the 100 leaves when
        // its event says it did, and a response costs no write-notifier round trip.
        m_socket->flush();
    }
    reportSent();

    switch (m_connection.closeMode()) {
    case ServerConnection::CloseMode::None: break;
    case ServerConnection::CloseMode::Graceful:
        if (!m_halfClosed && m_socket->bytesToWrite() == 0) {
            m_socket->flush();
            // Half-close, then keep reading so the peer's unread upload does not reset the response.
            m_halfClosed = platform::shutdownWrite(m_socket->socketDescriptor());
            if (m_halfClosed)
                m_connection.halfClosed(monotonicNowNs());
            else
                m_connection.advanceTime(monotonicNowNs() + ServerConnection::kLingerNs);
        }
        break;
    case ServerConnection::CloseMode::Now:
        if (m_socket->bytesToWrite() > 0 && m_socket->state() == QAbstractSocket::ConnectedState) {
            m_socket->flush();
            reportSent();
        }
        m_done = true;
        m_timer->stop();
        m_timerDeadlineNs = 0;
        m_socket->abort();
        // The duplicate held the connection open; now the close (FIN or RST) really leaves.
        m_closeWatch.release();
        m_connection.transportClosed(monotonicNowNs());
        for (const TimelineEvent &e : m_connection.takeEvents())
            emit eventRecorded(e);
        emit finished();
        return;
    }
    for (const TimelineEvent &e : m_connection.takeEvents())
        emit eventRecorded(e);
    if (m_connection.closeMode() == ServerConnection::CloseMode::Now) {
        pumpOnce();
        return;
    }
    // Re-arm only for an earlier deadline: one that moved later (the idle timeout, pushed on by
    // every read) lets the timer fire early, and onTimer() arms it again. Restarting a timer on
    // every read cost measurable time with many connections.
    if (const auto deadline = m_connection.nextDeadlineNs()) {
        if (m_timerDeadlineNs == 0 || *deadline < m_timerDeadlineNs) {
            const qint64 waitNs = qMax<qint64>(0, *deadline - monotonicNowNs());
            const qint64 waitMs = (waitNs + 999'999) / 1'000'000;
            m_timer->start(int(waitMs));
            m_timerDeadlineNs = *deadline;
        }
    } else if (m_timerDeadlineNs != 0) {
        m_timer->stop();
        m_timerDeadlineNs = 0;
    }
}

} // namespace expectlab
