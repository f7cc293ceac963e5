#pragma once

#include "clientconnection.h"
#include "clientrequest.h"
#include "exchangesummary.h"
#include "party.h"

#include <QList>

#include <memory>
#include <optional>

namespace expectlab {

// The driver of one composed request, sans I/O, above the connection protocol (ClientConnection, a
// new one per attempt): it builds the head, decides when the body may go (the Expect handshake, R3,
// R5), bounds the exchange in time, retries without Expect after a 417 (R6) and records every step
// as a timeline event. It reads no body: the adapter pushes body bytes (pushBody) as bodyWanted()
// asks for them, so a file's I/O stays in the adapter (BodyFeeder).
// "Waiting for 100" is a flag beside the state, as in h11: it is the continue deadline being set.
class ClientExchange : public Party, private ClientConnection::Listener
{
public:
    static constexpr qsizetype kResponsePreview = 64 * 1024;
    // A server can send anything: bound what one response may cost us.
    static constexpr qint64 kMaxResponseHeadBytes = 64 * 1024;
    static constexpr int kMaxInterimResponses = 100;

    // bodySize: the body's length in bytes, nullopt for a request without a body.
    ClientExchange(int id, ClientRequest request, std::optional<qint64> bodySize);
    ~ClientExchange() override;

    // Adapter input
    void start(qint64 nowNs); // an attempt begins: connect now
    void connected(qint64 nowNs, const Endpoints &endpoints);
    // The TLS handshake of this attempt's connection (issue 15): its own phase, before the head.
    void tlsStarted(qint64 nowNs);
    void tlsDone(qint64 nowNs, const TlsFacts &facts);
    void receive(QByteArrayView data, qint64 nowNs);
    // The server closed (FIN), or reset the connection.
    void peerClosed(qint64 nowNs, bool reset = false);
    void transportError(qint64 nowNs, const QString &message, ErrorKind kind = ErrorKind::Transport);
    void transportClosed(qint64 nowNs); // the socket is gone
    void advanceTime(qint64 nowNs) override;
    void cancel(qint64 nowNs);
    // The adapter handed this many more bytes of nextOutgoing()'s output to the kernel at nowNs.
    void sent(qint64 bytes, qint64 nowNs);

    // The body: how many more bytes it would take now (0 while it must wait, or is done), the next
    // of them, and a failure to produce them (a file read error, a rewind that failed).
    qint64 bodyWanted() const;
    void pushBody(const QByteArray &slice, qint64 nowNs);
    void bodyFailed(qint64 nowNs, const QString &message);

    // Adapter output
    // The next bytes to write: the head, then the body slices pushed so far.
    QByteArray nextOutgoing(qint64 nowNs);
    bool wantsToSend() const;
    bool wantsClose() const { return m_state == State::Closing; }
    bool wantsReconnect() const { return m_state == State::ReconnectPending; }
    bool isFinished() const { return m_state == State::Done; }
    std::optional<qint64> nextDeadlineNs() const override;
    QList<TimelineEvent> takeEvents() override;

    // Party: what the Pump drives, one attempt's connection at a time.
    void streamConnected(qint64 nowNs, const Endpoints &endpoints) override { connected(nowNs, endpoints); }
    void streamTlsStarted(qint64 nowNs) override { tlsStarted(nowNs); }
    void streamTlsDone(qint64 nowNs, const TlsFacts &facts) override { tlsDone(nowNs, facts); }
    void streamReceived(QByteArrayView data, qint64 nowNs) override { receive(data, nowNs); }
    void streamSent(qint64 bytes, qint64 nowNs, qint64) override { sent(bytes, nowNs); }
    void streamPeerClosed(qint64 nowNs, bool reset) override { peerClosed(nowNs, reset); }
    void streamFailed(qint64 nowNs, const QString &message, ErrorKind kind) override
    {
        transportError(nowNs, message, kind);
    }
    void streamClosed(qint64 nowNs) override { transportClosed(nowNs); }
    QByteArray takeOutput(qint64 budget, qint64 nowNs) override
    {
        Q_UNUSED(budget);
        return wantsToSend() ? nextOutgoing(nowNs) : QByteArray();
    }
    CloseWish closeWish() const override { return wantsClose() ? CloseWish::Now : CloseWish::None; }

    const ExchangeSummary &summary() const { return m_summary; }
    const ClientRequest &request() const { return m_request; }
    qint64 bodySentThisAttempt() const { return m_bodySent; }
    qint64 bodySize() const { return m_bodySize; }
    bool isWaitingForContinue() const { return m_continueDeadlineNs.has_value(); }

private:
    enum class State { Idle, Connecting, Exchanging, Closing, ReconnectPending, Done };
    // Where the body of the attempt stands.
    enum class Body { Waiting, Sending, Done, Stopped };

    // ClientConnection::Listener
    HttpParser::HeadAction responseHead(const MessageHead &head) override;
    void responseData(QByteArrayView data) override;
    void responseEnd() override;
    void responseFailed(ErrorKind kind, const QString &message) override { fail(kind, message); }
    void outputEvent(const TimelineEvent &event) override;
    WireLog &wireLog() override { return m_summary.wireLogs.last(); }

    HttpParser::HeadAction onInterim(const MessageHead &head);
    void buildHead();
    void startBody();
    void stopBody(bool answered);
    void finishBody();
    void fail(ErrorKind kind, const QString &message);
    void closeNow(const QString &why);
    void noteFirstAnswer();
    void endAttempt();
    TimelineEvent event(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                        const QString &rule = {}) const;
    void emitEvent(const TimelineEvent &e);
    void noteHeadSent(qint64 tNs);

    ClientRequest m_request;
    std::unique_ptr<ClientConnection> m_conn; // the attempt's
    ExchangeSummary m_summary;
    qsizetype m_eventsTaken = 0;
    State m_state = State::Idle;
    qint64 m_now = 0;
    qint64 m_deadlineNs = 0;
    bool m_hasBody = false; // framing fields go out even for an empty body
    qint64 m_bodySize = 0;
    bool m_hasContent = false; // a body that needs sending: chunked, or of non-zero length

    // The attempt in progress
    int m_attempt = 0;
    qint64 m_attemptStartNs = 0;
    MessageHead m_requestHead;
    QByteArray m_expectThisAttempt;
    bool m_headQueued = false;                  // handed to the adapter
    std::optional<qint64> m_headSentNs;         // when it reached the kernel
    std::optional<qint64> m_continueDeadlineNs; // set while waiting for a 100
    Body m_bodyState = Body::Waiting;
    qint64 m_bodySent = 0;
    bool m_finalReceived = false;
    bool m_retryAfterClose = false;
    bool m_failedThisAttempt = false;
    qint64 m_unreadAfterFinal = 0;
    qint64 m_receivedThisAttempt = 0; // response bytes of this attempt, any kind
    QString m_closeWhy;
    Closer m_closedBy = Closer::Unknown;
    bool m_peerReset = false;
};

} // namespace expectlab
