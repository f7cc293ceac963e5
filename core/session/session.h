#pragma once

#include "clientexchange.h"
#include "matrixspec.h"
#include "probereport.h"
#include "timelineevent.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace expectlab {

// Everything a user saw in one sitting: the client's exchanges (each with its events, heads, response
// preview and wire logs) and the test server's events. A plain value: the GUI, the CLI's --save,
// autosave and the exporters all pass it around by value.
// One connection the local test server accepted (its events are in Session::serverEvents, by conn).
struct SessionServerConnection
{
    int id = 0;
    QString peerAddress;
    quint16 peerPort = 0;
    int exchangeId = 0; // the client exchange it served; 0 for an external client or unknown
    WireLog wire;
};

// The recording proxy's (issue 16): how it ran, for a file that holds its exchanges.
struct SessionProxy
{
    QString mode;     // proxyModeName(): "transparent", "answer-100", ...
    QString upstream; // the reverse proxy's upstream URL; empty for a forward proxy
    bool forward = false;
    QString listenUrl; // where it listened: http://HOST:PORT/
};

// One connection of the proxy: a client's to it (downstream) or its own to an upstream.
struct SessionProxyConnection
{
    Hop hop = Hop::Downstream;
    int id = 0;
    QString peerAddress;
    quint16 peerPort = 0;
    WireLog wire;
};

struct Session
{
    QList<ExchangeSummary> exchanges;
    QList<TimelineEvent> serverEvents;
    QList<SessionServerConnection> serverConnections;
    // The monotonic clock has no date: originNs was the clock's value at wall time originUtc. Lets
    // exports that need dates (HAR's startedDateTime) place the events.
    qint64 originNs = 0;
    QDateTime originUtc;
    QString serverPolicy;           // the policy the local server ran with, if any ("continue", "final:413")
    QString note;                   // free text the user attached
    qint64 droppedServerEvents = 0; // server events not kept (over the per-connection bound)
    // The Probe and Matrix tabs' last runs, so that what a user saw there is kept too (issue 14).
    std::optional<ProbeReport> probe;
    std::optional<MatrixResult> matrix;
    // The recording proxy's events of both hops (version 5), its connections and how it ran.
    QList<TimelineEvent> proxyEvents;
    QList<SessionProxyConnection> proxyConnections;
    std::optional<SessionProxy> proxy;
    qint64 droppedProxyEvents = 0;

    bool isEmpty() const
    {
        return exchanges.isEmpty() && serverEvents.isEmpty() && serverConnections.isEmpty() && !probe && !matrix &&
               proxyEvents.isEmpty();
    }
    // A session whose origin is now.
    static Session startingNow();
    // Wall time of a monotonic timestamp of this session.
    QDateTime wallTime(qint64 ns) const;
    // Earliest timestamp of any event or exchange; originNs when there is none.
    qint64 earliestNs() const;
    // Next free exchange id (one more than the largest).
    int nextExchangeId() const;
    // The exchange each server connection served: its exchangeId, or else the client exchange whose
    // connection's local end is the connection's peer (the typed endpoints of connected and
    // accepted events), so that a file recorded without the workbench links the two sides too.
    QHash<int, int> exchangeOfConnections() const;
};

} // namespace expectlab
