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
    // The recording proxy's events of both hops (issue 16): every finished row's, in time order,
    // and the mode it ran in (the last one's, when it changed during the sitting).
    s.proxyEvents.clear();
    for (const ExchangeRecord &r : records) {
        if (r.running || !r.viaProxy())
            continue;
        s.proxyEvents += r.proxyEvents;
        if (!r.proxyMode.isEmpty()) {
            SessionProxy proxy = s.proxy.value_or(SessionProxy());
            proxy.mode = r.proxyMode;
            s.proxy = proxy;
        }
    }
    std::stable_sort(s.proxyEvents.begin(), s.proxyEvents.end(),
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
    Session s = sessionFromRecords(records, connections, base);
    s.proxyConnections = workbench.proxyConnections();
    return s;
}

namespace {
// The proxy's events grouped as the workbench lists them: each client connection to the proxy with
// the exchanges it carried, and the upstream events of those exchanges.
struct ProxiedConnection
{
    std::optional<Endpoints> client; // its accepted event's ends
    QList<TimelineEvent> own;        // events of the connection itself (no exchange)
    QList<int> exchanges;            // in order
};

// The events of one exchange: its own, and the upstream connection's that came after its request
// ended (the close of a connection the proxy did not keep).
QList<TimelineEvent> eventsOfExchange(const QList<TimelineEvent> &all, int exchange)
{
    QHash<int, int> lastExchangeOfUpstream;
    QList<TimelineEvent> out;
    for (const TimelineEvent &e : all) {
        int owner = e.exchange;
        if (e.hop == Hop::Upstream) {
            if (owner)
                lastExchangeOfUpstream.insert(e.conn, owner);
            else
                owner = lastExchangeOfUpstream.value(e.conn);
        }
        if (owner == exchange)
            out.append(e);
    }
    return out;
}

// The server connection whose peer is the proxy's end of an upstream connection among events.
void claimServerConnections(const QList<TimelineEvent> &events, int number,
                            QHash<int, ServerConnectionRecord> &connections, QList<int> &claimed)
{
    for (const TimelineEvent &e : events) {
        if (e.hop != Hop::Upstream || e.kind != EventKind::Connected || !e.endpoints)
            continue;
        const QString key = endpointKey(e.endpoints->localAddress, e.endpoints->localPort);
        for (ServerConnectionRecord &c : connections) {
            if (c.exchangeNumber == 0 && endpointKey(QHostAddress(c.peerAddress), c.peerPort) == key) {
                c.exchangeNumber = number;
                claimed.append(c.id);
            }
        }
    }
}
} // namespace

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
    // The recording proxy's: our exchanges through it get their proxy lane (matched by the client's
    // local end, which the proxy accepted), an outside client's get rows of their own.
    QMap<int, ProxiedConnection> proxied; // downstream connection -> (in id order)
    for (const TimelineEvent &e : session.proxyEvents) {
        if (e.hop != Hop::Downstream)
            continue;
        ProxiedConnection &p = proxied[e.conn];
        if (e.kind == EventKind::Accepted && e.endpoints)
            p.client = *e.endpoints;
        if (e.exchange == 0)
            p.own.append(e);
        else if (!p.exchanges.contains(e.exchange))
            p.exchanges.append(e.exchange);
    }
    for (auto it = proxied.cbegin(); it != proxied.cend(); ++it) {
        const ProxiedConnection &p = it.value();
        ExchangeRecord *ours = nullptr;
        if (p.client) {
            const QString clientEnd = endpointKey(p.client->peerAddress, p.client->peerPort);
            for (ExchangeRecord &r : rows.records) {
                for (const TimelineEvent &e : std::as_const(r.summary.events)) {
                    if (e.kind == EventKind::Connected && e.endpoints &&
                        endpointKey(e.endpoints->localAddress, e.endpoints->localPort) == clientEnd)
                        ours = &r;
                }
            }
        }
        for (qsizetype k = 0; k < p.exchanges.size(); ++k) {
            QList<TimelineEvent> events = eventsOfExchange(session.proxyEvents, p.exchanges.at(k));
            // The connection's own events go with its first exchange (accepted) and its last (closed).
            if (k == 0)
                events = p.own + events;
            std::stable_sort(events.begin(), events.end(),
                             [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
            if (ours) {
                ours->proxyEvents += events;
                claimServerConnections(events, ours->number, rows.connections, ours->serverConnections);
                continue;
            }
            ExchangeRecord r = proxiedClientRecord(events);
            r.number = next++;
            r.summary.id = r.number;
            r.started = session.wallTime(r.summary.startNs).toLocalTime();
            r.outcome = classifyOutcome(r.summary, false);
            if (session.proxy)
                r.proxyMode = session.proxy->mode;
            claimServerConnections(events, r.number, rows.connections, r.serverConnections);
            rows.records.append(r);
        }
        if (ours) {
            std::stable_sort(ours->proxyEvents.begin(), ours->proxyEvents.end(),
                             [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
            if (session.proxy)
                ours->proxyMode = session.proxy->mode;
        }
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
