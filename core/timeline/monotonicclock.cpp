#include "monotonicclock.h"

#include <QElapsedTimer>

namespace expectlab {

qint64 monotonicNowNs()
{
    static const QElapsedTimer origin = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return origin.nsecsElapsed();
}

} // namespace expectlab
