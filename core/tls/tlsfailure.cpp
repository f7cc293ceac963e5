#include "tlsfailure.h"

#include <QCoreApplication>
#include <QSslCertificate>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("TlsFailure", text);
}

QString dateOf(const QDateTime &when)
{
    return when.toUTC().toString(Qt::ISODate);
}

const QSslError *firstOf(const QList<QSslError> &errors, std::initializer_list<QSslError::SslError> kinds)
{
    for (const QSslError &e : errors) {
        if (std::find(kinds.begin(), kinds.end(), e.error()) != kinds.end())
            return &e;
    }
    return nullptr;
}

QString namesOf(const QSslCertificate &c)
{
    QStringList names;
    const auto alt = c.subjectAlternativeNames();
    for (auto it = alt.cbegin(); it != alt.cend(); ++it)
        names << it.value();
    if (names.isEmpty())
        names = c.subjectInfo(QSslCertificate::CommonName);
    return names.isEmpty() ? tr("no name") : names.join(QStringLiteral(", "));
}
} // namespace

TlsFailure clientTlsFailure(const QString &hostPort, const QList<QSslError> &errors, bool alertSeen,
                            const QString &alert, const QString &socketError)
{
    using E = QSslError::SslError;
    // The most specific cause first: a date or a name the user can fix, then trust.
    if (const QSslError *e = firstOf(errors, {E::CertificateNotYetValid}))
        return {ErrorKind::TlsNotYetValid,
                tr("the certificate of %1 is not valid before %2: check the clocks, or pass --insecure (-k) to "
                   "accept it")
                    .arg(hostPort, dateOf(e->certificate().effectiveDate()))};
    if (const QSslError *e = firstOf(errors, {E::CertificateExpired}))
        return {ErrorKind::TlsExpired,
                tr("the certificate of %1 expired on %2: renew it, or pass --insecure (-k) to accept it")
                    .arg(hostPort, dateOf(e->certificate().expiryDate()))};
    if (const QSslError *e = firstOf(errors, {E::HostNameMismatch}))
        return {ErrorKind::TlsNameMismatch,
                tr("the certificate of %1 is for %2, not this host name: connect by one of those names, or pass "
                   "--insecure (-k)")
                    .arg(hostPort, namesOf(e->certificate()))};
    if (!errors.isEmpty()) {
        const QSslCertificate c = errors.first().certificate();
        const QString issuer = c.isNull() ? QString() : c.issuerDisplayName();
        return {ErrorKind::TlsUntrusted,
                tr("the certificate of %1 (issued by %2) is not trusted (%3): pass --cacert FILE with the "
                   "certificate that issued it, or --insecure (-k)")
                    .arg(hostPort, issuer.isEmpty() ? tr("an unknown issuer") : issuer, errors.first().errorString())};
    }
    if (!alertSeen)
        // OpenSSL sends no alert when the answer is no TLS record at all: a plain HTTP server's 400.
        return {ErrorKind::TlsPeerNotTls,
                tr("%1 did not answer the TLS handshake: it speaks plain HTTP on this port, most likely (use "
                   "http://)")
                    .arg(hostPort)};
    return {ErrorKind::TlsHandshake,
            tr("the TLS handshake with %1 failed: %2").arg(hostPort, alert.isEmpty() ? socketError : alert)};
}

TlsFailure serverTlsFailure(const QString &peer, bool certificateRefused, const QString &alert,
                            const QString &socketError)
{
    if (certificateRefused)
        return {ErrorKind::TlsUntrusted,
                tr("the client at %1 does not trust our certificate (alert: %2): give it the certificate file, as "
                   "in curl --cacert FILE, or have it skip verification (curl -k)")
                    .arg(peer, alert)};
    return {ErrorKind::TlsHandshake,
            tr("the TLS handshake with the client at %1 failed: %2").arg(peer, alert.isEmpty() ? socketError : alert)};
}

TlsFailure plainRequestOnTlsPort(const QString &peer)
{
    return {ErrorKind::TlsPlainRequest,
            tr("the client at %1 sent plain HTTP to this HTTPS port: it should use https://").arg(peer)};
}

} // namespace expectlab
