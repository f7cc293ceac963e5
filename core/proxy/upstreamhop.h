#pragma once

#include "clientconnection.h"
#include "party.h"
#include "sendtracker.h"

#include <QUrl>

#include <optional>

namespace expectlab {

struct ProxyIds;

// The proxy's client side, facing the upstream, sans I/O: one HTTP/1.1 connection at a time (kept
// alive between requests when both ends allow it), over the same ClientConnection core as our
// client and the probe. The relay gives it a request (head, body data, end) and hears back the
// upstream's 1xx, final head, content and end, or why none will come. It does not know why it sends
// what it sends: Expect, the hold, the HTTP version are the relay's decisions.
//
// The adapter opens a connection when wantsConnection() says so, to origin(); this party is then
// driven by a Pump over that stream, and by a new one over the next connection.
class UpstreamHop : public Party, private ClientConnection::Listener
{
public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void upstreamHeadSent(qint64 tNs) = 0;                           // the request head reached the kernel
        virtual void upstreamHead(const MessageHead &head) = 0;                  // a 1xx or the final head
        virtual void upstreamData(QByteArrayView data) = 0;                      // the final's content
        virtual void upstreamEnd() = 0;                                          // the final response is complete
        virtual void upstreamFailed(ErrorKind kind, const QString &message) = 0; // no (more) answer
        virtual void upstreamDrained() = 0; // the request's output went out: more body may be given
        // A tunnel (CONNECT): the connection is up, bytes came, the upstream closed it.
        virtual void upstreamTunnelOpen() {}
        virtual void upstreamTunnelData(QByteArrayView) {}
        virtual void upstreamTunnelClosed(bool) {}
    };

    static constexpr qint64 kMaxResponseHeadBytes = 64 * 1024;
    static constexpr int kMaxInterims = 100;

    UpstreamHop(Listener *listener, ProxyIds *ids, int connectTimeoutMs, int answerTimeoutMs);
    ~UpstreamHop() override;

    // --- The relay
    // Sends head for exchange to origin (scheme://host:port): on the open connection when it goes to
    // the same origin and may be reused, otherwise on a new one.
    void startRequest(const QUrl &origin, const MessageHead &head, int exchange, qint64 nowNs);
    void sendData(const QByteArray &data, qint64 nowNs);
    // A tunnel for exchange to origin's host and port: a new plain TCP connection that carries
    // sendData's bytes as they are and reports what comes back unparsed (CONNECT).
    void startTunnel(const QUrl &origin, int exchange, qint64 nowNs);
    bool isTunnel() const { return m_tunnel; }
    qint64 tunnelBytesSent() const { return m_tunnelOut.sent(); }
    qint64 tunnelBytesReceived() const { return m_tunnelIn; }
    void sendEnd(qint64 nowNs);
    // The request's body stops here (an early final came): the connection is not reused (R19).
    void stopBody(qint64 nowNs);
    // Gives the request up and closes the connection now (the client went away).
    void abort(const QString &why, qint64 nowNs);
    // Request bytes queued and not in the kernel yet: the relay gives no more body above a window.
    qint64 backlog() const;
    bool isConnecting() const { return m_state == State::Wanted || m_state == State::Connecting; }
    bool requestInProgress() const { return m_exchange != 0; }
    int connectionId() const { return m_connId; }
    // The current (or last) upstream connection's bytes both ways, and its far end.
    const WireLog &wireLog() const { return m_wire; }
    const Endpoints &endpoints() const { return m_endpoints; }

    // --- The adapter
    bool wantsConnection() const { return m_state == State::Wanted; }
    const QUrl &origin() const { return m_origin; }
    // The adapter began connecting to origin() (a stream and its pump exist from now on).
    void connecting(qint64 nowNs);

    // --- Party
    void streamConnected(qint64 nowNs, const Endpoints &endpoints) override;
    void streamTlsStarted(qint64 nowNs) override;
    void streamTlsDone(qint64 nowNs, const TlsFacts &facts) override;
    void streamReceived(QByteArrayView data, qint64 nowNs) override;
    void streamSent(qint64 bytes, qint64 nowNs, qint64 peerWaiting) override;
    void streamPeerClosed(qint64 nowNs, bool reset) override;
    void streamFailed(qint64 nowNs, const QString &message, ErrorKind kind) override;
    void streamClosed(qint64 nowNs) override;
    void advanceTime(qint64 nowNs) override;
    QByteArray takeOutput(qint64 budget, qint64 nowNs) override;
    bool wantsInput() const override;
    CloseWish closeWish() const override { return m_state == State::Closing ? CloseWish::Now : CloseWish::None; }
    std::optional<qint64> nextDeadlineNs() const override;
    QList<TimelineEvent> takeEvents() override { return std::exchange(m_events, {}); }

    // The relay: no more of the upstream's content while the client's side is this far behind.
    void setReadWindowFull(bool full) { m_readWindowFull = full; }

private:
    enum class State { None, Wanted, Connecting, Open, Closing };

    // ClientConnection::Listener
    HttpParser::HeadAction responseHead(const MessageHead &head) override;
    void responseData(QByteArrayView data) override;
    void responseEnd() override;
    void responseFailed(ErrorKind kind, const QString &message) override;
    void outputEvent(const TimelineEvent &event) override;
    WireLog &wireLog() override { return m_wire; }

    void queueRequest();
    void fail(ErrorKind kind, const QString &message);
    void closeConnection(const QString &why);
    void endRequest();
    bool connectionReusable() const;
    void armAnswerDeadline();
    TimelineEvent event(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                        const QString &rule = {}) const;
    void emitEvent(const TimelineEvent &e) { m_events.append(e); }

    Listener *m_listener;
    ProxyIds *m_ids;
    int m_connectTimeoutMs;
    int m_answerTimeoutMs;
    QList<TimelineEvent> m_events;
    qint64 m_now = 0;

    // The connection
    State m_state = State::None;
    QUrl m_origin;
    int m_connId = 0;
    std::unique_ptr<ClientConnection> m_conn;
    WireLog m_wire;
    Endpoints m_endpoints;
    int m_requestsOnConnection = 0;
    bool m_reusable = false; // the last response allows another request on this connection
    QString m_closeWhy;
    Closer m_closedBy = Closer::Unknown;
    bool m_peerReset = false;
    std::optional<qint64> m_connectDeadlineNs;
    std::optional<qint64> m_answerDeadlineNs;
    bool m_readWindowFull = false;

    // The request in progress (exchange 0: none)
    int m_exchange = 0;
    MessageHead m_head;
    bool m_headQueued = false;
    bool m_bodyDone = false;    // the end of the body was queued
    bool m_bodyStopped = false; // an early final stopped it
    bool m_headIsHead = false;  // a HEAD request: its response has no content
    bool m_finalReceived = false;
    qint64 m_bodySent = 0;
    qint64 m_responseBytes = 0;
    QList<QByteArray> m_pendingBody; // body given before the connection was open
    bool m_pendingEnd = false;

    // A tunnel (CONNECT): raw bytes both ways, no ClientConnection
    bool m_tunnel = false;
    QByteArrayList m_tunnelPieces;
    SendTracker m_tunnelOut;
    qint64 m_tunnelIn = 0;
    int m_tunnelConnId = -1;
};

} // namespace expectlab
