#include "localcertificate.h"

#include "certificategenerator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("LocalCertificate", text);
}

bool writeFile(const QString &path, const QByteArray &bytes, QFileDevice::Permissions permissions, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.setPermissions(permissions) ||
        !f.commit()) {
        *error = tr("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

// Renewed a day before it expires, so that a server started now does not hand out an expired one.
bool expiresSoon(const ServerTlsIdentity &id)
{
    return id.chain.first().expiryDate() <= QDateTime::currentDateTimeUtc().addDays(1);
}
} // namespace

QString LocalCertificate::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/tls");
}

std::optional<LocalCertificate> LocalCertificate::ensure(const QString &folder, QString *error)
{
    LocalCertificate local;
    local.certFile = QDir(folder).filePath(QStringLiteral("localhost-cert.pem"));
    local.keyFile = QDir(folder).filePath(QStringLiteral("localhost-key.pem"));
    if (QFile::exists(local.certFile) && QFile::exists(local.keyFile)) {
        QString why;
        std::optional<ServerTlsIdentity> id = ServerTlsIdentity::load(local.certFile, local.keyFile, &why);
        if (!id) {
            *error = tr("the generated certificate in %1 is unusable (%2): delete %3 and %4 to have a new one made")
                         .arg(folder, why, local.certFile, local.keyFile);
            return std::nullopt;
        }
        if (!expiresSoon(*id)) {
            local.identity = std::move(*id);
            return local;
        }
    }
    if (!QDir().mkpath(folder)) {
        *error = tr("cannot create the folder %1 for the generated certificate").arg(folder);
        return std::nullopt;
    }
    const std::optional<GeneratedCertificate> made = generateCertificate(CertificateRequest(), error);
    if (!made)
        return std::nullopt;
    // The key first and readable by its owner only; the certificate is public.
    if (!writeFile(local.keyFile, made->privateKeyPem, QFileDevice::ReadOwner | QFileDevice::WriteOwner, error) ||
        !writeFile(local.certFile, made->certificatePem,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther,
                   error))
        return std::nullopt;
    std::optional<ServerTlsIdentity> id = ServerTlsIdentity::load(local.certFile, local.keyFile, error);
    if (!id)
        return std::nullopt;
    local.identity = std::move(*id);
    local.generated = true;
    return local;
}

} // namespace expectlab
