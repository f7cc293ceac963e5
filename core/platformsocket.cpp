#include "platformsocket.h"

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
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

} // namespace expectlab::platform
