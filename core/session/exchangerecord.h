#pragma once

#include "clientexchange.h"
#include "clientprofile.h"
#include "exchangeoutcome.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace expectlab {

// One connection our test server accepted, with what it saw and sent.
struct ServerConnectionRecord
{
    int id = 0;
    QString peerAddress;
    quint16 peerPort = 0;
    QList<TimelineEvent> events;
    // Events beyond kMaxEvents are counted, not kept: one keep-alive connection can carry millions
    // of requests. The connection's Closed and Profile events are always kept.
    static constexpr qsizetype kMaxEvents = 10000;
    qint64 droppedEvents = 0;
    void addEvent(const TimelineEvent &event);
    WireLog wire; // filled when the connection ends
    bool finished = false;
    int exchangeNumber = 0; // the exchange it belongs to; 0 while unmatched
    // The id it has in the file it was opened from (loaded records get negative ids here, apart from
    // the live server's); 0 for a live connection.
    int savedId = 0;
};

// One row of the exchange list: an exchange our client ran (with the server connections it used,
// when the server was ours), or a connection an external client made to our server.
struct ExchangeRecord
{
    // ProxiedClient: an outside client's exchange through the recording proxy (issue 16), listed
    // from what the proxy saw of it.
    enum class Origin { LocalClient, ExternalClient, ProxiedClient };

    int number = 0;
    Origin origin = Origin::LocalClient;
    QDateTime started;
    ExchangeSummary summary; // for an external client: built from the server's view
    QList<int> serverConnections;
    bool running = true;
    Outcome outcome = Outcome::Running;
    // How the client handled Expect, as the server's ClientProfiler saw it; empty until known.
    QString clientBehaviour;
    // Live only, for the waiting indicator: how long our client waits for a 100 (0: not at all).
    int expectTimeoutMs = 0;
    // An external client: where it connected from and what it called itself (summary.url stays the
    // URL it asked for, from its Host header and target).
    QString peerAddress;
    quint16 peerPort = 0;
    QString userAgent;

    // The recording proxy's events of both hops for this exchange (issue 16): ours through the
    // proxy, or an outside client's. Its lane sits between the client's and the server's.
    QList<TimelineEvent> proxyEvents;
    QString proxyMode; // how the proxy ran ("transparent", ...); empty when it is not known

    bool isExternal() const { return origin != Origin::LocalClient; }
    bool viaProxy() const { return !proxyEvents.isEmpty(); }
};

// The server's view of a connection from an external client, in the shape of a client summary, so
// that one list and one set of columns serve both.
ExchangeSummary summaryFromServerConnection(const ServerConnectionRecord &connection);
// The row of an external client's connection: its summary, peer and User-Agent (not yet numbered).
ExchangeRecord externalClientRecord(const ServerConnectionRecord &connection);

// The row of an outside client's exchange through the recording proxy: its summary from what the
// proxy's client side saw (its downstream events), its peer and User-Agent (not yet numbered).
ExchangeRecord proxiedClientRecord(const QList<TimelineEvent> &proxyEvents);

// The last client profile among a connection's events (the profiler's conclusion), if any.
const ClientProfile *lastProfile(const QList<TimelineEvent> &events);

} // namespace expectlab
