#include "memorystream.h"

namespace expectlab {

std::pair<MemoryStream *, MemoryStream *> MemoryStream::pair(QObject *parent)
{
    auto *a = new MemoryStream(parent);
    auto *b = new MemoryStream(parent);
    a->m_peer = b;
    b->m_peer = a;
    const QHostAddress loopback(QHostAddress::LocalHost);
    a->m_endpoints = {loopback, 50001, loopback, 8080};
    b->m_endpoints = {loopback, 8080, loopback, 50001};
    b->m_open = true;
    return {a, b};
}

void MemoryStream::connectTo(const QString &, quint16)
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_open = true;
            emit connected();
        },
        Qt::QueuedConnection);
}

qint64 MemoryStream::read(char *data, qint64 maxBytes)
{
    const qint64 n = qMin<qint64>(maxBytes, m_inbox.size());
    memcpy(data, m_inbox.constData(), size_t(n));
    m_inbox.remove(0, n);
    return n;
}

void MemoryStream::write(const QByteArray &bytes)
{
    if (!isOpen() || m_writeShut || bytes.isEmpty())
        return;
    m_written += bytes.size();
    m_inFlight += bytes.size();
    // Delivered on the next turn of the event loop, as by a kernel; then there is room again.
    QMetaObject::invokeMethod(
        this,
        [self = QPointer<MemoryStream>(this), bytes] {
            if (!self)
                return;
            if (self->m_peer)
                self->m_peer->deliver(bytes);
            self->delivered(bytes.size());
        },
        Qt::QueuedConnection);
}

void MemoryStream::delivered(qint64 bytes)
{
    m_inFlight -= bytes;
    if (!m_aborted)
        emit writable();
}

void MemoryStream::deliver(const QByteArray &bytes)
{
    if (m_aborted)
        return;
    m_inbox += bytes;
    emit readyRead();
}

void MemoryStream::deliverClose(bool reset)
{
    if (m_aborted)
        return;
    m_reset = reset;
    emit peerClosed(reset);
}

bool MemoryStream::shutdownWrite()
{
    if (!isOpen() || m_writeShut)
        return false;
    m_writeShut = true;
    if (m_peer)
        QMetaObject::invokeMethod(
            m_peer, [peer = m_peer] { peer->deliverClose(false); }, Qt::QueuedConnection);
    return true;
}

void MemoryStream::abort()
{
    if (m_aborted)
        return;
    m_aborted = true;
    // Unread bytes on our side turn the close into a reset, as a kernel does.
    const bool reset = !m_inbox.isEmpty();
    if (m_peer && !m_writeShut)
        QMetaObject::invokeMethod(
            m_peer, [peer = m_peer, reset] { peer->deliverClose(reset); }, Qt::QueuedConnection);
}

} // namespace expectlab
