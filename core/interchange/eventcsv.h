#pragma once

#include "session.h"

#include <functional>
#include <optional>

namespace expectlab {

// Every event of a session, client and server, as CSV (RFC 4180: comma separated, CRLF line ends,
// fields with commas, quotes or line breaks quoted) in time order. Columns:
//   t_ms,side,conn,kind,status,bytes,detail,rule,exchange,t_exchange_ms
// t_ms is milliseconds since the session's earliest event (microsecond precision); conn is the
// exchange number for client events and the connection number for server events; status and bytes
// are empty when the event has none. exchange is the exchange the event belongs to and
// t_exchange_ms the time since that exchange began, the figure the workbench's panes show (empty for
// an outside client's connection that no exchange of the file names).
QString sessionEventsToCsv(const Session &session);
using ExchangeOf = std::function<std::optional<std::pair<int, qint64>>(const TimelineEvent &)>;
QString eventsToCsv(const QList<TimelineEvent> &events, qint64 originNs, const ExchangeOf &exchangeOf = {});
bool saveEventsCsv(const Session &session, const QString &path, QString *error);

} // namespace expectlab
