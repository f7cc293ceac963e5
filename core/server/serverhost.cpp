#include "serverhost.h"

#include "partythread.h"
#include "testserver.h"

namespace expectlab {

ServerHost::ServerHost(QObject *parent)
    : QObject(parent)
    , m_thread(new PartyThread(QStringLiteral("expectlab-server"), this))
    , m_server(new TestServer)
{
    qRegisterMetaType<ServerState>();
    qRegisterMetaType<TimelineEvent>();
    qRegisterMetaType<WireLog>();
    qRegisterMetaType<QHostAddress>();
    m_thread->adopt(m_server);
    // Signal to signal: emitted on the server's thread, delivered here queued, as values.
    connect(m_server, &TestServer::eventRecorded, this, &ServerHost::eventRecorded);
    connect(m_server, &TestServer::connectionAccepted, this, &ServerHost::connectionAccepted);
    connect(m_server, &TestServer::connectionFinished, this, &ServerHost::connectionFinished);
    connect(m_server, &TestServer::synced, this, &ServerHost::synced);
    connect(m_server, &TestServer::stateChanged, this, [this](const ServerState &state) {
        m_state = state;
        emit stateChanged(m_state);
    });
    connect(m_server, &TestServer::connectionCountChanged, this, [this](int count) {
        m_state.connections = count;
        emit connectionCountChanged(count);
    });
}

ServerHost::~ServerHost()
{
    // Deleted in its own thread (deleteLater is safe from here), its connections with it, before
    // the thread ends.
    m_server->disconnect(this);
    m_server->deleteLater();
}

void ServerHost::listen(const QHostAddress &address, quint16 port)
{
    m_thread->post([server = m_server, address, port, policy = m_policy, limits = m_limits] {
        server->setPolicy(policy);
        server->setLimits(limits);
        server->listen(address, port); // answers with stateChanged
    });
}

void ServerHost::close()
{
    m_thread->post([server = m_server] { server->close(); });
}

void ServerHost::setPolicy(const ServerPolicy &policy)
{
    m_policy = policy;
    m_thread->post([server = m_server, policy] { server->setPolicy(policy); });
}

void ServerHost::setTls(const std::optional<ServerTlsIdentity> &identity)
{
    m_tlsIdentity = identity;
    m_thread->post([server = m_server, identity] { server->setTls(identity); });
}

void ServerHost::sync(quint64 token)
{
    // Requests run in the order posted: when this one runs, every earlier one has.
    m_thread->post([server = m_server, token] { emit server->synced(token); });
}

void ServerHost::setLimits(const ServerLimits &limits)
{
    m_limits = limits;
    m_thread->post([server = m_server, limits] { server->setLimits(limits); });
}

} // namespace expectlab
