#pragma once

#include "httpmessage.h"

#include <QUrl>

namespace expectlab {

// What a proxy changes in the messages it relays, and nothing else (RFC 9110 7.6): the fields that
// belong to one connection stay on it, Via says a proxy was there, and a forward proxy's
// absolute-form target becomes the origin's own. Pure functions over heads, for the relay and tests.

// scheme://host:port of url, the port made explicit (80, 443).
QUrl originOf(const QUrl &url);
// host[:port] as a Host field carries it: the port only when it is not the scheme's own, brackets
// around an IPv6 address.
QByteArray authorityOf(const QUrl &url);
// The path and query of url ("/" when empty): what an origin expects after the method.
QByteArray originFormTarget(const QUrl &url);
// 127.0.0.0/8, ::1 or "localhost": a forward proxy without --allow-remote goes nowhere else.
bool isLoopbackHost(const QString &host);

// The fields without the hop-by-hop ones (RFC 9110 7.6.1): Connection and every field it names,
// Keep-Alive, Proxy-Connection, TE and Upgrade. Transfer-Encoding stays: it is the framing the relay
// keeps (the cores frame what they send as these fields say).
HttpHeaders withoutHopByHop(const HttpHeaders &headers);
// The Via field this proxy adds to a message of that version (RFC 9110 7.6.3).
HttpHeader viaField(const MessageHead &received);
// A 1xx from the upstream as the client gets it: its status, reason and end-to-end fields.
MessageHead relayedInterim(const MessageHead &upstream);
// The upstream's final head as the client gets it. An HTTP/1.0 client cannot read chunked framing:
// its response is delimited by the close instead.
MessageHead relayedFinal(const MessageHead &upstream, const MessageHead &request);

} // namespace expectlab
