#include "testidentity.h"

#include "certificategenerator.h"

namespace testsupport {

std::optional<TestIdentity> makeTestIdentity()
{
    QString error;
    const auto made = expectlab::generateCertificate(expectlab::CertificateRequest(), &error);
    if (!made) {
        qWarning("cannot generate a test certificate: %s", qPrintable(error));
        return std::nullopt;
    }
    TestIdentity out;
    out.certPem = made->certificatePem;
    out.identity.chain = QSslCertificate::fromData(made->certificatePem, QSsl::Pem);
    out.identity.key = QSslKey(made->privateKeyPem, QSsl::Ec, QSsl::Pem);
    if (out.identity.isNull())
        return std::nullopt;
    return out;
}

} // namespace testsupport
