#pragma once

#include <QStringList>

// Headless subcommands. Each takes the arguments after the subcommand name and returns the exit code.
int runServe(const QStringList &args);
int runSend(const QStringList &args);
int runMatrix(const QStringList &args);
int runProbe(const QStringList &args);
int runProxy(const QStringList &args);
QString globalHelpText();
