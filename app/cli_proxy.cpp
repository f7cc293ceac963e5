#include "clilimits.h"
#include "clitls.h"
#include "cliutil.h"
#include "commands.h"
#include "exchangereport.h"
#include "monotonicclock.h"
#include "platformsignals.h"
#include "proxyserver.h"
#include "sessionfile.h"
#include "sessionrecorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTcpSocket>

using namespace expectlab;

namespace {
// The upstream not answering at start is only a warning (issue 16): it may come up later, and until
// then every request gets a 502 that says why.
void warnIfUnreachable(const QUrl &upstream)
{
    QTcpSocket probe;
    probe.connectToHost(upstream.host(),
                        quint16(upstream.port(upstream.scheme() == QLatin1String("https") ? 443 : 80)));
    if (!probe.waitForConnected(2000))
        printErr(t("expectlab: warning: the upstream %1 does not answer (%2); requests get 502 until it does\n")
                     .arg(upstream.toString(), probe.errorString()));
    probe.abort();
}

bool parseMs(const QCommandLineParser &parser, const QCommandLineOption &opt, int *out)
{
    return parseInt(parser.value(opt), out);
}
} // namespace

int runProxy(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        t("Run the recording proxy until SIGINT or SIGTERM: a reverse proxy to --upstream URL, or a forward proxy "
          "(--forward) for clients configured with HTTP_PROXY or curl -x. By default it passes the Expect handshake "
          "through untouched and records both hops; --mode reproduces an intermediary that breaks it."));
    parser.addHelpOption();
    QStringList modeHelp;
    for (const ProxyModeInfo &m : proxyModes())
        modeHelp << (m.reproduces.isEmpty()
                         ? QStringLiteral("%1 (%2)").arg(m.name, m.summary)
                         : QStringLiteral("%1 (%2; like %3; %4)").arg(m.name, m.summary, m.reproduces, m.source));
    const QCommandLineOption upstreamOpt(QStringLiteral("upstream"),
                                         t("Reverse proxy: send every request to this http:// or https:// origin, "
                                           "keeping its target."),
                                         QStringLiteral("URL"));
    const QCommandLineOption forwardOpt(
        QStringLiteral("forward"),
        t("Forward proxy: absolute-form requests go where they say (loopback targets only, see --allow-remote)."));
    const QCommandLineOption hostOpt(QStringLiteral("host"), t("Address to bind (default 127.0.0.1)."),
                                     QStringLiteral("H"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption portOpt(QStringLiteral("port"), t("Port (default 0: any free port)."), QStringLiteral("P"),
                                     QStringLiteral("0"));
    const QCommandLineOption modeOpt(
        QStringLiteral("mode"),
        t("How Expect is treated (default transparent): %1.").arg(modeHelp.join(QStringLiteral("; "))),
        QStringLiteral("MODE"), QStringLiteral("transparent"));
    const QCommandLineOption eventsOpt(QStringLiteral("events"),
                                       t("Print each event of both hops as a JSON line (\"side\":\"proxy\", "
                                         "\"hop\", \"exchange\")."));
    const QCommandLineOption saveOpt(QStringLiteral("save"),
                                     t("On stop, write both hops of every exchange as a session file."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption keepHostOpt(QStringLiteral("keep-host"),
                                         t("Reverse proxy: pass the client's Host unchanged (default: the "
                                           "upstream's authority)."));
    const QCommandLineOption allowRemoteOpt(QStringLiteral("allow-remote"),
                                            t("Forward proxy: also forward to targets that are not loopback."));
    const QCommandLineOption connectTimeoutOpt(QStringLiteral("connect-timeout"),
                                               t("No upstream connection in MS: 502 (default 10000)."),
                                               QStringLiteral("MS"), QStringLiteral("10000"));
    const QCommandLineOption upstreamTimeoutOpt(QStringLiteral("upstream-timeout"),
                                                t("No byte from the upstream for MS while it owes an answer: 504 "
                                                  "(default 60000)."),
                                                QStringLiteral("MS"), QStringLiteral("60000"));
    const QCommandLineOption expectTimeoutOpt(QStringLiteral("expect-timeout"),
                                              t("transparent: hold a body the client sent before the upstream's 100 "
                                                "at most MS, then forward it (default 1000; 0: until it answers)."),
                                              QStringLiteral("MS"), QStringLiteral("1000"));
    parser.addOptions({upstreamOpt, forwardOpt, hostOpt, portOpt, modeOpt, eventsOpt, saveOpt, keepHostOpt,
                       allowRemoteOpt, connectTimeoutOpt, upstreamTimeoutOpt, expectTimeoutOpt});
    const TlsOptions tlsOpts = addTlsOptions(parser);
    const LimitOptions limitOpts = addLimitOptions(parser);
    addPreciseTimingOption(parser);
    if (const auto done = parseSubcommand(parser, QStringLiteral("proxy"), args))
        return *done;
    if (!parser.positionalArguments().isEmpty())
        return usageError(t("unexpected argument '%1'").arg(parser.positionalArguments().first()),
                          helpHint(QStringLiteral("proxy")));

    ProxyConfig config;
    if (parser.isSet(upstreamOpt) == parser.isSet(forwardOpt))
        return usageError(t("give either --upstream URL (a reverse proxy) or --forward (a forward proxy)"),
                          helpHint(QStringLiteral("proxy")));
    config.forward = parser.isSet(forwardOpt);
    if (!config.forward) {
        config.upstream = QUrl(parser.value(upstreamOpt), QUrl::StrictMode);
        const QString scheme = config.upstream.scheme();
        if (!config.upstream.isValid() || config.upstream.host().isEmpty() ||
            (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
            return usageError(t("invalid --upstream '%1': give an http:// or https:// URL with a host")
                                  .arg(parser.value(upstreamOpt)));
    }
    if (config.forward && parser.isSet(keepHostOpt))
        return usageError(t("--keep-host is for a reverse proxy (--upstream)"));
    if (!config.forward && parser.isSet(allowRemoteOpt))
        return usageError(t("--allow-remote is for a forward proxy (--forward)"));
    config.keepHost = parser.isSet(keepHostOpt);
    config.allowRemote = parser.isSet(allowRemoteOpt);
    QString modeError;
    const auto mode = parseProxyMode(parser.value(modeOpt), &modeError);
    if (!mode)
        return usageError(modeError);
    config.mode = *mode;
    if (const auto error = readTlsOptions(parser, tlsOpts, &config.upstreamTls))
        return usageError(*error);
    if ((parser.isSet(tlsOpts.insecure) || parser.isSet(tlsOpts.caCert)) &&
        config.upstream.scheme() != QLatin1String("https"))
        return usageError(t("--insecure and --cacert are for an https:// --upstream"));
    if (const auto error = readLimitOptions(parser, limitOpts, &config.limits))
        return usageError(*error);
    if (!parseMs(parser, connectTimeoutOpt, &config.connectTimeoutMs) || config.connectTimeoutMs == 0)
        return usageError(t("invalid --connect-timeout '%1'").arg(parser.value(connectTimeoutOpt)));
    if (!parseMs(parser, upstreamTimeoutOpt, &config.answerTimeoutMs) || config.answerTimeoutMs == 0)
        return usageError(t("invalid --upstream-timeout '%1'").arg(parser.value(upstreamTimeoutOpt)));
    if (!parseMs(parser, expectTimeoutOpt, &config.expectTimeoutMs))
        return usageError(t("invalid --expect-timeout '%1'").arg(parser.value(expectTimeoutOpt)));
    if (parser.isSet(saveOpt) && parser.value(saveOpt).isEmpty())
        return usageError(t("--save needs a file name"));
    QHostAddress address;
    if (!address.setAddress(parser.value(hostOpt)))
        return usageError(
            t("invalid host address '%1': give an IP address such as 127.0.0.1 or ::1").arg(parser.value(hostOpt)));
    bool portOk = false;
    const uint port = parser.value(portOpt).toUInt(&portOk);
    if (!portOk || port > 65535)
        return usageError(t("invalid port '%1': give 0 to 65535").arg(parser.value(portOpt)));
    holdPreciseTimingIfAsked(parser);

    // Watch for SIGINT/SIGTERM before the listening line goes out: a script may signal right after it.
    TerminationWatcher watcher;
    QObject::connect(&watcher, &TerminationWatcher::terminationRequested, qApp, [] { QCoreApplication::exit(0); });

    ProxyServer proxy;
    proxy.setConfig(config);
    if (!proxy.listen(address, quint16(port))) {
        printErr(QStringLiteral("expectlab: %1\n").arg(proxy.errorString()));
        return ExitNoFinalResponse;
    }
    if (!address.isLoopback())
        printErr(t("expectlab: warning: listening on %1, reachable from other machines\n").arg(address.toString()));
    printOut(QStringLiteral("listening %1\n").arg(proxy.url()));
    const ProxyModeInfo &info = proxyModeInfo(config.mode);
    if (config.forward)
        printErr(t("expectlab: forward proxy (HTTP_PROXY=%1 or curl -x %1) to %2, mode %3: %4\n")
                     .arg(proxy.url(), config.allowRemote ? t("any target") : t("loopback targets only"), info.name,
                          info.summary));
    else
        printErr(
            t("expectlab: forwarding to %1, mode %2: %3\n").arg(config.upstream.toString(), info.name, info.summary));
    if (!info.reproduces.isEmpty())
        printErr(t("expectlab: mode %1 behaves like %2 (%3)\n").arg(info.name, info.reproduces, info.source));
    if (!config.forward)
        warnIfUnreachable(config.upstream);

    const qint64 originNs = monotonicNowNs();
    SessionRecorder recorder; // its session starts now, as originNs does
    if (parser.isSet(saveOpt)) {
        recorder.setProxy(
            {info.name, config.forward ? QString() : config.upstream.toString(), config.forward, proxy.url()});
        QObject::connect(&proxy, &ProxyServer::eventRecorded, &recorder, &SessionRecorder::addProxyEvent);
        QObject::connect(&proxy, &ProxyServer::connectionFinished, &recorder, [&recorder](const ProxyConnectionLog &c) {
            recorder.setProxyConnection({c.hop, c.id, c.peerAddress.toString(), c.peerPort, c.wire});
        });
    }
    if (parser.isSet(eventsOpt)) {
        QObject::connect(&proxy, &ProxyServer::eventRecorded, [originNs, &info](const TimelineEvent &e) {
            QJsonObject o = eventToJson(e, originNs, true);
            if (e.kind == EventKind::Decision)
                o.insert(QStringLiteral("mode"), info.name);
            printOut(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) + QLatin1Char('\n'));
        });
    }
    const int rc = QCoreApplication::exec();
    proxy.close();
    if (parser.isSet(saveOpt)) {
        if (const qint64 dropped = recorder.session().droppedProxyEvents)
            printErr(t("expectlab: note: %1 proxy events not kept in %2 (more than %3 on one connection)\n")
                         .arg(dropped)
                         .arg(parser.value(saveOpt))
                         .arg(SessionRecorder::kMaxEventsPerConnection));
        QString saveError;
        if (!saveSession(recorder.session(), parser.value(saveOpt), &saveError)) {
            printErr(QStringLiteral("expectlab: %1\n").arg(saveError));
            return ExitNoFinalResponse;
        }
    }
    return rc;
}
