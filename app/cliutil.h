#pragma once

#include "byteformat.h" // parseByteSize, for the subcommands

#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

// Exit codes of the command line (issue #2's contract).
enum ExitCode {
    ExitOk = 0,
    ExitNoFinalResponse = 1, // also: probe found a failure
    ExitUsage = 2,
};

// User-visible text of the command line, translatable in the "cli" context.
QString t(const char *text);

void printOut(const QString &text);
void printErr(const QString &text);
// "expectlab: <message>" on stderr, returns ExitUsage.
int usageError(const QString &message, const QString &hint = QString());
// Parses the arguments of `expectlab NAME`: prints the help (exit 0) or a usage error (exit 2) and
// returns that exit code, or std::nullopt when the command should run.
std::optional<int> parseSubcommand(QCommandLineParser &parser, const QString &name, const QStringList &args);
// --precise-timing, for the subcommands that record timings.
void addPreciseTimingOption(QCommandLineParser &parser);
// When --precise-timing is set, keeps CPUs out of deep idle states until the process ends
// (platform::PreciseTiming); a warning on stderr when that is not allowed: the run goes on.
void holdPreciseTimingIfAsked(const QCommandLineParser &parser);
// "Try 'expectlab NAME --help'."
QString helpHint(const QString &name);
// items joined with ", " and broken into lines of at most width columns, every line after the first
// indented by indent spaces: lists in help texts that come from code (policy names).
QString wrapList(const QStringList &items, int indent, int width = 100);
// A whole number >= min; false for anything else (text, negative, overflow).
bool parseInt(const QString &text, int *value, int min = 0);
