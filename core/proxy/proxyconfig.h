#pragma once

#include "proxymode.h"
#include "serverlimits.h"
#include "tlssettings.h"

#include <QUrl>

namespace expectlab {

// Everything that decides how the proxy relays, as one value: the listener's limits apply to its
// clients as they do to the test server's (431, 413, 408, connections), the upstream's bounds to
// the hop it opens (502, 504).
struct ProxyConfig
{
    ProxyMode mode = ProxyMode::Transparent;
    // A reverse proxy: every request goes to this origin with its target kept. Empty with forward.
    QUrl upstream;
    // A forward proxy: absolute-form requests go where they say; CONNECT opens a tunnel.
    bool forward = false;
    // Forward: targets other than loopback only when allowed (no open relay).
    bool allowRemote = false;
    // Reverse: the client's Host goes upstream unchanged instead of the upstream's authority.
    bool keepHost = false;
    ClientTlsSettings upstreamTls; // how an https:// upstream is trusted
    ServerLimits limits;
    int connectTimeoutMs = 10000; // no upstream connection (and handshake) in time: 502
    int answerTimeoutMs = 60000;  // no byte from the upstream for this long while it owes an answer: 504
    // Transparent: how long the proxy holds a body the client sent before the upstream's 100 or final
    // (the proxy is the upstream's client here, and R5 says it must not wait indefinitely either).
    int expectTimeoutMs = 1000;
    // Buffer: bodies up to this size stay in memory; larger ones go to a temporary file.
    qint64 spoolMemoryBytes = 4 << 20;

    bool operator==(const ProxyConfig &) const = default;
};

} // namespace expectlab
