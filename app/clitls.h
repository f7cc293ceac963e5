#pragma once

#include "tlssettings.h"

#include <QCommandLineOption>

#include <optional>

class QCommandLineParser;

// The client's TLS flags, one set for send, probe and matrix (issue 15): --insecure (-k) and
// --cacert FILE, as curl spells them.
struct TlsOptions
{
    QCommandLineOption insecure;
    QCommandLineOption caCert;
};
TlsOptions addTlsOptions(QCommandLineParser &parser);
// Fills settings; a usage error's sentence when the flags contradict each other.
std::optional<QString> readTlsOptions(const QCommandLineParser &parser, const TlsOptions &options,
                                      expectlab::ClientTlsSettings *settings);
