#include "platformsocket.h"

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace expectlab::platform {

bool shutdownWrite(qintptr socketDescriptor)
{
    if (socketDescriptor < 0)
        return false;
#ifdef Q_OS_WIN
    return ::shutdown(SOCKET(socketDescriptor), SD_SEND) == 0;
#else
    return ::shutdown(int(socketDescriptor), SHUT_WR) == 0;
#endif
}

CloseWatch::CloseWatch(qintptr socketDescriptor)
{
    watch(socketDescriptor);
}

void CloseWatch::watch(qintptr socketDescriptor)
{
    release();
#ifndef Q_OS_WIN
    if (socketDescriptor >= 0)
        m_fd = ::fcntl(int(socketDescriptor), F_DUPFD_CLOEXEC, 0);
#else
    Q_UNUSED(socketDescriptor);
#endif
}

bool CloseWatch::wasReset() const
{
#if defined(Q_OS_LINUX)
    if (m_fd < 0)
        return false;
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(int(m_fd), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return false;
    // A reset moves the connection straight to CLOSED; a FIN leaves CLOSE_WAIT (or, after our own
    // FIN, one of the closing states) until the last descriptor goes.
    return info.tcpi_state == TCP_CLOSE;
#else
    return false;
#endif
}

void CloseWatch::release()
{
#ifndef Q_OS_WIN
    if (m_fd >= 0)
        ::close(int(m_fd));
#endif
    m_fd = -1;
}

qint64 bytesWaiting(qintptr socketDescriptor)
{
#ifndef Q_OS_WIN
    int n = 0;
    if (socketDescriptor >= 0 && ::ioctl(int(socketDescriptor), FIONREAD, &n) == 0)
        return n;
#else
    Q_UNUSED(socketDescriptor);
#endif
    return 0;
}

void raiseOpenFileLimit()
{
#ifndef Q_OS_WIN
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t(65536) : qMin<rlim_t>(limit.rlim_max, 65536);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
#endif
}

} // namespace expectlab::platform
