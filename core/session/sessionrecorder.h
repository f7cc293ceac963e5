#pragma once

#include "session.h"

#include <QHash>
#include <QObject>

namespace expectlab {

class TestServer;

// Collects a Session as things happen: server events as they arrive, each exchange when it ends.
// The GUI and `expectlab serve/send --save` feed it; Autosave watches its changed() signal.
class SessionRecorder : public QObject
{
    Q_OBJECT
public:
    explicit SessionRecorder(QObject *parent = nullptr); // the session's origin is now

    // Records the server's events, its connections (peer, wire log) and its policy (as it is now; call
    // setServerPolicy after a change).
    void attachServer(TestServer *server);

    void addExchange(const ExchangeSummary &summary);
    void addServerEvent(const TimelineEvent &event);
    // Adds or replaces (by id) a server connection's record, e.g. on TestServer::connectionFinished.
    void setServerConnection(const SessionServerConnection &connection);
    void setServerPolicy(const QString &policy);
    // The recording proxy's events of both hops and its connections, bounded as the server's are
    // (per hop and connection); how it runs (issue 16).
    void addProxyEvent(const TimelineEvent &event);
    void setProxyConnection(const SessionProxyConnection &connection);
    void setProxy(const SessionProxy &proxy);

    const Session &session() const { return m_session; }
    // Replaces everything, e.g. after File > Open or a restore.
    void setSession(Session session);
    void clear(); // an empty session whose origin is now
    // Grows by one with every change: lets a watcher tell whether it saw the latest state.
    quint64 revision() const { return m_revision; }

    static constexpr int kMaxEventsPerConnection = 10000;

signals:
    void changed();
    void exchangeAdded(const expectlab::ExchangeSummary &summary);

private:
    void touch();

    Session m_session;
    quint64 m_revision = 0;
    QHash<int, int> m_eventsPerConnection;                  // open connections only
    QHash<QPair<int, int>, int> m_proxyEventsPerConnection; // (hop, connection): open ones only
};

} // namespace expectlab
