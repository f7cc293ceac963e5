#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace expectlab {

// A self-signed certificate for our test server (issue 15). Qt cannot create certificates, so this
// one file uses OpenSSL's library (libcrypto): an EC P-256 key and an X.509 v3 certificate with the
// names as subjectAltName entries, which is what curl, Python, .NET, Go and Java check.
struct CertificateRequest
{
    QString commonName = QStringLiteral("ExpectLab local test server");
    QStringList dnsNames{QStringLiteral("localhost")};
    QStringList ipAddresses{QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    QDateTime notBefore; // invalid: now, less a minute for clock skew
    QDateTime notAfter;  // invalid: notBefore + kDefaultValidDays
    static constexpr int kDefaultValidDays = 825;
};

struct GeneratedCertificate
{
    QByteArray certificatePem;
    QByteArray privateKeyPem; // unencrypted PKCS#8
};

// nullopt with *error set when OpenSSL refuses (it should not).
std::optional<GeneratedCertificate> generateCertificate(const CertificateRequest &request, QString *error);

// Whether the PEM private key belongs to the PEM certificate's public key.
bool keyMatchesCertificate(const QByteArray &certificatePem, const QByteArray &privateKeyPem);

} // namespace expectlab
