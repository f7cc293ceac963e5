#include "clitls.h"
#include "cliutil.h"
#include "commands.h"
#include "platformsignals.h"
#include "probebattery.h"
#include "probereport.h"
#include "proberunner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

using namespace expectlab;

int runProbe(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        t("Probe a server's Expect: 100-continue and 417 handling, scenario by scenario, with rule ids."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"), t("http:// URL of the server to probe."));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), t("Print one JSON document (docs/probe-json.md)."));
    const QCommandLineOption junitOpt(QStringLiteral("junit"), t("Also write a JUnit XML report to FILE."),
                                      QStringLiteral("FILE"));
    const QCommandLineOption timeoutOpt(
        QStringLiteral("timeout"),
        t("Bound each wait of each scenario to MS (default %1).").arg(probe::kDefaultTimeoutMs), QStringLiteral("MS"),
        QString::number(probe::kDefaultTimeoutMs));
    const QCommandLineOption scenarioOpt(QStringLiteral("scenario"),
                                         t("Run only scenario ID (repeatable; default: the whole battery)."),
                                         QStringLiteral("ID"));
    parser.addOptions({jsonOpt, junitOpt, timeoutOpt, scenarioOpt});
    const TlsOptions tlsOptions = addTlsOptions(parser);

    addPreciseTimingOption(parser);
    const QString hint = helpHint(QStringLiteral("probe"));
    if (const auto done = parseSubcommand(parser, QStringLiteral("probe"), args))
        return *done;
    holdPreciseTimingIfAsked(parser);
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(t("missing URL"), hint);
    if (positional.size() > 1)
        return usageError(t("unexpected argument '%1'").arg(positional.at(1)), hint);
    const QUrl url(positional.first(), QUrl::StrictMode);
    const QString urlError = probe::validateUrl(url);
    if (!urlError.isEmpty())
        return usageError(urlError, hint);
    int timeoutMs = 0;
    if (!parseInt(parser.value(timeoutOpt), &timeoutMs, 1))
        return usageError(
            t("invalid --timeout '%1': expected a positive number of milliseconds").arg(parser.value(timeoutOpt)),
            hint);
    if (parser.isSet(junitOpt) && parser.value(junitOpt).isEmpty())
        return usageError(t("--junit needs a file name"), hint);
    // Refuse an unwritable report place before a run of several seconds, not after it.
    if (parser.isSet(junitOpt)) {
        const QFileInfo dir(QFileInfo(parser.value(junitOpt)).absolutePath());
        if (!dir.isDir() || !dir.isWritable())
            return usageError(
                t("cannot write '%1': no writable directory %2").arg(parser.value(junitOpt), dir.filePath()), hint);
    }

    ClientTlsSettings tls;
    if (const std::optional<QString> bad = readTlsOptions(parser, tlsOptions, &tls))
        return usageError(*bad, hint);

    ProbeRunner runner(url, timeoutMs);
    runner.setTls(tls);
    if (parser.isSet(scenarioOpt)) {
        const QList<ProbeScenario> all = probe::battery(probe::targetFromUrl(url, timeoutMs));
        QList<ProbeScenario> chosen;
        for (const QString &id : parser.values(scenarioOpt)) {
            const auto it = std::find_if(all.begin(), all.end(), [&id](const ProbeScenario &s) { return s.id == id; });
            if (it == all.end()) {
                QStringList ids;
                for (const ProbeScenario &s : all)
                    ids << s.id;
                return usageError(t("unknown scenario '%1': use one of %2").arg(id, ids.join(QStringLiteral(", "))),
                                  hint);
            }
            chosen.append(*it);
        }
        runner.setScenarios(chosen);
    }
    const bool json = parser.isSet(jsonOpt);
    if (!json) {
        QObject::connect(&runner, &ProbeRunner::scenarioStarted, [](int index, int count, const QString &id) {
            printErr(t("[%1/%2] %3\n").arg(index + 1).arg(count).arg(id));
        });
    }
    TerminationWatcher watcher;
    QObject::connect(&watcher, &TerminationWatcher::terminationRequested, &runner, &ProbeRunner::cancel);
    QObject::connect(&runner, &ProbeRunner::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    runner.start();
    QCoreApplication::exec();

    const ProbeReport &report = runner.report();
    if (json)
        printOut(QString::fromUtf8(QJsonDocument(probeReportToJson(report)).toJson(QJsonDocument::Indented)));
    else if (report.error.isEmpty())
        printOut(probeReportToText(report));
    if (parser.isSet(junitOpt)) {
        QSaveFile file(parser.value(junitOpt));
        if (!file.open(QIODevice::WriteOnly) || file.write(probeReportToJUnit(report)) < 0 || !file.commit()) {
            printErr(QStringLiteral("expectlab: %1\n")
                         .arg(t("cannot write '%1': %2").arg(parser.value(junitOpt), file.errorString())));
            return ExitUsage;
        }
    }
    if (!report.error.isEmpty()) {
        printErr(QStringLiteral("expectlab: %1\n").arg(report.error));
        return ExitNoFinalResponse;
    }
    return report.hasFailure() ? ExitNoFinalResponse : ExitOk;
}
