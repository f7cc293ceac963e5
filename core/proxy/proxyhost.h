#pragma once

#include "proxyserver.h"

#include <QHostAddress>
#include <QObject>

namespace expectlab {

class PartyThread;

// The recording proxy on a thread of its own ("expectlab-proxy"), as ServerHost runs the test
// server: requests go over as queued calls, answers come back as values, nothing is read across
// threads. The workbench's Proxy panel drives it.
class ProxyHost : public QObject
{
    Q_OBJECT
public:
    explicit ProxyHost(QObject *parent = nullptr);
    ~ProxyHost() override;

    // stateChanged follows each request.
    void listen(const QHostAddress &address, quint16 port);
    void close();
    // Applies to connections accepted afterwards.
    void setConfig(const ProxyConfig &config);
    PartyThread *partyThread() const { return m_thread; }

    const ProxyState &state() const { return m_state; }
    bool isListening() const { return m_state.listening; }
    QString url() const { return m_state.url(); }
    const ProxyConfig &config() const { return m_config; }

signals:
    void stateChanged(const expectlab::ProxyState &state);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void connectionFinished(const expectlab::ProxyConnectionLog &connection);

private:
    PartyThread *m_thread;
    ProxyServer *m_proxy; // lives in m_thread
    ProxyState m_state;
    ProxyConfig m_config;
};

} // namespace expectlab
