#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace expectlab {

// How the recording proxy treats Expect (issue 16): by default it passes the handshake through
// untouched; every other mode reproduces, on purpose, an intermediary known to break it. A value,
// like ServerPolicy: the relay looks at it at each decision, and neither protocol core ever does.
enum class ProxyMode {
    Transparent,    // forwards Expect, holds the body until the upstream's 100 or final, relays every 1xx
    Answer100,      // its own 100 at once, Expect stripped upstream, body streamed (Envoy, Varnish, mitmproxy)
    Buffer,         // its own 100, the whole body read, then the request upstream without Expect (nginx)
    RejectExpect,   // 417 to any Expect without asking the upstream (Squid 2.7, old lighttpd)
    Http10Upstream, // the upstream hop speaks HTTP/1.0: Expect cannot pass, its own 100 (Apache)
    Double100,      // its own 100 and then the origin's (Traefik 1.4.5, Caddy 2.6)
    StripExpect,    // Expect removed upstream and no 100: the client waits out its timer
};

// Everything a view, a help text or a preset says about a mode, in one place.
struct ProxyModeInfo
{
    ProxyMode mode;
    QString name;       // as on the command line: "answer-100"
    QString summary;    // one sentence: what the proxy does
    QString reproduces; // the intermediaries it behaves like; empty for transparent
    QString source;     // where that behaviour is documented (issues, docs)
    QString rule;       // the rule of shared/docs/expect-rules.md it shows (R13, R18, ...)
};

QList<ProxyModeInfo> proxyModes();
const ProxyModeInfo &proxyModeInfo(ProxyMode mode);
QString proxyModeName(ProxyMode mode);
QStringList proxyModeNames();
std::optional<ProxyMode> parseProxyMode(const QString &text, QString *error = nullptr);

} // namespace expectlab
