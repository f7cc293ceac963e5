#include "tlsstream.h"

#include "partythread.h"
#include "tlsfailure.h"
#include "tlssettings.h"

#include <QSslCipher>
#include <QSslSocket>

#include <openssl/crypto.h>

#include <mutex>

namespace expectlab {

namespace {
QString protocolName(QSsl::SslProtocol p)
{
    switch (p) {
    case QSsl::TlsV1_3: return QStringLiteral("TLSv1.3");
    case QSsl::TlsV1_2: return QStringLiteral("TLSv1.2");
    default: return QStringLiteral("TLS (other)");
    }
}

// "CN=x, O=y": the distinguished name as one typed string for views and JSON.
QString nameText(const QSslCertificate &c, bool subject)
{
    QStringList parts;
    const QList<QByteArray> attributes = subject ? c.subjectInfoAttributes() : c.issuerInfoAttributes();
    for (const QByteArray &attribute : attributes) {
        const QStringList values = subject ? c.subjectInfo(attribute) : c.issuerInfo(attribute);
        for (const QString &v : values)
            parts << QStringLiteral("%1=%2").arg(QString::fromLatin1(attribute), v);
    }
    return parts.join(QStringLiteral(", "));
}

QString endpointText(const QHostAddress &address, quint16 port)
{
    const QString a = address.toString();
    return a.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(a).arg(port)
                                        : QStringLiteral("%1:%2").arg(a).arg(port);
}

// The first byte of a TLS record that opens a handshake (RFC 8446 5.1: ContentType handshake).
constexpr char kTlsHandshakeRecord = 0x16;
} // namespace

namespace {
// A party thread that used TLS frees its OpenSSL state as its last act (PartyThread::setExitHook).
void freeThreadTlsStateOnExit()
{
    static std::once_flag once;
    std::call_once(once, [] { PartyThread::setExitHook([] { OPENSSL_thread_stop(); }); });
}
} // namespace

TlsStream::TlsStream(const QSslConfiguration &configuration, const QString &peerName, QObject *parent)
    : TcpStream(new QSslSocket, false, parent)
    , m_peerName(peerName)
{
    freeThreadTlsStateOnExit();
    ssl()->setSslConfiguration(configuration);
    if (!peerName.isEmpty())
        ssl()->setPeerVerifyName(peerName);
    connect(ssl(), &QSslSocket::encrypted, this, &TlsStream::onEncrypted);
    connect(ssl(), &QSslSocket::sslErrors, this,
            [this](const QList<QSslError> &errors) { m_certificateErrors = errors; });
    connect(ssl(), &QSslSocket::alertReceived, this, [this](QSsl::AlertLevel, QSsl::AlertType, const QString &d) {
        m_alertSeen = true;
        m_alert = d;
    });
    connect(ssl(), &QSslSocket::alertSent, this, [this](QSsl::AlertLevel, QSsl::AlertType, const QString &d) {
        m_alertSeen = true;
        m_alert = d;
    });
}

TlsStream::TlsStream(QSslSocket *accepted, QObject *parent)
    : TcpStream(accepted, true, parent)
    , m_server(true)
{
    freeThreadTlsStateOnExit();
    connect(ssl(), &QSslSocket::encrypted, this, &TlsStream::onEncrypted);
    connect(ssl(), &QSslSocket::alertReceived, this, [this](QSsl::AlertLevel, QSsl::AlertType type, const QString &d) {
        m_alertSeen = true;
        m_alert = d;
        // The client's verdict on our certificate (RFC 8446 6.2).
        if (type == QSsl::AlertType::UnknownCa || type == QSsl::AlertType::BadCertificate ||
            type == QSsl::AlertType::CertificateUnknown)
            m_certificateErrors.append(QSslError(QSslError::CertificateUntrusted));
    });
    connect(ssl(), &QSslSocket::readyRead, this, [this] {
        if (m_sniffing)
            sniffFirstBytes();
    });
}

QSslSocket *TlsStream::ssl() const
{
    return static_cast<QSslSocket *>(socket());
}

void TlsStream::connectTo(const QString &host, quint16 port)
{
    m_hostPort = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                                 : QStringLiteral("%1:%2").arg(host).arg(port);
    if (m_peerName.isEmpty())
        ssl()->setPeerVerifyName(host);
    // TCP first, the handshake after: the two are separate phases on the timeline.
    TcpStream::connectTo(host, port);
}

bool TlsStream::isOpen() const
{
    return TcpStream::isOpen() && ssl()->isEncrypted();
}

qint64 TlsStream::bytesAvailable() const
{
    // Before the handshake is done nothing is application data (a server sniffs the first bytes).
    return ssl()->isEncrypted() ? TcpStream::bytesAvailable() : 0;
}

qint64 TlsStream::read(char *data, qint64 maxBytes)
{
    return ssl()->isEncrypted() ? TcpStream::read(data, maxBytes) : 0;
}

qint64 TlsStream::bytesQueued() const
{
    // Plain bytes not yet encrypted, and encrypted ones not yet in the kernel (about the same size).
    return TcpStream::bytesQueued() + ssl()->encryptedBytesToWrite();
}

void TlsStream::onTcpConnected()
{
    m_handshaking = true;
    emit tlsStarted();
    ssl()->startClientEncryption();
}

void TlsStream::startAccepted()
{
    // The client speaks first; its first byte says whether it speaks TLS at all.
    m_sniffing = true;
    sniffFirstBytes();
}

void TlsStream::sniffFirstBytes()
{
    char first = 0;
    if (ssl()->peek(&first, 1) != 1)
        return; // nothing yet: readyRead comes back here
    m_sniffing = false;
    if (first != kTlsHandshakeRecord) {
        m_failed = true;
        const TlsFailure f = plainRequestOnTlsPort(endpointText(ssl()->peerAddress(), ssl()->peerPort()));
        emit failed(f.sentence, f.kind);
        return;
    }
    m_handshaking = true;
    emit tlsStarted();
    // QSslSocket hands what its plain socket already holds (the ClientHello) to OpenSSL.
    ssl()->startServerEncryption();
}

void TlsStream::onEncrypted()
{
    m_handshaking = false;
    auto facts = std::make_shared<TlsFacts>();
    facts->protocol = protocolName(ssl()->sessionProtocol());
    facts->cipher = ssl()->sessionCipher().name();
    facts->alpn = QString::fromLatin1(ssl()->sslConfiguration().nextNegotiatedProtocol());
    const QSslCertificate peer = ssl()->peerCertificate();
    if (!peer.isNull()) {
        facts->peerSubject = nameText(peer, true);
        facts->peerIssuer = nameText(peer, false);
        facts->peerNotAfter = peer.expiryDate().toUTC();
        facts->peerSha256 = sha256Fingerprint(peer);
    }
    m_facts = std::move(facts);
    emit connected();
    // Application data that came with the last handshake flight.
    if (TcpStream::bytesAvailable() > 0)
        emit readyRead();
}

void TlsStream::onError()
{
    if (m_failed || isPollTimeout())
        return;
    const QAbstractSocket::SocketError error = socket()->error();
    const bool tlsError = error == QAbstractSocket::SslHandshakeFailedError ||
                          error == QAbstractSocket::SslInternalError ||
                          error == QAbstractSocket::SslInvalidUserDataError;
    if (!tlsError && !m_handshaking) {
        TcpStream::onError(); // before the handshake, or after it: a plain socket error
        return;
    }
    m_failed = true;
    m_handshaking = false;
    if (!tlsError && !m_server) {
        // A close or reset in the middle of the handshake is not a "plain HTTP" answer: a server
        // at its connection limit, or one that drops TLS clients, does this.
        const bool reset = closeWatchSaysReset();
        emit failed((reset ? tr("%1 reset the connection during the TLS handshake")
                           : tr("%1 closed the connection during the TLS handshake"))
                        .arg(m_hostPort),
                    reset ? ErrorKind::Reset : ErrorKind::TlsHandshake);
        return;
    }
    const TlsFailure f =
        m_server ? serverTlsFailure(endpointText(ssl()->peerAddress(), ssl()->peerPort()),
                                    !m_certificateErrors.isEmpty(), m_alert, socket()->errorString())
                 : clientTlsFailure(m_hostPort, m_certificateErrors, m_alertSeen, m_alert, socket()->errorString());
    emit failed(f.sentence, f.kind);
}

} // namespace expectlab
