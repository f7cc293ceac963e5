#pragma once

#include "exchangerecord.h"
#include "session.h"

#include <QHash>

namespace expectlab {

class WorkbenchSession;

// The bridge between the workbench's rows (ExchangeRecord, ServerConnectionRecord, owned by
// WorkbenchSession and ExchangeListModel) and the Session value that files, autosave and exports
// take. Rows of external clients are not stored as exchanges: they are rebuilt from their server
// connections (exchange_id 0) when a session is opened, as the workbench built them when live.

// Everything the workbench lists, finished rows only (a running exchange has no summary yet).
Session sessionFromWorkbench(const WorkbenchSession &workbench, const Session &base = Session::startingNow());
Session sessionFromRecords(const QList<ExchangeRecord> &records, const QList<ServerConnectionRecord> &connections,
                           const Session &base = Session::startingNow());

struct WorkbenchRows
{
    QList<ExchangeRecord> records; // in number order, ready for ExchangeListModel::appendRecords
    QHash<int, ServerConnectionRecord> connections;
};
// The rows a saved session shows: one per exchange, one per external client's connection.
// Numbers are the exchanges' ids; external rows get the numbers that follow.
WorkbenchRows rowsFromSession(const Session &session);

} // namespace expectlab
