#include "clilimits.h"

#include "cliutil.h"

#include <QCommandLineParser>

using namespace expectlab;

LimitOptions addLimitOptions(QCommandLineParser &parser)
{
    const ServerLimits d;
    LimitOptions o;
    o.options = {
        QCommandLineOption(
            QStringLiteral("max-head"),
            t("Largest request head in bytes; larger gets 431 (default %1; 0: none).").arg(d.maxHeadBytes),
            QStringLiteral("BYTES"), QString::number(d.maxHeadBytes)),
        QCommandLineOption(QStringLiteral("max-body"),
                           t("Largest request body (K, M, G suffixes); larger gets 413 (default 0: none)."),
                           QStringLiteral("BYTES"), QStringLiteral("0")),
        QCommandLineOption(
            QStringLiteral("head-timeout"),
            t("A head not complete in MS gets 408 and a close (default %1; 0: none).").arg(d.headTimeoutMs),
            QStringLiteral("MS"), QString::number(d.headTimeoutMs)),
        QCommandLineOption(
            QStringLiteral("body-timeout"),
            t("A body that stops arriving for MS gets 408 and a close (default %1; 0: never).").arg(d.bodyTimeoutMs),
            QStringLiteral("MS"), QString::number(d.bodyTimeoutMs)),
        QCommandLineOption(QStringLiteral("idle-timeout"),
                           t("Close idle keep-alive connections after MS (default %1; 0: never).").arg(d.idleTimeoutMs),
                           QStringLiteral("MS"), QString::number(d.idleTimeoutMs)),
        QCommandLineOption(
            QStringLiteral("send-timeout"),
            t("Close a client that reads none of our output for MS (default %1; 0: never).").arg(d.sendTimeoutMs),
            QStringLiteral("MS"), QString::number(d.sendTimeoutMs)),
        QCommandLineOption(
            QStringLiteral("max-connections"),
            t("Open connections at most; more are closed at once (default %1; 0: no limit).").arg(d.maxConnections),
            QStringLiteral("N"), QString::number(d.maxConnections)),
    };
    parser.addOptions(o.options);
    return o;
}

std::optional<QString> readLimitOptions(const QCommandLineParser &parser, const LimitOptions &options,
                                        ServerLimits *limits)
{
    const QList<QCommandLineOption> &o = options.options;
    const auto invalid = [&parser](const QCommandLineOption &opt) {
        return t("invalid --%1 '%2'").arg(opt.names().first(), parser.value(opt));
    };
    qint64 bytes = 0;
    if (!parseByteSize(parser.value(o[0]), &bytes))
        return invalid(o[0]);
    limits->maxHeadBytes = bytes;
    if (!parseByteSize(parser.value(o[1]), &bytes))
        return invalid(o[1]);
    limits->maxBodyBytes = bytes;
    int *const counts[] = {&limits->headTimeoutMs, &limits->bodyTimeoutMs, &limits->idleTimeoutMs,
                           &limits->sendTimeoutMs, &limits->maxConnections};
    for (int i = 0; i < 5; ++i) {
        if (!parseInt(parser.value(o[i + 2]), counts[i]))
            return invalid(o[i + 2]);
    }
    return std::nullopt;
}
