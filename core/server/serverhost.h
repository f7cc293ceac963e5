#pragma once

#include "testserver.h"

#include <QHostAddress>
#include <QMetaType>
#include <QObject>

namespace expectlab {

class PartyThread;

// The test server on a thread of its own ("expectlab-server"), so that no other party and no
// repaint delays its reads or its timestamps. Requests go over as queued calls and never wait; the
// answers come back as values (stateChanged) and the accessors read this side's copy: nothing reads
// the server across threads.
class ServerHost : public QObject
{
    Q_OBJECT
public:
    explicit ServerHost(QObject *parent = nullptr);
    ~ServerHost() override;

    // Requests; stateChanged follows each listen() and close().
    void listen(const QHostAddress &address, quint16 port);
    void close();
    // Applies to connections accepted afterwards.
    void setPolicy(const ServerPolicy &policy);
    void setLimits(const ServerLimits &limits);
    // HTTPS from now on with identity; nullopt: plain HTTP. stateChanged follows.
    void setTls(const std::optional<ServerTlsIdentity> &identity);
    // Answers with synced(token) once the server has run every request asked before it: a caller
    // that must know a policy is in force before its client connects (the matrix) waits for it.
    void sync(quint64 token);
    // Real-time scheduling for the server's thread; PartyThread::realtimeChanged answers.
    PartyThread *partyThread() const { return m_thread; }

    // This side's copies: the last state the server sent, and the policy and limits asked for (the
    // server applies them in the order asked, before anything asked later).
    const ServerState &state() const { return m_state; }
    bool isListening() const { return m_state.listening; }
    QHostAddress address() const { return m_state.address; }
    quint16 port() const { return m_state.port; }
    QString url() const { return m_state.url(); }
    QString errorString() const { return m_state.error; }
    int connectionCount() const { return m_state.connections; }
    ServerPolicy policy() const { return m_policy; }
    // The identity last asked for (setTls); nullopt: plain HTTP.
    const std::optional<ServerTlsIdentity> &tlsIdentity() const { return m_tlsIdentity; }
    ServerLimits limits() const { return m_limits; }

signals:
    void stateChanged(const expectlab::ServerState &state);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void connectionCountChanged(int count);
    void connectionAccepted(int conn, const QHostAddress &peer, quint16 peerPort);
    void connectionFinished(int conn, const expectlab::WireLog &wireLog);
    void synced(quint64 token);

private:
    PartyThread *m_thread;
    TestServer *m_server; // lives in m_thread
    std::optional<ServerTlsIdentity> m_tlsIdentity;
    ServerState m_state;
    ServerPolicy m_policy;
    ServerLimits m_limits;
};

} // namespace expectlab
