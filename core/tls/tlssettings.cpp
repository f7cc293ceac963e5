#include "tlssettings.h"

#include "certificategenerator.h"

#include <QCoreApplication>
#include <QFile>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("TlsSettings", text);
}

std::optional<QByteArray> readFile(const QString &path, const char *what, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = tr("cannot read the %1 file %2: %3").arg(QLatin1String(what), path, f.errorString());
        return std::nullopt;
    }
    // A PEM file of certificates or a key is small; a large one is not what the user meant.
    constexpr qint64 kMaxPemBytes = 4 << 20;
    if (f.size() > kMaxPemBytes) {
        *error = tr("the %1 file %2 is larger than 4 MiB: not a PEM file").arg(QLatin1String(what), path);
        return std::nullopt;
    }
    return f.readAll();
}
} // namespace

std::optional<QSslConfiguration> ClientTlsSettings::configuration(QString *error) const
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
    if (insecure)
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (!caCertFile.isEmpty()) {
        const std::optional<QByteArray> pem = readFile(caCertFile, "--cacert", error);
        if (!pem)
            return std::nullopt;
        const QList<QSslCertificate> extra = QSslCertificate::fromData(*pem, QSsl::Pem);
        if (extra.isEmpty()) {
            *error = tr("the --cacert file %1 holds no PEM certificate").arg(caCertFile);
            return std::nullopt;
        }
        c.addCaCertificates(extra);
    }
    return c;
}

std::optional<ServerTlsIdentity> ServerTlsIdentity::load(const QString &certFile, const QString &keyFile,
                                                         QString *error)
{
    const std::optional<QByteArray> certPem = readFile(certFile, "certificate", error);
    if (!certPem)
        return std::nullopt;
    const std::optional<QByteArray> keyPem = readFile(keyFile, "key", error);
    if (!keyPem)
        return std::nullopt;
    ServerTlsIdentity id;
    id.certFile = certFile;
    id.chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
    if (id.chain.isEmpty() || id.chain.first().isNull()) {
        *error = tr("the certificate file %1 holds no PEM certificate").arg(certFile);
        return std::nullopt;
    }
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        id.key = QSslKey(*keyPem, algorithm, QSsl::Pem);
        if (!id.key.isNull())
            break;
    }
    if (id.key.isNull()) {
        *error = tr("the key file %1 holds no unencrypted PEM private key").arg(keyFile);
        return std::nullopt;
    }
    if (!keyMatchesCertificate(*certPem, *keyPem)) {
        *error = tr("the key in %1 does not belong to the certificate in %2").arg(keyFile, certFile);
        return std::nullopt;
    }
    return id;
}

QSslConfiguration ServerTlsIdentity::configuration() const
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    // We ask clients for no certificate; ALPN: HTTP/1.1 is what this server speaks.
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    c.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
    return c;
}

QString ServerTlsIdentity::sha256() const
{
    return chain.isEmpty() ? QString() : sha256Fingerprint(chain.first());
}

QString sha256Fingerprint(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

} // namespace expectlab
