#include "certificategenerator.h"

#include <QCoreApplication>
#include <QHostAddress>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CertificateGenerator", text);
}

// Owners for OpenSSL's objects, so that every early return frees what it made.
template <auto Free> struct Deleter
{
    template <typename T> void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, int(size));
}

bool setTime(ASN1_TIME *field, const QDateTime &when)
{
    return ASN1_TIME_set(field, time_t(when.toSecsSinceEpoch())) != nullptr;
}

bool addExtension(X509 *cert, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Bio memoryBio(const QByteArray &bytes)
{
    return Bio(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}
} // namespace

std::optional<GeneratedCertificate> generateCertificate(const CertificateRequest &request, QString *error)
{
    auto fail = [error](const QString &what) {
        *error = tr("could not create the certificate: %1").arg(what);
        return std::nullopt;
    };
    Key key(EVP_EC_gen("P-256"));
    if (!key)
        return fail(tr("no EC P-256 key"));
    Cert cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return fail(tr("no X.509 v3 structure"));
    // A random 64-bit positive serial: two certificates made here never share issuer and serial.
    unsigned char serial[8];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return fail(tr("no random serial number"));
    serial[0] &= 0x7f;
    std::unique_ptr<BIGNUM, Deleter<BN_free>> bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
        return fail(tr("no serial number"));

    const QDateTime notBefore =
        request.notBefore.isValid() ? request.notBefore : QDateTime::currentDateTimeUtc().addSecs(-60);
    const QDateTime notAfter =
        request.notAfter.isValid() ? request.notAfter : notBefore.addDays(CertificateRequest::kDefaultValidDays);
    if (!setTime(X509_getm_notBefore(cert.get()), notBefore) || !setTime(X509_getm_notAfter(cert.get()), notAfter))
        return fail(tr("invalid validity dates"));

    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = request.commonName.toUtf8();
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(cn.constData()),
                                   -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1)
        return fail(tr("no subject"));

    QStringList alt;
    for (const QString &dns : request.dnsNames)
        alt << QStringLiteral("DNS:") + dns;
    for (const QString &ip : request.ipAddresses) {
        if (QHostAddress(ip).isNull())
            return fail(tr("'%1' is not an IP address").arg(ip));
        alt << QStringLiteral("IP:") + ip;
    }
    // As `openssl req -x509` makes them: its own CA (so that --cacert FILE trusts it as it is),
    // for server authentication, with the names clients check.
    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !addExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !addExtension(cert.get(), NID_subject_key_identifier, "hash") ||
        !addExtension(cert.get(), NID_authority_key_identifier, "keyid:always") ||
        (!alt.isEmpty() && !addExtension(cert.get(), NID_subject_alt_name, alt.join(QLatin1Char(',')).toLatin1())))
        return fail(tr("invalid extensions"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return fail(tr("signing failed"));

    Bio certBio(BIO_new(BIO_s_mem()));
    Bio keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return fail(tr("cannot write PEM"));
    return GeneratedCertificate{bioBytes(certBio.get()), bioBytes(keyBio.get())};
}

bool keyMatchesCertificate(const QByteArray &certificatePem, const QByteArray &privateKeyPem)
{
    Bio certBio = memoryBio(certificatePem);
    Bio keyBio = memoryBio(privateKeyPem);
    if (!certBio || !keyBio)
        return false;
    Cert cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    Key key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
}

} // namespace expectlab
