#include "interopservers.h"

#include <QFile>

#include <unistd.h>

namespace testsupport {

namespace {
// A self-signed certificate for 127.0.0.1 and localhost, made the way a user would make one for a
// real server: with the openssl program, not with our generator, so our client meets a foreign one.
bool makeCertificate(const QString &dir, QString *cert, QString *key)
{
    *cert = dir + QStringLiteral("/server-cert.pem");
    *key = dir + QStringLiteral("/server-key.pem");
    const RunResult r =
        run(findProgram(QStringLiteral("openssl")),
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
             QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
             QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
             QStringLiteral("/CN=ExpectLab interop test"), QStringLiteral("-addext"),
             QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"), QStringLiteral("-keyout"), *key,
             QStringLiteral("-out"), *cert});
    if (!r.ok())
        qWarning("openssl req: %s", qPrintable(r.describe()));
    // Apache's children may run as www-data: the key must be readable to them in this temp dir.
    QFile::setPermissions(*key, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                    QFileDevice::ReadOther);
    return r.ok();
}
} // namespace

InteropServer startInteropServer(const QString &server, bool tls, Peer &peer, const QString &dir)
{
    // CGI scripts run as another user when the server starts as root: the temp dir must be readable.
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                   QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                   QFileDevice::ExeOther);
    const bool root = ::geteuid() == 0;
    if (server == QLatin1String("node") || server == QLatin1String("python")) {
        const QString program = server == QLatin1String("node") ? findProgram(QStringLiteral("node")) : pythonProgram();
        if (program.isEmpty())
            return {{}, server, {}};
        const QString script =
            sourceDir() + (server == QLatin1String("node") ? QStringLiteral("/tests/interop/node-server.js")
                                                           : QStringLiteral("/tests/interop/python-http11-server.py"));
        if (!peer.start(program, {script, QStringLiteral("0")}, dir))
            return {};
        const QString port = peer.waitForLine(QRegularExpression(QStringLiteral("^listening (\\d+)$")));
        if (port.isEmpty())
            return {};
        return {QStringLiteral("http://127.0.0.1:%1/upload").arg(port), {}, {}};
    }

    const QString program = findProgram(server == QLatin1String("apache2") ? QStringLiteral("apache2") : server);
    if (program.isEmpty())
        return {{}, server, {}};
    const quint16 port = freePort();
    QMap<QString, QString> vars{{QStringLiteral("PREFIX"), dir},
                                {QStringLiteral("PORT"), QString::number(port)},
                                {QStringLiteral("SSL"), QString()},
                                {QStringLiteral("TLS"), QString()}};
    InteropServer started{QStringLiteral("%1://127.0.0.1:%2/upload").arg(tls ? "https" : "http").arg(port), {}, {}};
    QString key;
    if (tls && !makeCertificate(dir, &started.caCert, &key))
        return {};
    QString config;
    QStringList args;
    if (server == QLatin1String("nginx")) {
        if (tls) {
            vars.insert(QStringLiteral("SSL"), QStringLiteral(" ssl"));
            vars.insert(QStringLiteral("TLS"),
                        QStringLiteral("ssl_certificate %1; ssl_certificate_key %2;").arg(started.caCert, key));
        }
        if (!writeConfig(QStringLiteral("nginx.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-p"), dir,
                QStringLiteral("-c"), config,
                QStringLiteral("-e"), dir + QStringLiteral("/error.log")};
    } else if (server == QLatin1String("apache2")) {
        // Apache refuses to serve as root: its children run as www-data then.
        vars.insert(QStringLiteral("USER"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getuid()));
        vars.insert(QStringLiteral("GROUP"), root ? QStringLiteral("www-data") : QStringLiteral("#%1").arg(::getgid()));
        if (tls)
            vars.insert(QStringLiteral("TLS"),
                        QStringLiteral("LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
                                       "SSLEngine on\nSSLCertificateFile \"%1\"\nSSLCertificateKeyFile \"%2\"\n")
                            .arg(started.caCert, key));
        if (!writeConfig(QStringLiteral("apache2.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-f"), config, QStringLiteral("-DFOREGROUND")};
    } else {
        vars.insert(QStringLiteral("USERNAME"), QString());
        if (!writeConfig(QStringLiteral("lighttpd.conf"), dir, vars, &config))
            return {};
        args = {QStringLiteral("-D"), QStringLiteral("-f"), config};
    }
    if (server != QLatin1String("nginx")) {
        const QString cgi = dir + QStringLiteral("/upload.cgi");
        if (!QFile::copy(sourceDir() + QStringLiteral("/tests/interop/upload.cgi"), cgi))
            return {};
        QFile::setPermissions(cgi, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                       QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                       QFileDevice::ExeOther);
    }
    if (!peer.start(program, args, dir))
        return {};
    return started;
}

} // namespace testsupport
