#pragma once

#include "clientprofiler.h"
#include "clientrequest.h"
#include "exchangerecord.h"
#include "session.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>

class QTimer;

namespace expectlab {

class ExchangeListModel;
class ExchangeRunner;
class PartyThread;
class ProxyHost;
class ProxyServer;
class ServerHost;
class TestServer;
struct ProxyConnectionLog;

// The workbench's session, without widgets: runs the client's exchanges, records what the test
// server sees, matches the server's connections to the client's exchanges (by the client's local
// port, which the server sees as the peer port) and feeds the exchange list in batches, so that a
// burst of events costs one model update, not one per event.
class WorkbenchSession : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushIntervalMs = 40;
    // Client endpoints remembered while waiting for the server to accept them.
    static constexpr int kPendingEndpoints = 512;

    explicit WorkbenchSession(QObject *parent = nullptr);
    ~WorkbenchSession() override;

    // The server whose connections are matched to our exchanges: on its own thread (the workbench),
    // or on this one (tests).
    void attachServer(ServerHost *server);
    void attachServer(TestServer *server);
    // The recording proxy (issue 16), on its own thread or on this one (tests): our client's
    // exchanges through it get its events of both hops, an outside client's exchanges through it
    // get rows of their own, and our server's side of a proxied exchange joins its row.
    void attachProxy(ProxyHost *proxy);
    void attachProxy(ProxyServer *proxy);
    // The proxy's connections that ended, each hop's with the bytes it carried (bounded).
    const QList<SessionProxyConnection> &proxyConnections() const { return m_proxyLogs; }
    static constexpr int kMaxProxyConnections = 256;
    // Runs the client's exchanges on thread (the client's own) instead of this object's thread, so
    // that drawing never delays a socket and the timings stay true. Call before the first send().
    void setClientThread(PartyThread *thread) { m_thread = thread; }
    // Cancels and releases every running exchange; for the window's shutdown.
    void shutdown();
    ExchangeListModel *model() const { return m_model; }

    // Starts an exchange and returns its number. A request that cannot start (bad URL, unreadable
    // file) becomes a failed exchange with the reason, like any other.
    int send(const ClientRequest &request);
    void cancel(int number);
    void cancelAll();
    int runningCount() const { return int(m_runners.size()); }
    // Outside clients whose connection is open and whose head has arrived: their rows are live.
    int runningExternalCount() const { return m_liveExternal; }
    // Empties the list; running exchanges go on but are no longer listed.
    void clear();
    // Replaces the list with saved rows (File > Open, an autosave restored, a HAR imported):
    // rowsFromSession()'s records and connections. New exchanges are numbered after the loaded ones.
    void loadRows(const QList<ExchangeRecord> &records, const QHash<int, ServerConnectionRecord> &connections);

    const ServerConnectionRecord *serverConnection(int id) const;
    // The exchange a server connection belongs to, and its time origin (the start of the exchange:
    // every pane measures its events from it); nullopt while the connection is not matched.
    std::optional<std::pair<int, qint64>> exchangeOfConnection(int conn) const;
    // The server's events of an exchange, over all its connections, in time order.
    QList<TimelineEvent> serverEvents(const ExchangeRecord &record) const;
    // Applies pending changes to the model now (tests and shutdown; normally a timer does it).
    void flush();

signals:
    void exchangeStarted(int number);
    void exchangeFinished(int number);
    // After the model holds the change; batched.
    void exchangesChanged(const QList<int> &numbers);
    void progress(int number, qint64 bodyBytesSent, qint64 bodyBytesTotal);
    // An outside client's row is listed (its head arrived) and runs until its connection ends.
    void externalClientStarted(int number);
    void externalClientFinished(int number);

private:
    ClientRequest withLocalTrust(const ClientRequest &request) const;
    struct PendingClient
    {
        int number;
    };

    void onClientEvent(int number, const TimelineEvent &event);
    void onRunnerFinished(int number, const ExchangeSummary &summary);
    void onConnectionAccepted(int conn, const QHostAddress &peer, quint16 peerPort);
    void onServerEvent(const TimelineEvent &event);
    void onConnectionFinished(int conn, const WireLog &wire);
    // The recording proxy's (workbenchsessionproxy.cpp)
    void onProxyEvent(const TimelineEvent &event);
    void onProxyConnectionFinished(const ProxyConnectionLog &log);
    void addProxyEvent(int number, const TimelineEvent &event);
    int startProxiedRow(const TimelineEvent &head, int downstream);
    void endProxiedRow(int number);
    void matchUpstreamToServer(int number, const TimelineEvent &connected);
    bool claimProxyForClient(int number, const QString &clientEnd);
    QString proxyModeNow() const;
    void claim(int number, int conn);
    void startExternalRow(ServerConnectionRecord &connection);
    void refreshExternalRow(ExchangeRecord &record, const ServerConnectionRecord &connection) const;
    void dropExternalRow(int number);
    QString clientBehaviourOf(const ExchangeRecord &record) const;
    void noteProfile(int number);
    void markDirty(int number);
    void scheduleFlush();
    ExchangeRecord *liveRecord(int number);

    ExchangeListModel *m_model;
    QTimer *m_flushTimer;
    QPointer<QObject> m_server;
    PartyThread *m_thread = nullptr;
    int m_nextNumber = 1;
    int m_nextLoadedConnectionId = -1; // loaded connections count down, the live server's up
    int m_liveExternal = 0;

    // Records not yet in the model, and records of running exchanges (copied to the model on flush).
    QList<ExchangeRecord> m_toAppend;
    QHash<int, ExchangeRecord> m_live;
    QHash<int, ExchangeRunner *> m_runners;
    QSet<int> m_dirty;

    QHash<int, ServerConnectionRecord> m_connections;
    // Classifies every client of our server (R4-R6, R21): its `profile` events join the
    // connection's events, so each exchange shows how its client behaved.
    ClientProfiler m_profiler;
    QHash<QString, int> m_unclaimedServerByPeer; // endpoint -> connection id

    // The recording proxy's connections and the rows they feed
    QPointer<QObject> m_proxy;
    struct ProxyDownstream
    {
        int ourRow = 0;             // our client's exchange on this connection; 0: an outside client
        QList<TimelineEvent> early; // its events before any row was known (accepted, TLS)
        QList<int> rows;            // an outside client's rows, one per exchange
    };
    QHash<int, ProxyDownstream> m_proxyDown;    // downstream connection -> what it feeds
    QHash<int, int> m_rowOfProxyExchange;       // exchange id -> row
    QHash<int, int> m_rowOfUpstream;            // upstream connection -> its last row
    QHash<QString, int> m_unclaimedProxyByPeer; // a client's endpoint -> downstream connection
    QList<SessionProxyConnection> m_proxyLogs;
    QHash<QString, int> m_clientByLocal;  // endpoint -> exchange number
    QList<QString> m_clientEndpointOrder; // bounds m_clientByLocal
};

} // namespace expectlab
