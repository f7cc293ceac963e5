#pragma once

#include "httpmessage.h"
#include "timelineevent.h"

#include <QString>

#include <optional>

namespace expectlab {

// What makes a request head unanswerable before any policy is asked: the checks RFC 9112 and
// RFC 9110 require of every server, each with the status it earns.
struct RequestProblem
{
    int status = 400;
    QString code;   // the JSON body's "error": bad_request, http_version_not_supported, ...
    QString reason; // one sentence: what was wrong
    QString rule;   // the RFC section, or a rule id of the digest
    ErrorKind error = ErrorKind::MalformedRequest;
};

// nullopt when the head is fine. Checked: the version (HTTP/0.9-style lines and HTTP/2.0 are not
// HTTP/1.x), Host (RFC 9112 3.2), a Transfer-Encoding that does not end in chunked (RFC 9112 6.3),
// a Content-Length no one can count, and CONNECT (RFC 9110 9.3.6) unless tunnels are allowed (a proxy).
std::optional<RequestProblem> checkRequestHead(const MessageHead &head, bool tunnelsAllowed = false);

} // namespace expectlab
