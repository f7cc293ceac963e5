#include "clitls.h"

#include "cliutil.h"

#include <QCommandLineParser>

TlsOptions addTlsOptions(QCommandLineParser &parser)
{
    TlsOptions o{
        QCommandLineOption(QStringList{QStringLiteral("k"), QStringLiteral("insecure")},
                           t("https: accept any server certificate (as curl -k).")),
        QCommandLineOption(QStringLiteral("cacert"),
                           t("https: also trust the certificates in this PEM file (as curl --cacert)."),
                           QStringLiteral("FILE")),
    };
    parser.addOptions({o.insecure, o.caCert});
    return o;
}

std::optional<QString> readTlsOptions(const QCommandLineParser &parser, const TlsOptions &options,
                                      expectlab::ClientTlsSettings *settings)
{
    settings->insecure = parser.isSet(options.insecure);
    settings->caCertFile = parser.value(options.caCert);
    if (parser.isSet(options.caCert) && settings->caCertFile.isEmpty())
        return t("--cacert needs a file name");
    // An unreadable or empty --cacert is a usage error (exit 2) before any connection, not a
    // TLS failure of the exchange.
    QString error;
    if (!settings->configuration(&error))
        return error;
    return std::nullopt;
}
