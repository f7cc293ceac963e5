#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

namespace expectlab {

// How our client trusts a TLS server (issue 15): the system store, plus certificates of its own
// (--cacert), or nothing at all (--insecure, -k).
struct ClientTlsSettings
{
    bool insecure = false;
    QString caCertFile; // PEM; empty: the system store only

    bool operator==(const ClientTlsSettings &) const = default;
    // The configuration for a connection to peerName (SNI), offering ALPN http/1.1; on a bad
    // --cacert file, error says why and nothing is returned.
    std::optional<QSslConfiguration> configuration(QString *error) const;
};

// What our TLS server presents: a certificate chain and its private key, read from PEM files.
struct ServerTlsIdentity
{
    QList<QSslCertificate> chain; // leaf first
    QSslKey key;
    QString certFile;

    bool isNull() const { return chain.isEmpty() || key.isNull(); }
    // Reads certFile and keyFile; a missing, unreadable or mismatched file gives a sentence.
    static std::optional<ServerTlsIdentity> load(const QString &certFile, const QString &keyFile, QString *error);
    QSslConfiguration configuration() const;
    // The leaf's SHA-256 fingerprint, as curl and browsers show it (AB:CD:...).
    QString sha256() const;
};

// The fingerprint format every view and JSON field uses.
QString sha256Fingerprint(const QSslCertificate &certificate);

} // namespace expectlab
