#pragma once

namespace expectlab {

// The numbers one proxy hands out, so that every event names its connection on each hop and the
// exchange both hops of one request share. One per proxy, used on its thread only.
struct ProxyIds
{
    int nextConnection = 1; // downstream: a client's connection to the proxy
    int nextUpstream = 1;   // upstream: the proxy's connection to an origin
    int nextExchange = 1;   // one request from the client, on both hops
};

} // namespace expectlab
