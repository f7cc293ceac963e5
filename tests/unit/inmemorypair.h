#pragma once

// A client exchange and the server side wired together in memory with a fake clock, as h11's
// ConnectionPair: whole scenarios run in microseconds and deterministically, without sockets.
#include "bodyfeeder.h"
#include "clientexchange.h"
#include "serverconnection.h"

#include <memory>

namespace expectlab::testing {

class InMemoryPair
{
public:
    static constexpr qint64 kMs = 1'000'000;

    InMemoryPair(const ServerPolicy &policy, ClientRequest request, qint64 sliceBytes = 4096)
        : m_policy(policy)
        , m_slice(sliceBytes)
    {
        QString error;
        ClientUpload upload = makeClientUpload(1, std::move(request), &error);
        client = std::move(upload.exchange);
        feeder = std::move(upload.feeder);
    }

    // Runs until the client is finished or nothing is left to happen; false if the guard tripped.
    bool run()
    {
        feeder->startAttempt(now);
        connect();
        for (int guard = 0; guard < 100000; ++guard) {
            if (client->isFinished())
                return true;
            if (step())
                continue;
            // Nothing moves: jump to the next deadline of either side.
            std::optional<qint64> next = client->nextDeadlineNs();
            if (server && !server->isClosed()) {
                if (auto s = server->nextDeadlineNs(); s && (!next || *s < *next))
                    next = s;
            }
            if (!next)
                return client->isFinished();
            now = qMax(now, *next);
            client->advanceTime(now);
            if (server && !server->isClosed())
                server->advanceTime(now);
        }
        return false;
    }

    QStringList clientKinds() const { return kinds(clientEvents); }
    QStringList serverKinds() const { return kinds(serverEvents); }
    const ExchangeSummary &summary() const { return client->summary(); }

    std::unique_ptr<ClientExchange> client;
    std::unique_ptr<BodyFeeder> feeder; // the adapter's half: moves the body into client
    std::unique_ptr<ServerConnection> server;
    QList<TimelineEvent> clientEvents;
    QList<TimelineEvent> serverEvents;
    qint64 now = 1000 * kMs;
    int serverConnections = 0;

private:
    static QStringList kinds(const QList<TimelineEvent> &events)
    {
        QStringList out;
        for (const auto &e : events)
            out << (e.hasStatus() ? QStringLiteral("%1:%2").arg(kindName(e.kind)).arg(e.status) : kindName(e.kind));
        return out;
    }

    void connect()
    {
        drain();
        server = std::make_unique<ServerConnection>(++serverConnections, m_policy, now);
        m_serverHalfClosed = false;
        m_clientSawEof = false;
        client->connected(now, {});
        drain();
    }

    void drain()
    {
        clientEvents += client->takeEvents();
        if (server)
            serverEvents += server->takeEvents();
    }

    // One round of moving bytes and closes; true when something happened.
    bool step()
    {
        bool moved = false;
        if (client->wantsToSend() && server && !server->isClosed()) {
            const QByteArray out = feeder->nextOutgoing(m_slice, now);
            client->sent(out.size(), now);
            if (!out.isEmpty()) {
                server->receive(out, now);
                moved = true;
            }
        }
        if (server && server->hasOutgoing()) {
            const QByteArray out = server->takeOutgoing();
            server->sent(out.size(), now); // in memory, handed over at once
            client->receive(out, now);
            moved = true;
        }
        if (server && !server->isClosed()) {
            if (server->closeMode() == ServerConnection::CloseMode::Graceful && !m_serverHalfClosed) {
                m_serverHalfClosed = true; // FIN: the client reads end of stream
                client->peerClosed(now);
                m_clientSawEof = true;
                moved = true;
            } else if (server->closeMode() == ServerConnection::CloseMode::Now) {
                server->transportClosed(now);
                if (!m_clientSawEof) {
                    client->peerClosed(now);
                    m_clientSawEof = true;
                }
                moved = true;
            }
        }
        if (client->wantsClose()) {
            client->transportClosed(now);
            if (server && !server->isClosed()) {
                server->peerClosed(now);
                server->transportClosed(now);
            }
            moved = true;
        }
        drain();
        if (client->wantsReconnect()) {
            feeder->startAttempt(now);
            connect();
            moved = true;
        }
        return moved;
    }

    ServerPolicy m_policy;
    qint64 m_slice;
    bool m_serverHalfClosed = false;
    bool m_clientSawEof = false;
};

} // namespace expectlab::testing
