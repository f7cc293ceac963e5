#pragma once

#include "session.h"

#include <QJsonObject>

namespace expectlab {

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), one entry per exchange, so that Chrome
// DevTools, Firefox and HAR viewers can open what ExpectLab recorded.
// Timings of an entry, in ms, describe the exchange's last attempt:
//   blocked  time spent on earlier attempts (the one answered 417 before the retry, R6); 0 without
//   dns, ssl -1 (not applicable: ExpectLab connects to an address over plain http)
//   connect  TCP connect of the last attempt
//   send     time spent writing the head and the body
//   wait     from the connection to the final response, minus send: includes the Expect wait
//   receive  from the final response's head to its last byte
// Custom fields (leading underscore, as HAR allows): `_interim` on the response lists the 1xx
// responses [{status, statusText, httpVersion, headers, time}] with time in ms since
// startedDateTime; `_expectlab` on the entry holds the handshake figures (expect wait, bytes saved...);
// `_error` on the response says why there was no final response.
QJsonObject sessionToHar(const Session &session);
bool saveHar(const Session &session, const QString &path, QString *error);

} // namespace expectlab
