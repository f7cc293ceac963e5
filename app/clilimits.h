#pragma once

#include "serverlimits.h"

#include <QCommandLineOption>
#include <QList>

#include <optional>

class QCommandLineParser;

// The listener's limits, one set of flags for serve and proxy: --max-head, --max-body,
// --head-timeout, --body-timeout, --idle-timeout, --send-timeout, --max-connections.
struct LimitOptions
{
    QList<QCommandLineOption> options; // in the order above
};
LimitOptions addLimitOptions(QCommandLineParser &parser);
// Fills limits; a usage error's sentence when a value is not a number of its kind.
std::optional<QString> readLimitOptions(const QCommandLineParser &parser, const LimitOptions &options,
                                        expectlab::ServerLimits *limits);
