#include "platformmemory.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace expectlab::platform {

void keepLargeBuffersInHeap()
{
#ifdef __GLIBC__
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 4 << 20);
        mallopt(M_TRIM_THRESHOLD, 16 << 20);
        return true;
    }();
    (void)done;
#endif
}

} // namespace expectlab::platform
