#include "clientprofiler.h"
#include "cliutil.h"
#include "commands.h"
#include "exchangereport.h"
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
    const QCommandLineOption policyOpt(
        QStringLiteral("policy"),
        QCoreApplication::translate("cli", "continue, delay:MS, ignore, reject, final:CODE or close (default continue)."),
        QStringLiteral("POLICY"), QStringLiteral("continue"));
    const QCommandLineOption eventsOpt(QStringLiteral("events"),
                                       QCoreApplication::translate("cli", "Print each server event as a JSON line."));
    parser.addOptions({hostOpt, portOpt, policyOpt, eventsOpt});
    const QCommandLineOption saveOpt(
        QStringLiteral("save"),
        QCoreApplication::translate("cli", "On stop, write the server's events and connections as a session file."),
        QStringLiteral("FILE"));
    parser.addOptions({saveOpt});

    if (!parser.parse(QStringList{QStringLiteral("expectlab serve")} + args))
        return usageError(parser.errorText(), QStringLiteral("Try 'expectlab serve --help'."));
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText());
        return ExitOk;
    }
    if (parser.isSet(saveOpt) && parser.value(saveOpt).isEmpty())
        return usageError(QCoreApplication::translate("cli", "--save needs a file name"));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QCoreApplication::translate("cli", "unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));

    QString policyError;
    const auto policy = ServerPolicy::parse(parser.value(policyOpt), &policyError);
    if (!policy)
        return usageError(policyError);
    QHostAddress address;
    if (!address.setAddress(parser.value(hostOpt)))
        return usageError(QCoreApplication::translate("cli", "invalid host address '%1': give an IP address such as 127.0.0.1 or ::1")
                              .arg(parser.value(hostOpt)));
    bool portOk = false;
    const uint port = parser.value(portOpt).toUInt(&portOk);
    if (!portOk || port > 65535)
        return usageError(QCoreApplication::translate("cli", "invalid port '%1': give 0 to 65535").arg(parser.value(portOpt)));

    TestServer server;
    server.setPolicy(*policy);
    if (!server.listen(address, quint16(port))) {
        printErr(QStringLiteral("expectlab: %1\n").arg(server.errorString()));
        return ExitNoFinalResponse;
    }
    if (!address.isLoopback())
        printErr(QCoreApplication::translate("cli", "expectlab: warning: listening on %1, reachable from other machines\n")
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
                printOut(QString::fromUtf8(QJsonDocument(eventToJson(p, originNs, true)).toJson(QJsonDocument::Compact)) +
                         QLatin1Char('\n'));
        });
    }
    TerminationWatcher watcher;
    QObject::connect(&watcher, &TerminationWatcher::terminationRequested, qApp, [] { QCoreApplication::exit(0); });
    const int rc = QCoreApplication::exec();
    server.close();
    if (parser.isSet(saveOpt)) {
        QString saveError;
        if (!saveSession(recorder.session(), parser.value(saveOpt), &saveError)) {
            printErr(QStringLiteral("expectlab: %1\n").arg(saveError));
            return ExitNoFinalResponse;
        }
    }
    return rc;
}
