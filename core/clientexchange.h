#pragma once

#include "bodysource.h"
#include "clientrequest.h"
#include "httpparser.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QList>

#include <memory>
#include <optional>

namespace expectlab {

// What one exchange came to: the value the CLI prints, the GUI lists and sessions keep.
struct ExchangeSummary
{
    int id = 0;
    QUrl url;
    QByteArray method;
    HttpHeaders requestHeaders; // as sent on the first attempt
    qint64 bodyBytes = 0;       // the body's size
    qint64 startNs = 0;
    qint64 endNs = 0;
    QList<TimelineEvent> events;
    QList<int> interimStatuses;
    QList<MessageHead> interimHeads;
    std::optional<int> finalStatus;
    MessageHead finalHead;
    QByteArray responseBodyPreview;
    qint64 responseBodyBytes = 0;
    std::optional<qint64> expectWaitNs;
    qint64 bodyBytesSent = 0; // over all attempts
    qint64 bytesSaved = 0;    // body bytes never sent because the server answered first
    bool expectSent = false;
    bool retried = false;
    bool cancelled = false;
    QString error;           // empty when the exchange ended with a final response
    QList<WireLog> wireLogs; // one per attempt

    bool finished() const { return endNs != 0; }
    // One sentence for a status bar: "417: server rejected the expectation; retried without Expect, ..."
    QString outcomeText() const;
};

// The client side of one exchange, sans I/O: the adapter reports connects, bytes and the time,
// and asks for bytes to send; this class decides when the body may go (the Expect handshake),
// retries after a 417 and records every step as a timeline event.
// "Waiting for 100" is a flag beside the state, as in h11.
class ClientExchange : private HttpParser::Sink
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
    void connected(qint64 nowNs, const QString &peer);
    void receive(QByteArrayView data, qint64 nowNs);
    void peerClosed(qint64 nowNs);
    void transportError(qint64 nowNs, const QString &message);
    void transportClosed(qint64 nowNs); // the socket is gone
    void advanceTime(qint64 nowNs);
    void cancel(qint64 nowNs);

    // Adapter output
    // The next bytes to write, at most about budget of them: the head, then body slices.
    QByteArray nextOutgoing(qint64 budget, qint64 nowNs);
    bool wantsToSend() const;
    bool wantsClose() const { return m_state == State::Closing; }
    bool wantsReconnect() const { return m_state == State::ReconnectPending; }
    bool isFinished() const { return m_state == State::Done; }
    std::optional<qint64> nextDeadlineNs() const;
    QList<TimelineEvent> takeEvents();

    const ExchangeSummary &summary() const { return m_summary; }
    const ClientRequest &request() const { return m_request; }
    qint64 bodySentThisAttempt() const { return m_bodySent; }
    qint64 bodySize() const { return m_bodySize; }
    bool isWaitingForContinue() const { return m_waitingForContinue; }

private:
    enum class State { Idle, Connecting, Exchanging, Closing, ReconnectPending, Done };

    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;

    void buildHead();
    void startBody(qint64 nowNs);
    void stopBody();
    void finishBody();
    void fail(const QString &message);
    void closeNow(const QString &why);
    void noteFirstAnswer();
    void emitEvent(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                   const QString &rule = {});
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
    QByteArray m_head;
    QByteArray m_expectThisAttempt;
    bool m_headSent = false;
    qint64 m_headSentNs = 0;
    bool m_waitingForContinue = false;
    std::optional<qint64> m_continueDeadlineNs;
    bool m_bodyActive = false;
    bool m_bodyDone = false;
    bool m_bodyStopped = false;
    qint64 m_bodySent = 0;
    // The rest of a chunk already begun (its data, then its CRLF): a chunk once started is finished.
    QByteArrayList m_chunkPieces;
    bool m_currentIsInterim = false;
    bool m_finalReceived = false;
    bool m_responseComplete = false;
    bool m_retryAfterClose = false;
    QString m_closeWhy;
};

} // namespace expectlab
