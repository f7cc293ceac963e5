#pragma once

#include "timelineevent.h"

#include <QList>

namespace expectlab {

// A peer the recording proxy stood in front of but that is not ours (an outside client, a foreign
// origin) still gets its lane (issue 16): it shows what the proxy saw of it. Each of the proxy's
// events on that hop becomes the peer's own, at the moment the proxy saw it: a head the proxy read
// is a head the client sent, a 100 the proxy wrote is a 100 the client got. Events of the other hop
// and the proxy's decisions are left out; a mirrored event keeps its exchange, has no hop, and says
// in its detail that it was seen from the proxy.
QList<TimelineEvent> peerAsSeenByProxy(const QList<TimelineEvent> &proxyEvents, Hop hop);

} // namespace expectlab
