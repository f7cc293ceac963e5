#include "tcpstream.h"

#include <QTcpSocket>

namespace expectlab {

TcpStream::TcpStream(QObject *parent)
    : ByteStream(parent)
    , m_socket(new QTcpSocket(this))
{
    setUp();
}

TcpStream::TcpStream(QTcpSocket *accepted, QObject *parent)
    : TcpStream(accepted, true, parent)
{}

TcpStream::TcpStream(QTcpSocket *socket, bool accepted, QObject *parent)
    : ByteStream(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    setUp();
    if (!accepted)
        return;
    m_closeWatch.watch(m_socket->socketDescriptor());
    // A 100 or a final response must not wait for Nagle's algorithm behind an unacknowledged
    // segment: it would add up to 40 ms (a delayed ACK) to the very timings we record.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

TcpStream::~TcpStream()
{
    m_socket->disconnect(this);
}

void TcpStream::setUp()
{
    m_socket->setReadBufferSize(kReadBufferBytes);
    connect(m_socket, &QTcpSocket::connected, this, &TcpStream::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &ByteStream::readyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ByteStream::writable);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpStream::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpStream::onError);
}

void TcpStream::connectTo(const QString &host, quint16 port)
{
    // Small writes (the head, then a body) must not wait for Nagle's algorithm either.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->connectToHost(host, port);
}

bool TcpStream::isOpen() const
{
    return !m_aborted && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 TcpStream::bytesAvailable() const
{
    return m_socket->bytesAvailable();
}

qint64 TcpStream::read(char *data, qint64 maxBytes)
{
    return m_socket->read(data, maxBytes);
}

void TcpStream::write(const QByteArray &bytes)
{
    if (!isOpen())
        return;
    m_written += qMax<qint64>(0, m_socket->write(bytes));
}

void TcpStream::flush()
{
    if (isOpen())
        m_socket->flush();
}

qint64 TcpStream::bytesHanded() const
{
    return m_written - m_socket->bytesToWrite();
}

qint64 TcpStream::bytesQueued() const
{
    return m_socket->bytesToWrite();
}

qint64 TcpStream::peerBytesWaiting() const
{
    return m_socket->bytesAvailable() + platform::bytesWaiting(m_socket->socketDescriptor());
}

void TcpStream::readPending()
{
    // Only when something is there: a zero timeout with nothing to read reports a timeout error.
    if (isOpen() && platform::bytesWaiting(m_socket->socketDescriptor()) > 0) {
        m_polling = true;
        m_socket->waitForReadyRead(0);
        m_polling = false;
    }
}

bool TcpStream::shutdownWrite()
{
    return isOpen() && platform::shutdownWrite(m_socket->socketDescriptor());
}

void TcpStream::abort()
{
    if (m_aborted)
        return;
    m_aborted = true;
    m_socket->disconnect(this);
    m_socket->abort();
    // The duplicate held the connection open; now the close (FIN or RST) really leaves.
    m_closeWatch.release();
}

Endpoints TcpStream::endpoints() const
{
    return {m_socket->localAddress(), m_socket->localPort(), m_socket->peerAddress(), m_socket->peerPort()};
}

void TcpStream::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_closeWatch.watch(m_socket->socketDescriptor());
    onTcpConnected();
}

void TcpStream::onTcpConnected()
{
    emit connected();
}

void TcpStream::notePeerClosed()
{
    if (m_peerClosedSent)
        return;
    m_peerClosedSent = true;
    // Qt reports a reset and a FIN alike; the kernel knows which.
    m_reset = m_closeWatch.wasReset();
    emit peerClosed(m_reset);
}

void TcpStream::onDisconnected()
{
    notePeerClosed();
}

bool TcpStream::isPollTimeout() const
{
    return m_polling && m_socket->error() == QAbstractSocket::SocketTimeoutError;
}

void TcpStream::onError()
{
    if (isPollTimeout())
        return;
    switch (m_socket->error()) {
    case QAbstractSocket::RemoteHostClosedError: notePeerClosed(); return;
    case QAbstractSocket::HostNotFoundError: emit failed(m_socket->errorString(), ErrorKind::HostNotFound); return;
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::NetworkError:
    case QAbstractSocket::SocketTimeoutError:
        emit failed(m_socket->errorString(), m_socket->state() == QAbstractSocket::ConnectedState
                                                 ? ErrorKind::Transport
                                                 : ErrorKind::ConnectFailed);
        return;
    default:
        emit failed(m_socket->errorString(), m_closeWatch.wasReset() ? ErrorKind::Reset : ErrorKind::Transport);
        return;
    }
}

} // namespace expectlab
