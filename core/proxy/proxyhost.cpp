#include "proxyhost.h"

#include "partythread.h"

namespace expectlab {

ProxyHost::ProxyHost(QObject *parent)
    : QObject(parent)
    , m_thread(new PartyThread(QStringLiteral("expectlab-proxy"), this))
    , m_proxy(new ProxyServer)
{
    qRegisterMetaType<TimelineEvent>();
    qRegisterMetaType<ProxyConnectionLog>();
    m_thread->adopt(m_proxy);
    // Emitted on the proxy's thread, delivered here queued, as values.
    connect(m_proxy, &ProxyServer::eventRecorded, this, &ProxyHost::eventRecorded);
    connect(m_proxy, &ProxyServer::connectionFinished, this, &ProxyHost::connectionFinished);
    connect(m_proxy, &ProxyServer::stateChanged, this, [this](const ProxyState &state) {
        m_state = state;
        emit stateChanged(m_state);
    });
}

ProxyHost::~ProxyHost()
{
    // Deleted in its own thread, its connections with it, before the thread ends.
    m_proxy->disconnect(this);
    m_proxy->deleteLater();
}

void ProxyHost::listen(const QHostAddress &address, quint16 port)
{
    m_thread->post([proxy = m_proxy, address, port, config = m_config] {
        proxy->setConfig(config);
        proxy->listen(address, port); // answers with stateChanged
    });
}

void ProxyHost::close()
{
    m_thread->post([proxy = m_proxy] { proxy->close(); });
}

void ProxyHost::setConfig(const ProxyConfig &config)
{
    m_config = config;
    m_state.config = config;
    m_thread->post([proxy = m_proxy, config] { proxy->setConfig(config); });
}

} // namespace expectlab
