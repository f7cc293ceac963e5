#include "clientprofiler.h"
#include "clilimits.h"
#include "cliutil.h"
#include "commands.h"
#include "exchangereport.h"
#include "localcertificate.h"
#include "monotonicclock.h"
#include "platformsignals.h"
#include "sessionfile.h"
#include "sessionrecorder.h"
#include "testserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

using namespace expectlab;

int runServe(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("cli", "Run the ExpectLab test server until SIGINT or SIGTERM."));
    parser.addHelpOption();
    const QCommandLineOption hostOpt(QStringLiteral("host"),
                                     QCoreApplication::translate("cli", "Address to bind (default 127.0.0.1)."),
                                     QStringLiteral("H"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QCoreApplication::translate("cli", "Port (default 0: any free port)."),
                                     QStringLiteral("P"), QStringLiteral("0"));
    const QCommandLineOption policyOpt(QStringLiteral("policy"),
                                       QCoreApplication::translate("cli", "One of %1 (default continue).")
                                           .arg(ServerPolicy::names().join(QStringLiteral(", "))),
                                       QStringLiteral("POLICY"), QStringLiteral("continue"));
    const QCommandLineOption eventsOpt(QStringLiteral("events"),
                                       QCoreApplication::translate("cli", "Print each server event as a JSON line."));
    parser.addOptions({hostOpt, portOpt, policyOpt, eventsOpt});
    const QCommandLineOption saveOpt(
        QStringLiteral("save"),
        QCoreApplication::translate("cli", "On stop, write the server's events and connections as a session file."),
        QStringLiteral("FILE"));
    parser.addOptions({saveOpt});
    const QCommandLineOption tlsOpt(
        QStringLiteral("tls"),
        QCoreApplication::translate("cli", "Serve HTTPS: with --cert and --key, or with a certificate made once for "
                                           "127.0.0.1, ::1 and localhost and kept in the data folder."));
    const QCommandLineOption certOpt(QStringLiteral("cert"),
                                     QCoreApplication::translate("cli", "--tls: the certificate (chain) PEM file."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption keyOpt(QStringLiteral("key"),
                                    QCoreApplication::translate("cli", "--tls: the private key PEM file of --cert."),
                                    QStringLiteral("FILE"));
    parser.addOptions({tlsOpt, certOpt, keyOpt});
    const LimitOptions limitOpts = addLimitOptions(parser);

    addPreciseTimingOption(parser);
    if (const auto done = parseSubcommand(parser, QStringLiteral("serve"), args))
        return *done;
    holdPreciseTimingIfAsked(parser);
    if (parser.isSet(saveOpt) && parser.value(saveOpt).isEmpty())
        return usageError(QCoreApplication::translate("cli", "--save needs a file name"));
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QCoreApplication::translate("cli", "unexpected argument '%1'").arg(parser.positionalArguments().first()));

    QString policyError;
    const auto policy = ServerPolicy::parse(parser.value(policyOpt), &policyError);
    if (!policy)
        return usageError(policyError);
    QHostAddress address;
    if (!address.setAddress(parser.value(hostOpt)))
        return usageError(
            QCoreApplication::translate("cli", "invalid host address '%1': give an IP address such as 127.0.0.1 or ::1")
                .arg(parser.value(hostOpt)));
    bool portOk = false;
    const uint port = parser.value(portOpt).toUInt(&portOk);
    if (!portOk || port > 65535)
        return usageError(
            QCoreApplication::translate("cli", "invalid port '%1': give 0 to 65535").arg(parser.value(portOpt)));

    ServerLimits limits;
    if (const auto error = readLimitOptions(parser, limitOpts, &limits))
        return usageError(*error);

    std::optional<ServerTlsIdentity> tls;
    if ((parser.isSet(certOpt) || parser.isSet(keyOpt)) && !parser.isSet(tlsOpt))
        return usageError(QCoreApplication::translate("cli", "--cert and --key need --tls"));
    if (parser.isSet(certOpt) != parser.isSet(keyOpt))
        return usageError(QCoreApplication::translate("cli", "--cert and --key go together"));
    if (parser.isSet(tlsOpt)) {
        QString tlsError;
        if (parser.isSet(certOpt)) {
            tls = ServerTlsIdentity::load(parser.value(certOpt), parser.value(keyOpt), &tlsError);
        } else if (const auto local = LocalCertificate::ensure(LocalCertificate::defaultFolder(), &tlsError)) {
            tls = local->identity;
            if (local->generated)
                printErr(QCoreApplication::translate("cli", "expectlab: made a certificate for 127.0.0.1, ::1 and "
                                                            "localhost: %1 (key %2)\n")
                             .arg(local->certFile, local->keyFile));
        }
        if (!tls) {
            printErr(QStringLiteral("expectlab: %1\n").arg(tlsError));
            return ExitNoFinalResponse;
        }
        // What a user needs to trust it: the file for curl --cacert and the fingerprint to compare.
        printErr(QCoreApplication::translate("cli", "expectlab: TLS certificate %1, SHA-256 %2; trust it with "
                                                    "curl --cacert %1\n")
                     .arg(tls->certFile, tls->sha256()));
    }

    // Watch for SIGINT/SIGTERM before the listening line goes out: a script may signal right after it.
    TerminationWatcher watcher;
    QObject::connect(&watcher, &TerminationWatcher::terminationRequested, qApp, [] { QCoreApplication::exit(0); });

    TestServer server;
    server.setPolicy(*policy);
    server.setLimits(limits);
    server.setTls(tls);
    if (!server.listen(address, quint16(port))) {
        printErr(QStringLiteral("expectlab: %1\n").arg(server.errorString()));
        return ExitNoFinalResponse;
    }
    if (!address.isLoopback())
        printErr(
            QCoreApplication::translate("cli", "expectlab: warning: listening on %1, reachable from other machines\n")
                .arg(address.toString()));
    printOut(QStringLiteral("listening %1\n").arg(server.url()));

    const qint64 originNs = monotonicNowNs();
    SessionRecorder recorder; // its session starts now, as originNs does
    if (parser.isSet(saveOpt))
        recorder.attachServer(&server);
    ClientProfiler profiler;
    if (parser.isSet(eventsOpt)) {
        QObject::connect(&server, &TestServer::eventRecorded, [originNs, &profiler](const TimelineEvent &e) {
            printOut(QString::fromUtf8(QJsonDocument(eventToJson(e, originNs, true)).toJson(QJsonDocument::Compact)) +
                     QLatin1Char('\n'));
            // How the client behaved, as `profile` events right after the event that settled it.
            for (const TimelineEvent &p : profiler.consume(e))
                printOut(
                    QString::fromUtf8(QJsonDocument(eventToJson(p, originNs, true)).toJson(QJsonDocument::Compact)) +
                    QLatin1Char('\n'));
        });
    }
    const int rc = QCoreApplication::exec();
    server.close();
    if (parser.isSet(saveOpt)) {
        if (const qint64 dropped = recorder.session().droppedServerEvents)
            printErr(QCoreApplication::translate("cli",
                                                 "expectlab: note: %1 server events not kept in %2 (more than %3 on "
                                                 "one connection)\n")
                         .arg(dropped)
                         .arg(parser.value(saveOpt))
                         .arg(SessionRecorder::kMaxEventsPerConnection));
        QString saveError;
        if (!saveSession(recorder.session(), parser.value(saveOpt), &saveError)) {
            printErr(QStringLiteral("expectlab: %1\n").arg(saveError));
            return ExitNoFinalResponse;
        }
    }
    return rc;
}
