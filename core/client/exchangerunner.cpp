#include "exchangerunner.h"

#include "monotonicclock.h"
#include "platformmemory.h"

#include <QTcpSocket>
#include <QTimer>

namespace expectlab {

ExchangeRunner::ExchangeRunner(int id, ClientRequest request, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_request(std::move(request))
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &ExchangeRunner::onTimer);
    platform::keepLargeBuffersInHeap(); // each body slice is a fresh large buffer
}

ExchangeRunner::~ExchangeRunner() = default;

bool ExchangeRunner::prepare(QString *error)
{
    const QString invalid = m_request.validate();
    if (!invalid.isEmpty()) {
        if (error)
            *error = invalid;
        return false;
    }
    QString openError;
    std::unique_ptr<BodySource> body = openBodySource(m_request.body, &openError);
    if (m_request.body.hasBody() && !body) {
        if (error)
            *error = openError;
        return false;
    }
    m_exchange = std::make_unique<ClientExchange>(m_id, m_request, std::move(body));
    return true;
}

void ExchangeRunner::start()
{
    if (!m_exchange) {
        QString error;
        if (!prepare(&error)) {
            // Build an exchange anyway so that the failure is recorded like any other.
            m_exchange = std::make_unique<ClientExchange>(m_id, m_request, nullptr);
            m_exchange->start(monotonicNowNs());
            m_exchange->transportError(monotonicNowNs(), error, ErrorKind::InvalidRequest);
            pump();
            return;
        }
    }
    m_exchange->start(monotonicNowNs());
    connectSocket();
    pump();
}

void ExchangeRunner::connectSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    m_closeWatch.release();
    m_written = m_reported = 0; // a new socket: nothing of it written yet
    m_socket = new QTcpSocket(this);
    // Small writes (the head, then a body) must not wait for Nagle's algorithm: it would add up to
    // 40 ms to the very timings we measure.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::connected, this, &ExchangeRunner::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &ExchangeRunner::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ExchangeRunner::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ExchangeRunner::onError);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ExchangeRunner::pump);
    m_socket->connectToHost(m_request.url.host(), quint16(m_request.url.port(80)));
}

void ExchangeRunner::cancel()
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    m_exchange->cancel(monotonicNowNs());
    pump();
}

void ExchangeRunner::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_closeWatch.watch(m_socket->socketDescriptor());
    m_written = m_reported = 0;
    m_exchange->connected(monotonicNowNs(), {m_socket->localAddress(), m_socket->localPort(), m_socket->peerAddress(),
                                             m_socket->peerPort()});
    // Bytes already waiting in the kernel were sent before our request: take them in now, before
    // the head goes, so that the exchange sees them for what they are (issue 12, case 6).
    if (platform::bytesWaiting(m_socket->socketDescriptor()) > 0) {
        m_socket->waitForReadyRead(0); // the data is there: Qt reads it and emits readyRead now
        if (!m_socket)
            return;
    }
    pump();
}

void ExchangeRunner::onReadyRead()
{
    while (m_socket && m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->read(qMax<qint64>(m_socket->bytesAvailable(), 64 * 1024));
        if (data.isEmpty())
            break;
        m_exchange->receive(data, monotonicNowNs());
    }
    pump();
}

void ExchangeRunner::onDisconnected()
{
    onReadyRead();
    m_exchange->peerClosed(monotonicNowNs(), m_closeWatch.wasReset());
    pump();
}

void ExchangeRunner::onError()
{
    if (!m_socket)
        return;
    // Read what arrived before the error: a reset may follow a response we have not parsed yet.
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
    switch (m_socket->error()) {
    case QAbstractSocket::RemoteHostClosedError:
        // Qt says this for a reset and for a FIN alike; the kernel knows which.
        m_exchange->peerClosed(monotonicNowNs(), m_closeWatch.wasReset());
        break;
    case QAbstractSocket::HostNotFoundError:
        m_exchange->transportError(monotonicNowNs(), m_socket->errorString(), ErrorKind::HostNotFound);
        break;
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::NetworkError:
    case QAbstractSocket::SocketTimeoutError:
        m_exchange->transportError(monotonicNowNs(), m_socket->errorString(),
                                   m_socket->state() == QAbstractSocket::ConnectedState ? ErrorKind::Transport
                                                                                        : ErrorKind::ConnectFailed);
        break;
    default: m_exchange->transportError(monotonicNowNs(), m_socket->errorString()); break;
    }
    pump();
}

void ExchangeRunner::onTimer()
{
    m_exchange->advanceTime(monotonicNowNs());
    pump();
}

void ExchangeRunner::pump()
{
    if (m_pumping || !m_exchange)
        return;
    m_pumping = true;
    for (;;) {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
            bool wrote = false;
            while (m_exchange->wantsToSend() && m_socket->bytesToWrite() < kWriteWindow) {
                const QByteArray out = m_exchange->nextOutgoing(kSliceSize, monotonicNowNs());
                if (out.isEmpty())
                    break;
                m_written += qMax<qint64>(0, m_socket->write(out));
                wrote = true;
            }
            if (wrote) {
                // Push the bytes to the kernel now, not on the next event-loop turn: the head's
                // timestamp is the moment it left.
                m_socket->flush();
                emit progress(m_exchange->bodySentThisAttempt(), m_exchange->bodySize());
                // flush() emits bytesWritten right here, while m_pumping swallows that re-entry: when
                // the kernel took the whole window, no later bytesWritten comes and the upload stalls.
                if (m_exchange->wantsToSend() && m_socket->bytesToWrite() < kWriteWindow)
                    QMetaObject::invokeMethod(this, &ExchangeRunner::pump, Qt::QueuedConnection);
            }
        }
        if (m_socket) {
            // What left Qt's buffer is in the kernel: the events of those bytes take this time.
            const qint64 handed = m_written - m_socket->bytesToWrite();
            if (handed > m_reported) {
                m_exchange->sent(handed - m_reported, monotonicNowNs());
                m_reported = handed;
            }
        }
        for (const TimelineEvent &e : m_exchange->takeEvents())
            emit eventRecorded(e);

        if (m_exchange->wantsClose()) {
            if (m_socket) {
                m_socket->disconnect(this);
                m_socket->abort();
                m_socket->deleteLater();
                m_socket = nullptr;
            }
            m_closeWatch.release(); // now the close really leaves
            m_written = m_reported = 0;
            for (const TimelineEvent &e : m_exchange->takeEvents())
                emit eventRecorded(e);
            m_exchange->transportClosed(monotonicNowNs());
            for (const TimelineEvent &e : m_exchange->takeEvents())
                emit eventRecorded(e);
            continue;
        }
        if (m_exchange->wantsReconnect()) {
            m_exchange->start(monotonicNowNs());
            connectSocket();
            continue;
        }
        break;
    }
    m_pumping = false;

    if (m_exchange->isFinished()) {
        m_timer->stop();
        if (!m_finishedEmitted) {
            m_finishedEmitted = true;
            emit finished();
        }
        return;
    }
    if (const auto deadline = m_exchange->nextDeadlineNs()) {
        const qint64 waitNs = qMax<qint64>(0, *deadline - monotonicNowNs());
        m_timer->start(int(qMin<qint64>((waitNs + 999'999) / 1'000'000, 24LL * 3600 * 1000)));
    }
}

} // namespace expectlab
