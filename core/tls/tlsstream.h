#pragma once

#include "tcpstream.h"

#include <QSslConfiguration>
#include <QSslError>

class QSslSocket;

namespace expectlab {

// A ByteStream over QSslSocket (Qt's OpenSSL backend). TCP first, then the handshake: tlsStarted()
// when the TCP connection is up (a client) or the ClientHello is here (a server), connected() once
// the handshake is done. Until then nothing is read or written, so the head is never sent, or
// received, inside the handshake and the expect wait never includes it (issue 15). A failure says
// which of ErrorKind's TLS causes it was, in one sentence with the flag that changes it.
class TlsStream : public TcpStream
{
    Q_OBJECT
public:
    // A client stream: connectTo() then the handshake, with SNI and verification for peerName.
    TlsStream(const QSslConfiguration &configuration, const QString &peerName, QObject *parent = nullptr);
    // A connection a TLS listener accepted (not yet encrypted); the stream takes it over.
    explicit TlsStream(QSslSocket *accepted, QObject *parent = nullptr);

    void connectTo(const QString &host, quint16 port) override;
    bool isOpen() const override;
    qint64 bytesAvailable() const override;
    qint64 read(char *data, qint64 maxBytes) override;
    qint64 bytesQueued() const override;
    void startAccepted() override;
    std::shared_ptr<const TlsFacts> tlsFacts() const override { return m_facts; }

protected:
    void onTcpConnected() override;
    void onError() override;

private:
    void onEncrypted();
    void sniffFirstBytes();
    QSslSocket *ssl() const;

    bool m_server = false;
    bool m_sniffing = false;
    bool m_handshaking = false;
    bool m_failed = false;
    QString m_peerName;
    QString m_hostPort;
    QList<QSslError> m_certificateErrors;
    bool m_alertSeen = false;
    QString m_alert; // the last alert's description, for the sentence
    std::shared_ptr<const TlsFacts> m_facts;
};

} // namespace expectlab
