#pragma once

#include <QtGlobal>

namespace expectlab::platform {

// Half-close: stop sending but keep receiving (R22), so a peer still uploading does not get a
// reset that destroys the response it has not read yet. Qt has no API for it; this is the one
// place that calls the operating system's socket API. Returns false when unsupported.
bool shutdownWrite(qintptr socketDescriptor);

} // namespace expectlab::platform
