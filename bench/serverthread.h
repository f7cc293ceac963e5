#pragma once

// Our TestServer on its own thread, so that an in-process client and the server each get a core
// (as two processes would) while the benchmark still sees the server's own timestamps.

#include "testserver.h"

#include <QHash>
#include <QThread>

#include <mutex>
#include <vector>

namespace bench {

class ServerThread
{
public:
    explicit ServerThread(const expectlab::ServerPolicy &policy)
    {
        m_thread.start();
        m_context.moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            &m_context,
            [this, policy] {
                m_server = new expectlab::TestServer;
                m_server->setPolicy(policy);
                expectlab::ServerLimits limits;
                limits.maxConnections = 0;
                m_server->setLimits(limits);
                QObject::connect(m_server, &expectlab::TestServer::connectionAccepted, m_server,
                                 [this](int conn, const QHostAddress &, quint16 peerPort) {
                                     std::lock_guard lock(m_mutex);
                                     m_portOfConn.insert(conn, peerPort);
                                 });
                QObject::connect(m_server, &expectlab::TestServer::eventRecorded, m_server,
                                 [this](const expectlab::TimelineEvent &e) { onEvent(e); });
                m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->port();
            },
            Qt::BlockingQueuedConnection);
    }
    ~ServerThread()
    {
        QMetaObject::invokeMethod(
            &m_context, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }

    struct Wait
    {
        quint16 peerPort;
        qint64 ns; // head received to 100 sent
    };
    std::vector<Wait> takeWaits()
    {
        std::lock_guard lock(m_mutex);
        return std::exchange(m_waits, {});
    }

private:
    void onEvent(const expectlab::TimelineEvent &e)
    {
        std::lock_guard lock(m_mutex);
        if (e.kind == expectlab::EventKind::Head)
            m_headAt.insert(e.conn, e.tNs);
        else if (e.kind == expectlab::EventKind::InterimSent && e.status == 100 && m_headAt.contains(e.conn))
            m_waits.push_back({m_portOfConn.value(e.conn), e.tNs - m_headAt.take(e.conn)});
    }

    QThread m_thread;
    QObject m_context;
    expectlab::TestServer *m_server = nullptr;
    quint16 m_port = 0;
    std::mutex m_mutex;
    QHash<int, qint64> m_headAt;
    QHash<int, quint16> m_portOfConn;
    std::vector<Wait> m_waits;
};

} // namespace bench
