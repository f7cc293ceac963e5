#pragma once

#include "tlssettings.h"

#include <optional>

namespace expectlab {

// The certificate `serve --tls` and the workbench's TLS switch use when the user gives none: made
// once for 127.0.0.1, ::1 and localhost (certificategenerator.h), kept in the application's data
// folder, reused on later starts and made again when it is missing or expired (issue 15).
struct LocalCertificate
{
    ServerTlsIdentity identity;
    QString certFile;
    QString keyFile;
    bool generated = false; // made by this call (first start, or the old one had expired)

    // The default folder: <AppDataLocation>/tls.
    static QString defaultFolder();
    // Reuses or makes the pair in folder. A file that exists but is not a certificate (or its key)
    // is an error naming it, never replaced silently: the user may have put it there.
    static std::optional<LocalCertificate> ensure(const QString &folder, QString *error);
};

} // namespace expectlab
