#include "clitls.h"
#include "cliutil.h"
#include "commands.h"
#include "localcertificate.h"
#include "matrixrunner.h"
#include "platformsignals.h"
#include "sessionfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

using namespace expectlab;

namespace {
const QString kDefaultClients = QStringLiteral("expect,expect:no-retry,no-expect");
const QString kDefaultPolicies = QStringLiteral("continue,reject,final:413");
const QString kDefaultSizes = QStringLiteral("1K,1M");
} // namespace

int runMatrix(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        t("Run every combination of client behaviours, server policies and body sizes against the local test\n"
          "server (or the client behaviours against --url) and report each cell's outcome, Expect wait, body\n"
          "bytes sent and the bandwidth saved compared with no Expect.\n"
          "\n"
          "Client behaviours: no-expect | expect[:MS][:no-retry]\n"
          "  expect            Expect: 100-continue, wait up to 1000 ms for a 100, retry without Expect after 417\n"
          "  expect:200        the same with a 200 ms wait; expect:0 sends the body without waiting\n"
          "  expect:no-retry   give up after a 417\n"
          "  no-expect         the body follows the head at once\n"
          "Server policies:\n"
          "  %1.\n"
          "Misbehaviours for testing clients:\n"
          "  %2.\n"
          "Sizes: byte counts with optional K, M, G suffixes (binary units).\n"
          "Lists are comma-separated. The JSON shape is documented in docs/matrix-json.md.\n"
          "\n"
          "Exit codes: 0 every cell ran (whatever its outcome); 1 interrupted, the local server could not\n"
          "start (or its --tls certificate could not be made) or --save failed; 2 usage error.")
            .arg(wrapList(ServerPolicy::names(false), 2), wrapList(ServerPolicy::names(true), 2)));
    parser.addHelpOption();
    const QCommandLineOption clientsOpt(QStringLiteral("clients"),
                                        t("Client behaviours (default %1).").arg(kDefaultClients),
                                        QStringLiteral("LIST"), kDefaultClients);
    const QCommandLineOption policiesOpt(QStringLiteral("policies"),
                                         t("Server policies (default %1; not with --url).").arg(kDefaultPolicies),
                                         QStringLiteral("LIST"), kDefaultPolicies);
    const QCommandLineOption sizesOpt(QStringLiteral("sizes"), t("Body sizes (default %1).").arg(kDefaultSizes),
                                      QStringLiteral("LIST"), kDefaultSizes);
    const QCommandLineOption urlOpt(
        QStringLiteral("url"),
        t("Run the client behaviours against this http:// or https:// URL instead of the local server."),
        QStringLiteral("URL"));
    const QCommandLineOption methodOpt(QStringList{QStringLiteral("X"), QStringLiteral("request")},
                                       t("Method (default POST)."), QStringLiteral("METHOD"), QStringLiteral("POST"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), t("Bound each exchange to MS (default 10000)."),
                                        QStringLiteral("MS"), QStringLiteral("10000"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), t("Print one JSON document (docs/matrix-json.md)."));
    const QCommandLineOption saveOpt(QStringLiteral("save"),
                                     t("Also write every cell's exchange and server events as a session file."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption tlsOpt(QStringLiteral("tls"),
                                    t("Run the local server over HTTPS with the generated certificate (expectlab serve "
                                      "--tls's); not with --url."));
    parser.addOptions({clientsOpt, policiesOpt, sizesOpt, urlOpt, methodOpt, timeoutOpt, jsonOpt, saveOpt, tlsOpt});
    const TlsOptions tlsOptions = addTlsOptions(parser);

    addPreciseTimingOption(parser);
    const QString hint = helpHint(QStringLiteral("matrix"));
    if (const auto done = parseSubcommand(parser, QStringLiteral("matrix"), args))
        return *done;
    holdPreciseTimingIfAsked(parser);
    if (!parser.positionalArguments().isEmpty())
        return usageError(t("unexpected argument '%1'").arg(parser.positionalArguments().first()), hint);

    MatrixSpec spec;
    QString error;
    const auto clients = MatrixSpec::parseClients(parser.value(clientsOpt), &error);
    if (!clients)
        return usageError(t("invalid --clients: %1").arg(error), hint);
    spec.clients = *clients;
    if (parser.isSet(urlOpt)) {
        if (parser.isSet(policiesOpt))
            return usageError(t("--policies and --url exclude each other: an external server has its own policy"),
                              hint);
        spec.url = QUrl(parser.value(urlOpt), QUrl::StrictMode);
    } else {
        const auto policies = MatrixSpec::parsePolicies(parser.value(policiesOpt), &error);
        if (!policies)
            return usageError(t("invalid --policies: %1").arg(error), hint);
        spec.policies = *policies;
    }
    for (const QString &item : parser.value(sizesOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        qint64 size = 0;
        if (!parseByteSize(item, &size))
            return usageError(
                t("invalid size '%1' in --sizes: expected a byte count such as 1024, 64K or 1M").arg(item), hint);
        spec.sizes.append(size);
    }
    spec.method = parser.value(methodOpt).toLatin1();
    if (!parseInt(parser.value(timeoutOpt), &spec.timeoutMs, 1))
        return usageError(
            t("invalid --timeout '%1': expected a positive number of milliseconds").arg(parser.value(timeoutOpt)),
            hint);
    if (parser.isSet(saveOpt) && parser.value(saveOpt).isEmpty())
        return usageError(t("--save needs a file name"), hint);
    if (const std::optional<QString> bad = readTlsOptions(parser, tlsOptions, &spec.tls))
        return usageError(*bad, hint);
    if (parser.isSet(tlsOpt)) {
        if (parser.isSet(urlOpt))
            return usageError(t("--tls and --url exclude each other: an https:// --url is TLS already"), hint);
        QString tlsError;
        const auto local = LocalCertificate::ensure(LocalCertificate::defaultFolder(), &tlsError);
        if (!local) {
            printErr(QStringLiteral("expectlab: %1\n").arg(tlsError));
            return ExitNoFinalResponse;
        }
        spec.localTls = local->identity;
    }
    const QString invalid = spec.validate();
    if (!invalid.isEmpty())
        return usageError(invalid, hint);

    const bool json = parser.isSet(jsonOpt);
    MatrixRunner runner;
    if (!json) {
        QObject::connect(&runner, &MatrixRunner::cellFinished, [&spec](const MatrixCell &cell) {
            printErr(
                QStringLiteral("[%1/%2] %3 %4 %5: %6\n")
                    .arg(cell.clientIndex * spec.policyCount() * spec.sizes.size() +
                         cell.policyIndex * spec.sizes.size() + cell.sizeIndex + 1)
                    .arg(spec.cellCount())
                    .arg(cell.client.toString(), cell.policy ? cell.policy->toString() : QStringLiteral("external"))
                    .arg(cell.size)
                    .arg(cell.outcome()));
        });
    }
    QObject::connect(&runner, &MatrixRunner::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    TerminationWatcher watcher;
    QObject::connect(&watcher, &TerminationWatcher::terminationRequested, &runner, &MatrixRunner::cancel);
    QString startError; // the local server's listen is answered after start()
    QObject::connect(&runner, &MatrixRunner::startFailed, qApp, [&startError](const QString &message) {
        startError = message;
        QCoreApplication::quit();
    });
    if (!runner.start(spec, &error)) {
        printErr(QStringLiteral("expectlab: %1\n").arg(error));
        return ExitNoFinalResponse;
    }
    QCoreApplication::exec();
    if (!startError.isEmpty()) {
        printErr(QStringLiteral("expectlab: %1\n").arg(startError));
        return ExitNoFinalResponse;
    }

    const MatrixResult &result = runner.result();
    if (json)
        printOut(QString::fromUtf8(QJsonDocument(matrixResultToJson(result)).toJson(QJsonDocument::Indented)));
    else
        printOut(matrixResultToText(result));

    int rc = result.cancelled ? ExitNoFinalResponse : ExitOk;
    if (parser.isSet(saveOpt)) {
        Session session = Session::startingNow();
        session.note = QStringLiteral("expectlab matrix %1").arg(args.join(QLatin1Char(' ')));
        session.serverPolicy = spec.isExternal() ? QString() : QStringLiteral("matrix");
        session.matrix = result; // the workbench opens it with its Matrix tab filled in
        qint64 earliest = session.originNs;
        for (const MatrixCell &cell : result.cells) {
            session.exchanges.append(cell.summary);
            session.serverEvents.append(cell.serverEvents);
            earliest = qMin(earliest, cell.summary.startNs);
        }
        // The origin is now; step it back to the first cell so that wall times come out right.
        session.originUtc = session.originUtc.addMSecs(-(session.originNs - earliest) / 1'000'000);
        session.originNs = earliest;
        if (!saveSession(session, parser.value(saveOpt), &error)) {
            printErr(QStringLiteral("expectlab: %1\n").arg(error));
            rc = ExitNoFinalResponse;
        }
    }
    return rc;
}
