#pragma once

#include "session.h"

namespace expectlab {

// Every event of a session, client and server, as CSV (RFC 4180: comma separated, CRLF line ends,
// fields with commas, quotes or line breaks quoted) in time order. Columns:
//   t_ms,side,conn,kind,status,bytes,detail,rule
// t_ms is milliseconds since the session's earliest event (microsecond precision); conn is the
// exchange number for client events and the connection number for server events; status and bytes
// are empty when the event has none.
QString sessionEventsToCsv(const Session &session);
QString eventsToCsv(const QList<TimelineEvent> &events, qint64 originNs);
bool saveEventsCsv(const Session &session, const QString &path, QString *error);

} // namespace expectlab
