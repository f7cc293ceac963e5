#pragma once

#include <QtGlobal>

namespace expectlab {

// The server's explicit limits, each mapped to a status and an event (as Beast's header_limit and
// body_limit, and qBittorrent's connection limits). 0 switches a limit off.
struct ServerLimits
{
    qint64 maxHeadBytes = 64 * 1024; // larger heads get 431
    qint64 maxBodyBytes = 0;         // larger bodies get 413; 0: no limit (bodies are counted, not kept)
    int headTimeoutMs = 10000;       // a head not complete in time gets 408 and a close (slowloris)
    int bodyTimeoutMs = 30000;       // a body that stops arriving for this long gets 408 and a close
    int idleTimeoutMs = 30000;       // idle keep-alive connections close
    int sendTimeoutMs = 30000;       // a peer that takes none of our output for this long is closed
    int maxConnections = 512;        // further connections are closed at once

    friend bool operator==(const ServerLimits &, const ServerLimits &) = default;
};

} // namespace expectlab
