#pragma once

#include "bytestream.h"

#include <QPointer>

#include <utility>

namespace expectlab {

// Two ByteStreams joined in memory: what one writes the other reads, on the next turn of the event
// loop, as from a socket. For tests of the pump and the cores together without the kernel, and for
// relays that join two parties in one process.
class MemoryStream : public ByteStream
{
    Q_OBJECT
public:
    // A joined pair: `first` connects (connectTo), `second` is the accepted end and open at once.
    static std::pair<MemoryStream *, MemoryStream *> pair(QObject *parent = nullptr);

    void connectTo(const QString &host, quint16 port) override;
    bool isOpen() const override { return m_open && !m_aborted; }
    qint64 bytesAvailable() const override { return m_inbox.size(); }
    qint64 read(char *data, qint64 maxBytes) override;
    void write(const QByteArray &bytes) override;
    void flush() override {}
    qint64 bytesHanded() const override { return m_written - m_inFlight; }
    // Written but not delivered yet: the pump's write window holds, as over a socket.
    qint64 bytesQueued() const override { return m_inFlight; }
    qint64 peerBytesWaiting() const override { return m_inbox.size(); }
    bool shutdownWrite() override;
    void abort() override;
    Endpoints endpoints() const override { return m_endpoints; }
    bool wasReset() const override { return m_reset; }

private:
    explicit MemoryStream(QObject *parent)
        : ByteStream(parent)
    {}
    void deliver(const QByteArray &bytes);
    void delivered(qint64 bytes);
    void deliverClose(bool reset);

    QPointer<MemoryStream> m_peer;
    QByteArray m_inbox;
    Endpoints m_endpoints;
    qint64 m_written = 0;
    qint64 m_inFlight = 0;
    bool m_open = false;
    bool m_aborted = false;
    bool m_writeShut = false;
    bool m_reset = false;
};

} // namespace expectlab
