#include "platformlatency.h"

#include <QCoreApplication>
#include <QFile>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace expectlab::platform {

PreciseTiming::~PreciseTiming()
{
    release();
}

bool PreciseTiming::acquire(QString *error)
{
    if (isActive())
        return true;
#ifdef Q_OS_LINUX
    const int fd = ::open(QFile::encodeName(m_device).constData(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        // The largest wake-up latency we accept, in microseconds; held until the file is closed.
        const std::int32_t microseconds = 0;
        if (::write(fd, &microseconds, sizeof microseconds) == sizeof microseconds) {
            m_handle = fd;
            return true;
        }
    }
    const int why = errno;
    if (fd >= 0)
        ::close(fd);
    if (error)
        *error =
            QCoreApplication::translate("PreciseTiming", "cannot hold CPUs awake through %1: %2%3")
                .arg(m_device, QString::fromLocal8Bit(std::strerror(why)),
                     why == EACCES || why == EPERM
                         ? QCoreApplication::translate("PreciseTiming", " (run as root, or grant write access to it)")
                         : QString());
    return false;
#else
    if (error)
        *error = QCoreApplication::translate("PreciseTiming", "precise timing is not supported on this platform");
    return false;
#endif
}

void PreciseTiming::release()
{
#ifdef Q_OS_LINUX
    if (m_handle >= 0)
        ::close(m_handle);
#endif
    m_handle = -1;
}

bool setThreadRealtime(bool on, QString *error)
{
#ifdef Q_OS_LINUX
    // Low among real-time priorities: above every normal thread, below the kernel's own.
    sched_param param{};
    param.sched_priority = on ? 10 : 0;
    if (::sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &param) == 0)
        return true;
    const int why = errno;
    if (error)
        *error = QCoreApplication::translate("PreciseTiming", "cannot give the thread real-time priority: %1%2")
                     .arg(QString::fromLocal8Bit(std::strerror(why)),
                          why == EPERM
                              ? QCoreApplication::translate("PreciseTiming", " (run as root, or grant CAP_SYS_NICE)")
                              : QString());
    return false;
#else
    Q_UNUSED(on);
    if (error)
        *error = QCoreApplication::translate("PreciseTiming", "precise timing is not supported on this platform");
    return false;
#endif
}

} // namespace expectlab::platform
