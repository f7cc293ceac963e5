#pragma once

#include "bodysource.h"
#include "clientrequest.h"
#include "exchangesummary.h"
#include "httpparser.h"
#include "party.h"
#include "sendtracker.h"

#include <QList>

#include <memory>
#include <optional>

namespace expectlab {

// The client side of one exchange, sans I/O: the adapter reports connects, bytes and the time,
// and asks for bytes to send; this class decides when the body may go (the Expect handshake),
// retries after a 417 and records every step as a timeline event.
// "Waiting for 100" is a flag beside the state, as in h11: it is the continue deadline being set.
//
// Events about bytes we send (head_sent, body_start, body_done) wait until the adapter says, with
// sent(), that the bytes reached the kernel, and take that time.
class ClientExchange : public Party, private HttpParser::Sink
{
public:
    static constexpr qsizetype kResponsePreview = 64 * 1024;
    // A server can send anything: bound what one response may cost us.
    static constexpr qint64 kMaxResponseHeadBytes = 64 * 1024;
    static constexpr int kMaxInterimResponses = 100;

    ClientExchange(int id, ClientRequest request, std::unique_ptr<BodySource> body);
    ~ClientExchange() override;

    // Adapter input
    void start(qint64 nowNs); // an attempt begins: connect now
    void connected(qint64 nowNs, const Endpoints &endpoints);
    void receive(QByteArrayView data, qint64 nowNs);
    // The server closed (FIN), or reset the connection.
    void peerClosed(qint64 nowNs, bool reset = false);
    void transportError(qint64 nowNs, const QString &message, ErrorKind kind = ErrorKind::Transport);
    void transportClosed(qint64 nowNs); // the socket is gone
    void advanceTime(qint64 nowNs) override;
    void cancel(qint64 nowNs);
    // The adapter handed this many more bytes of nextOutgoing()'s output to the kernel at nowNs.
    void sent(qint64 bytes, qint64 nowNs);

    // Adapter output
    // The next bytes to write, at most about budget of them: the head, then body slices.
    QByteArray nextOutgoing(qint64 budget, qint64 nowNs);
    bool wantsToSend() const;
    bool wantsClose() const { return m_state == State::Closing; }
    bool wantsReconnect() const { return m_state == State::ReconnectPending; }
    bool isFinished() const { return m_state == State::Done; }
    std::optional<qint64> nextDeadlineNs() const override;
    QList<TimelineEvent> takeEvents() override;

    // Party: what the Pump drives, one attempt's connection at a time.
    void streamConnected(qint64 nowNs, const Endpoints &endpoints) override { connected(nowNs, endpoints); }
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
        return wantsToSend() ? nextOutgoing(budget, nowNs) : QByteArray();
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

    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;

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
    void emitSentEvent(const TimelineEvent &e, qint64 lastByteOffset);
    void noteHeadSent(qint64 tNs);
    WireLog &wire() { return m_summary.wireLogs.last(); }

    ClientRequest m_request;
    std::unique_ptr<BodySource> m_body;
    std::unique_ptr<HttpParser> m_parser;
    ExchangeSummary m_summary;
    qsizetype m_eventsTaken = 0;
    State m_state = State::Idle;
    qint64 m_now = 0;
    qint64 m_deadlineNs = 0;
    qint64 m_bodySize = 0;
    bool m_hasContent = false;

    // The attempt in progress
    int m_attempt = 0;
    qint64 m_attemptStartNs = 0;
    MessageHead m_requestHead;
    QByteArray m_head; // m_requestHead as bytes
    QByteArray m_expectThisAttempt;
    bool m_headQueued = false;                  // handed to the adapter
    std::optional<qint64> m_headSentNs;         // when it reached the kernel
    std::optional<qint64> m_continueDeadlineNs; // set while waiting for a 100
    Body m_bodyState = Body::Waiting;
    qint64 m_bodySent = 0;
    // The rest of a chunk already begun (its data, then its CRLF): a chunk once started is finished.
    QByteArrayList m_chunkPieces;
    bool m_currentIsInterim = false;
    bool m_finalReceived = false;
    bool m_retryAfterClose = false;
    bool m_failedThisAttempt = false;
    qint64 m_unreadAfterFinal = 0;
    QString m_closeWhy;
    // Output bookkeeping for sent(): bytes handed to the adapter, and of those to the kernel.
    SendTracker m_out; // this attempt's output on its way to the kernel, and the events waiting for it
    Closer m_closedBy = Closer::Unknown;
    bool m_peerReset = false;
};

} // namespace expectlab
