#pragma once

#include <QtGlobal>

namespace expectlab {

// One monotonic clock for the whole process, so that the client's and the server's events of one
// exchange sit on the same time axis. Nanoseconds since the first call.
qint64 monotonicNowNs();

} // namespace expectlab
