#pragma once

#include "timelineevent.h"

#include <QByteArray>
#include <QObject>

namespace expectlab {

// A byte stream between us and one peer: plain TCP now (TcpStream), TLS next, an in-memory pair for
// tests and for a relay (MemoryStream). The Pump drives a protocol core over it; nothing above the
// transport touches a socket.
class ByteStream : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // A client stream: connect; connected() or failed() follows.
    virtual void connectTo(const QString &host, quint16 port) = 0;
    virtual bool isOpen() const = 0;

    virtual qint64 bytesAvailable() const = 0;
    virtual qint64 read(char *data, qint64 maxBytes) = 0;
    // Queues bytes; they reach the kernel (or the other end) as the stream can take them.
    virtual void write(const QByteArray &bytes) = 0;
    // Pushes what it can into the kernel now, rather than on the next turn of the event loop.
    virtual void flush() = 0;
    // Bytes ever handed to the kernel (or to the other end): what left our process.
    virtual qint64 bytesHanded() const = 0;
    // Bytes given to write() that have not left yet.
    virtual qint64 bytesQueued() const = 0;
    // The peer's bytes already here but not read yet (ours and the kernel's buffers).
    virtual qint64 peerBytesWaiting() const = 0;

    // Reads, now, what the peer sent before we looked (readyRead comes at once if anything is there):
    // bytes that were waiting when we connected were sent before our request.
    virtual void readPending() {}
    // Half-close: stop sending, keep receiving (R22). False when the stream cannot.
    virtual bool shutdownWrite() = 0;
    // Closes at once; afterwards the stream sends and reports nothing.
    virtual void abort() = 0;
    virtual Endpoints endpoints() const = 0;
    // After closed(): whether it was a reset (RST) rather than a close (FIN).
    virtual bool wasReset() const = 0;
    // An accepted stream that is not open yet (a TLS server side): starts what opens it, and says
    // connected() (or failed()) when it is. Plain streams are open when accepted.
    virtual void startAccepted() {}
    // A TLS stream, once connected(): what its handshake agreed on; null for plain TCP.
    virtual std::shared_ptr<const TlsFacts> tlsFacts() const { return {}; }

signals:
    // TLS: the TCP connection is up and the handshake begins (endpoints() is valid); connected()
    // follows once it is done. Plain TCP says connected() alone.
    void tlsStarted();
    void connected();
    void readyRead();
    // More of our bytes left (bytesHanded() grew) or there is room to write again.
    void writable();
    // The peer closed (FIN) or reset the connection; reading what is left still works.
    void peerClosed(bool reset);
    void failed(const QString &message, expectlab::ErrorKind kind);
};

} // namespace expectlab
