#include "sessionrecorder.h"

#include "testserver.h"

namespace expectlab {

SessionRecorder::SessionRecorder(QObject *parent)
    : QObject(parent)
    , m_session(Session::startingNow())
{}

void SessionRecorder::attachServer(TestServer *server)
{
    setServerPolicy(server->policy().toString());
    connect(server, &TestServer::eventRecorded, this, &SessionRecorder::addServerEvent);
    connect(server, &TestServer::connectionAccepted, this, [this](int conn, const QHostAddress &peer, quint16 port) {
        SessionServerConnection c;
        c.id = conn;
        c.peerAddress = peer.toString();
        c.peerPort = port;
        setServerConnection(c);
    });
    connect(server, &TestServer::connectionFinished, this, [this](int conn, const WireLog &wire) {
        SessionServerConnection c;
        c.id = conn;
        for (const SessionServerConnection &known : m_session.serverConnections) {
            if (known.id == conn)
                c = known;
        }
        c.wire = wire;
        setServerConnection(c);
    });
}

void SessionRecorder::addExchange(const ExchangeSummary &summary)
{
    m_session.exchanges.append(summary);
    touch();
    emit exchangeAdded(summary);
}

void SessionRecorder::addServerEvent(const TimelineEvent &event)
{
    // Bounded per connection as the workbench's records are: one keep-alive connection can carry
    // millions of requests. Its close is always kept; what is dropped is counted in the file.
    int &count = m_eventsPerConnection[event.conn];
    if (count >= kMaxEventsPerConnection && event.kind != EventKind::Closed) {
        ++m_session.droppedServerEvents;
        return;
    }
    ++count;
    if (event.kind == EventKind::Closed)
        m_eventsPerConnection.remove(event.conn);
    m_session.serverEvents.append(event);
    touch();
}

void SessionRecorder::addProxyEvent(const TimelineEvent &event)
{
    int &count = m_proxyEventsPerConnection[{int(event.hop), event.conn}];
    if (count >= kMaxEventsPerConnection && event.kind != EventKind::Closed) {
        ++m_session.droppedProxyEvents;
        return;
    }
    ++count;
    if (event.kind == EventKind::Closed)
        m_proxyEventsPerConnection.remove({int(event.hop), event.conn});
    m_session.proxyEvents.append(event);
    touch();
}

void SessionRecorder::setProxyConnection(const SessionProxyConnection &connection)
{
    for (SessionProxyConnection &c : m_session.proxyConnections) {
        if (c.hop == connection.hop && c.id == connection.id) {
            c = connection;
            touch();
            return;
        }
    }
    m_session.proxyConnections.append(connection);
    touch();
}

void SessionRecorder::setProxy(const SessionProxy &proxy)
{
    m_session.proxy = proxy;
    touch();
}

void SessionRecorder::setServerConnection(const SessionServerConnection &connection)
{
    for (SessionServerConnection &c : m_session.serverConnections) {
        if (c.id == connection.id) {
            c = connection;
            touch();
            return;
        }
    }
    m_session.serverConnections.append(connection);
    touch();
}

void SessionRecorder::setServerPolicy(const QString &policy)
{
    if (m_session.serverPolicy == policy)
        return;
    m_session.serverPolicy = policy;
    touch();
}

void SessionRecorder::setSession(Session session)
{
    m_session = std::move(session);
    touch();
}

void SessionRecorder::clear()
{
    m_session = Session::startingNow();
    m_eventsPerConnection.clear();
    touch();
}

void SessionRecorder::touch()
{
    ++m_revision;
    emit changed();
}

} // namespace expectlab
