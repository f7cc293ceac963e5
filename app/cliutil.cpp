#include "cliutil.h"

#include "platformlatency.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

QString t(const char *text)
{
    return QCoreApplication::translate("cli", text);
}

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

int usageError(const QString &message, const QString &hint)
{
    printErr(QStringLiteral("expectlab: %1\n").arg(message));
    if (!hint.isEmpty())
        printErr(hint + QLatin1Char('\n'));
    return ExitUsage;
}

namespace {
const char kPreciseTiming[] = "precise-timing";
}

void addPreciseTimingOption(QCommandLineParser &parser)
{
    parser.addOption(QCommandLineOption(
        QString::fromLatin1(kPreciseTiming),
        t("Keep CPUs out of deep idle states while running, so that recorded times stay within a "
          "fraction of a millisecond of the wire (Linux: /dev/cpu_dma_latency, needs root; costs power).")));
}

void holdPreciseTimingIfAsked(const QCommandLineParser &parser)
{
    if (!parser.isSet(QString::fromLatin1(kPreciseTiming)))
        return;
    // Held for the life of the process: the system drops the request when the process exits.
    static expectlab::platform::PreciseTiming holder;
    // Each half helps on its own, so each is tried and each refusal is said. This (main) thread runs
    // the event loop that takes the timestamps; threads started later inherit its priority.
    QString error;
    if (!holder.acquire(&error))
        printErr(t("expectlab: warning: %1; timings may lag the wire by up to a few ms\n").arg(error));
    if (!expectlab::platform::setThreadRealtime(true, &error))
        printErr(t("expectlab: warning: %1; timings may lag the wire by up to a few ms\n").arg(error));
}

QString helpHint(const QString &name)
{
    return QCoreApplication::translate("cli", "Try 'expectlab %1 --help'.").arg(name);
}

std::optional<int> parseSubcommand(QCommandLineParser &parser, const QString &name, const QStringList &args)
{
    const QString program = QStringLiteral("expectlab ") + name;
    if (!parser.parse(QStringList{program} + args))
        return usageError(parser.errorText(), helpHint(name));
    if (parser.isSet(QStringLiteral("help"))) {
        // helpText() names the binary's full path on its usage line; users type "expectlab NAME".
        QString text = parser.helpText();
        const qsizetype eol = text.indexOf(QLatin1Char('\n'));
        const QString usage = text.left(eol);
        const qsizetype afterProgram = usage.indexOf(QStringLiteral(" ["));
        text.replace(0, afterProgram < 0 ? eol : afterProgram, QStringLiteral("Usage: ") + program);
        printOut(text);
        return ExitOk;
    }
    return std::nullopt;
}

bool parseInt(const QString &text, int *value, int min)
{
    bool ok = false;
    const int v = text.trimmed().toInt(&ok);
    if (!ok || v < min)
        return false;
    *value = v;
    return true;
}

QString wrapList(const QStringList &items, int indent, int width)
{
    QString out;
    int column = indent;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString piece = items.at(i) + (i + 1 < items.size() ? QStringLiteral(",") : QString());
        if (column > indent && column + 1 + piece.size() > width) {
            out += QLatin1Char('\n') + QString(indent, QLatin1Char(' '));
            column = indent;
        } else if (i > 0) {
            out += QLatin1Char(' ');
            ++column;
        }
        out += piece;
        column += int(piece.size());
    }
    return out;
}
