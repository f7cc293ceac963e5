#include "sessionrecords.h"

#include "exchangelistmodel.h"
#include "workbenchsession.h"

#include <QSet>

#include <algorithm>

namespace expectlab {

Session sessionFromRecords(const QList<ExchangeRecord> &records, const QList<ServerConnectionRecord> &connections,
                           const Session &base)
{
    Session s = base;
    s.exchanges.clear();
    s.serverEvents.clear();
    s.serverConnections.clear();
    for (const ExchangeRecord &r : records) {
        if (r.running || r.isExternal())
            continue;
        ExchangeSummary summary = r.summary;
        summary.id = r.number;
        s.exchanges.append(summary);
    }
    // Connections are numbered 1..N in the file, in the order they began: ids inside the workbench
    // are its own business (loaded ones are negative there, to stay apart from the live server's).
    QList<ServerConnectionRecord> sorted = connections;
    const auto began = [](const ServerConnectionRecord &c) {
        return c.events.isEmpty() ? 0 : c.events.first().tNs;
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto &a, const auto &b) {
        return began(a) != began(b) ? began(a) < began(b) : a.id < b.id;
    });
    QSet<int> externalRows;
    for (const ExchangeRecord &r : records) {
        if (r.isExternal())
            externalRows.insert(r.number);
    }
    int fileId = 0;
    for (const ServerConnectionRecord &c : sorted) {
        SessionServerConnection sc;
        sc.id = ++fileId;
        sc.peerAddress = c.peerAddress;
        sc.peerPort = c.peerPort;
        // An external client's row is its connection; keep the link only to our own exchanges.
        sc.exchangeId = externalRows.contains(c.exchangeNumber) ? 0 : c.exchangeNumber;
        sc.wire = c.wire;
        s.serverConnections.append(sc);
        for (TimelineEvent e : c.events) {
            e.conn = sc.id;
            s.serverEvents.append(e);
        }
    }
    std::stable_sort(s.serverEvents.begin(), s.serverEvents.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return s;
}

Session sessionFromWorkbench(const WorkbenchSession &workbench, const Session &base)
{
    QList<ExchangeRecord> records;
    QList<ServerConnectionRecord> connections;
    const ExchangeListModel *model = workbench.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const ExchangeRecord &r = model->recordAt(row);
        records.append(r);
        for (int id : r.serverConnections) {
            if (const ServerConnectionRecord *c = workbench.serverConnection(id))
                connections.append(*c);
        }
    }
    return sessionFromRecords(records, connections, base);
}

WorkbenchRows rowsFromSession(const Session &session)
{
    WorkbenchRows rows;
    for (const SessionServerConnection &sc : session.serverConnections) {
        ServerConnectionRecord c;
        c.id = sc.id;
        c.peerAddress = sc.peerAddress;
        c.peerPort = sc.peerPort;
        c.exchangeNumber = sc.exchangeId;
        c.wire = sc.wire;
        c.finished = true;
        rows.connections.insert(c.id, c);
    }
    for (const TimelineEvent &e : session.serverEvents) {
        auto it = rows.connections.find(e.conn);
        if (it == rows.connections.end()) {
            // Events of a connection the session has no record of (e.g. saved by `serve` before
            // it ended): the connection is still worth a row.
            ServerConnectionRecord c;
            c.id = e.conn;
            c.finished = true;
            it = rows.connections.insert(e.conn, c);
        }
        it->events.append(e);
    }

    int next = 1;
    for (const ExchangeSummary &s : session.exchanges) {
        ExchangeRecord r;
        r.number = s.id;
        r.origin = ExchangeRecord::Origin::LocalClient;
        r.started = session.wallTime(s.startNs).toLocalTime();
        r.summary = s;
        r.running = false;
        r.outcome = classifyOutcome(s, false);
        for (const ServerConnectionRecord &c : std::as_const(rows.connections)) {
            if (c.exchangeNumber == s.id && s.id != 0)
                r.serverConnections.append(c.id);
        }
        std::sort(r.serverConnections.begin(), r.serverConnections.end());
        rows.records.append(r);
        next = qMax(next, s.id + 1);
    }
    QList<int> ids = rows.connections.keys();
    std::sort(ids.begin(), ids.end());
    for (int id : ids) {
        ServerConnectionRecord &c = rows.connections[id];
        if (c.exchangeNumber != 0)
            continue;
        ExchangeRecord r = externalClientRecord(c);
        r.number = next++;
        r.summary.id = r.number;
        r.started = session.wallTime(r.summary.startNs).toLocalTime();
        r.outcome = classifyOutcome(r.summary, false);
        c.exchangeNumber = r.number;
        rows.records.append(r);
    }
    std::sort(rows.records.begin(), rows.records.end(),
              [](const ExchangeRecord &a, const ExchangeRecord &b) { return a.number < b.number; });
    return rows;
}

} // namespace expectlab
