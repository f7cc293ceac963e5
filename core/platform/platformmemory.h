#pragma once

namespace expectlab::platform {

// Keeps freed blocks of up to a few MiB in the process heap instead of returning them to the
// operating system at once. Body slices are large, short-lived buffers: with the C library's
// defaults each one is a fresh mapping whose pages fault in again (bench_upload: about half the
// throughput of a chunked or file upload). Safe to call often; acts once; a no-op where the C
// library has no such knob.
void keepLargeBuffersInHeap();

} // namespace expectlab::platform
