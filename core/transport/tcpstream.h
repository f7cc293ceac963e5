#pragma once

#include "bytestream.h"
#include "platformsocket.h"

class QTcpSocket;

namespace expectlab {

// A ByteStream over QTcpSocket: TCP_NODELAY (a 100 must not wait behind a delayed ACK), a bounded
// read buffer (a peer we stop reading from is held back by TCP, not by our memory), and the means to
// tell a reset from a close (platform::CloseWatch), which Qt alone cannot.
class TcpStream : public ByteStream
{
    Q_OBJECT
public:
    static constexpr qint64 kReadBufferBytes = 4 << 20;

    explicit TcpStream(QObject *parent = nullptr);
    // A connection a server accepted; the stream takes the socket over.
    explicit TcpStream(QTcpSocket *accepted, QObject *parent = nullptr);
    ~TcpStream() override;

    void connectTo(const QString &host, quint16 port) override;
    bool isOpen() const override;
    qint64 bytesAvailable() const override;
    qint64 read(char *data, qint64 maxBytes) override;
    void write(const QByteArray &bytes) override;
    void flush() override;
    qint64 bytesHanded() const override;
    qint64 bytesQueued() const override;
    qint64 peerBytesWaiting() const override;
    void readPending() override;
    bool shutdownWrite() override;
    void abort() override;
    Endpoints endpoints() const override;
    bool wasReset() const override { return m_reset; }

protected:
    // For a stream over a QTcpSocket subclass (TlsStream over QSslSocket): takes socket over.
    TcpStream(QTcpSocket *socket, bool accepted, QObject *parent);
    QTcpSocket *socket() const { return m_socket; }
    bool closeWatchSaysReset() const { return m_closeWatch.wasReset(); }
    // The TCP connection is up (a client stream); plain TCP is then connected().
    virtual void onTcpConnected();
    virtual void onError();
    // The "error" is only readPending's zero-timeout poll finding nothing to hand over (over TLS the
    // waiting bytes may be a session ticket or a part of a record): not a failure of the stream.
    bool isPollTimeout() const;

private:
    void setUp();
    void onConnected();
    void onDisconnected();
    void notePeerClosed();

    QTcpSocket *m_socket;
    platform::CloseWatch m_closeWatch;
    qint64 m_written = 0; // bytes given to the socket
    bool m_reset = false;
    bool m_peerClosedSent = false;
    bool m_aborted = false;
    bool m_polling = false; // inside readPending's waitForReadyRead(0)
};

} // namespace expectlab
