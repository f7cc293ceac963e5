#include "clientprofiler.h"
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
    const ServerLimits defaults;
    const QCommandLineOption maxHeadOpt(
        QStringLiteral("max-head"),
        QCoreApplication::translate("cli", "Largest request head in bytes; larger gets 431 (default %1; 0: none).")
            .arg(defaults.maxHeadBytes),
        QStringLiteral("BYTES"), QString::number(defaults.maxHeadBytes));
    const QCommandLineOption maxBodyOpt(
        QStringLiteral("max-body"),
        QCoreApplication::translate("cli",
                                    "Largest request body (K, M, G suffixes); larger gets 413 (default 0: none)."),
        QStringLiteral("BYTES"), QStringLiteral("0"));
    const QCommandLineOption headTimeoutOpt(
        QStringLiteral("head-timeout"),
        QCoreApplication::translate("cli", "A head not complete in MS gets 408 and a close (default %1; 0: none).")
            .arg(defaults.headTimeoutMs),
        QStringLiteral("MS"), QString::number(defaults.headTimeoutMs));
    const QCommandLineOption bodyTimeoutOpt(
        QStringLiteral("body-timeout"),
        QCoreApplication::translate("cli",
                                    "A body that stops arriving for MS gets 408 and a close (default %1; 0: never).")
            .arg(defaults.bodyTimeoutMs),
        QStringLiteral("MS"), QString::number(defaults.bodyTimeoutMs));
    const QCommandLineOption idleTimeoutOpt(
        QStringLiteral("idle-timeout"),
        QCoreApplication::translate("cli", "Close idle keep-alive connections after MS (default %1; 0: never).")
            .arg(defaults.idleTimeoutMs),
        QStringLiteral("MS"), QString::number(defaults.idleTimeoutMs));
    const QCommandLineOption sendTimeoutOpt(
        QStringLiteral("send-timeout"),
        QCoreApplication::translate("cli",
                                    "Close a client that reads none of our output for MS (default %1; 0: never).")
            .arg(defaults.sendTimeoutMs),
        QStringLiteral("MS"), QString::number(defaults.sendTimeoutMs));
    const QCommandLineOption maxConnectionsOpt(
        QStringLiteral("max-connections"),
        QCoreApplication::translate("cli",
                                    "Open connections at most; more are closed at once (default %1; 0: no limit).")
            .arg(defaults.maxConnections),
        QStringLiteral("N"), QString::number(defaults.maxConnections));
    parser.addOptions(
        {maxHeadOpt, maxBodyOpt, headTimeoutOpt, bodyTimeoutOpt, idleTimeoutOpt, sendTimeoutOpt, maxConnectionsOpt});

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
    qint64 number = 0;
    if (!parseByteSize(parser.value(maxHeadOpt), &number))
        return usageError(QCoreApplication::translate("cli", "invalid --max-head '%1'").arg(parser.value(maxHeadOpt)));
    limits.maxHeadBytes = number;
    if (!parseByteSize(parser.value(maxBodyOpt), &number))
        return usageError(QCoreApplication::translate("cli", "invalid --max-body '%1'").arg(parser.value(maxBodyOpt)));
    limits.maxBodyBytes = number;
    const auto parseCount = [&parser](const QCommandLineOption &opt, int *out) {
        return parseInt(parser.value(opt), out);
    };
    if (!parseCount(headTimeoutOpt, &limits.headTimeoutMs))
        return usageError(
            QCoreApplication::translate("cli", "invalid --head-timeout '%1'").arg(parser.value(headTimeoutOpt)));
    if (!parseCount(bodyTimeoutOpt, &limits.bodyTimeoutMs))
        return usageError(
            QCoreApplication::translate("cli", "invalid --body-timeout '%1'").arg(parser.value(bodyTimeoutOpt)));
    if (!parseCount(sendTimeoutOpt, &limits.sendTimeoutMs))
        return usageError(
            QCoreApplication::translate("cli", "invalid --send-timeout '%1'").arg(parser.value(sendTimeoutOpt)));
    if (!parseCount(idleTimeoutOpt, &limits.idleTimeoutMs))
        return usageError(
            QCoreApplication::translate("cli", "invalid --idle-timeout '%1'").arg(parser.value(idleTimeoutOpt)));
    if (!parseCount(maxConnectionsOpt, &limits.maxConnections))
        return usageError(
            QCoreApplication::translate("cli", "invalid --max-connections '%1'").arg(parser.value(maxConnectionsOpt)));

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
