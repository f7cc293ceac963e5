#pragma once

#include <QtGlobal>

namespace expectlab::platform {

// Half-close: stop sending but keep receiving (R22), so a peer still uploading does not get a
// reset that destroys the response it has not read yet. Qt has no API for it; this is the one
// place that calls the operating system's socket API. Returns false when unsupported.
bool shutdownWrite(qintptr socketDescriptor);

// Tells a peer's reset (RST) from its close (FIN). Qt cannot: it reads ECONNRESET as the end of the
// stream, reports both as RemoteHostClosedError and closes its descriptor at once. This keeps a
// duplicate of the descriptor, so that after Qt has given up the socket the kernel can still be
// asked how the connection ended. The duplicate holds the connection open: release() it (or destroy
// the watch) as soon as the socket is closed, or no FIN leaves.
class CloseWatch
{
public:
    CloseWatch() = default;
    explicit CloseWatch(qintptr socketDescriptor);
    ~CloseWatch() { release(); }
    CloseWatch(const CloseWatch &) = delete;
    CloseWatch &operator=(const CloseWatch &) = delete;

    void watch(qintptr socketDescriptor);
    // The connection was reset rather than closed; false when unknown (or on systems without the
    // means to tell).
    bool wasReset() const;
    void release();

private:
    qintptr m_fd = -1;
};

// Bytes waiting in the kernel's receive queue that Qt has not read yet (0 when unknown).
qint64 bytesWaiting(qintptr socketDescriptor);

// Raises this process's soft limit of open descriptors to its hard limit (at most 65536): a server
// with 512 connections and a CloseWatch each needs more than the 1024 many systems start with.
void raiseOpenFileLimit();

} // namespace expectlab::platform
