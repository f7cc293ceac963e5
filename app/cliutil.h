#pragma once

#include <QString>
#include <QStringList>

// Exit codes of the command line (issue #2's contract).
enum ExitCode {
    ExitOk = 0,
    ExitNoFinalResponse = 1, // also: probe found a failure
    ExitUsage = 2,
};

void printOut(const QString &text);
void printErr(const QString &text);
// "expectlab: <message>" on stderr, returns ExitUsage.
int usageError(const QString &message, const QString &hint = QString());
// Parses 123, 64K/KiB, 10M/MiB, 1G/GiB (binary units); false on anything else.
bool parseByteSize(const QString &text, qint64 *bytes);
