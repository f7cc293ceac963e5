#pragma once

#include "httpparser.h"
#include "party.h"
#include "responder.h"
#include "sendtracker.h"
#include "serverlimits.h"
#include "serverpolicy.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QList>

#include <memory>
#include <optional>

namespace expectlab {

// The server side of one connection, sans I/O: fed bytes, the peer's close and the time; answers
// with bytes to send, a wish to close, the next deadline and timeline events. The socket adapter
// (ServerConnectionHandler) only moves bytes and time. It speaks HTTP/1.1 and keeps the limits; a
// Responder (the test server's policy, later the proxy's relay) is told of each request's head,
// body and end and answers through ServerActions.
//
// Events about bytes we send (interim_sent, final_sent, garbage_sent) are held until the adapter
// says, with sent(), that those bytes were handed to the kernel, and take that time: an event's
// time is when its bytes left, not when we decided to send them.
class ServerConnection : public Party, private HttpParser::Sink, private ServerActions
{
public:
    enum class CloseMode {
        None,
        Graceful, // send what is queued, half-close, keep reading until the peer closes or lingers out
        Now,      // close at once
    };

    static constexpr qint64 kLingerNs = 2'000'000'000;

    // Under the test server's policy (a PolicyResponder).
    ServerConnection(int id, const ServerPolicy &policy, qint64 nowNs, const ServerLimits &limits = {},
                     const Endpoints &endpoints = {});
    ServerConnection(int id, std::unique_ptr<Responder> responder, qint64 nowNs, const ServerLimits &limits = {},
                     const Endpoints &endpoints = {});
    ~ServerConnection() override;

    void receive(QByteArrayView data, qint64 nowNs);
    // Parses input held back while our output waited unread; the adapter calls it once wantsInput().
    void resumeInput(qint64 nowNs) override;
    bool hasHeldInput() const override { return !m_heldInput.isEmpty(); }
    // The peer closed its side (FIN), or reset the connection.
    void peerClosed(qint64 nowNs, bool reset = false);
    void advanceTime(qint64 nowNs) override;
    // Our half-close (FIN) left: if the peer had not closed yet, we closed first.
    void halfClosed(qint64 nowNs);
    // The adapter's last word: the socket is gone. Records the closed event once.
    void transportClosed(qint64 nowNs, const QString &transportReason = QString());
    // kind: Reset, a TLS cause (TlsPlainRequest, TlsUntrusted, ...), or anything else (Transport).
    void transportError(qint64 nowNs, const QString &message, bool reset = false, ErrorKind kind = ErrorKind::None);

    QByteArray takeOutgoing();
    // The adapter handed this many more bytes of takeOutgoing()'s output to the kernel at nowNs;
    // inputWaiting: bytes of the peer's that sat in the kernel's receive queue at that moment.
    void sent(qint64 bytes, qint64 nowNs, qint64 inputWaiting = 0);
    bool hasOutgoing() const { return !m_outgoing.isEmpty(); }
    // Backpressure: a peer that does not read our responses must not make us buffer without limit,
    // so while this much of our output is still waiting for the kernel, the adapter reads no more.
    static constexpr qint64 kMaxUnsentBytes = 1 << 20;
    // Also false while a complete request waits for its answer (the next one is read after it: a
    // relay answers later, and answers leave in order), and while the responder takes no body.
    bool wantsInput() const override;
    CloseMode closeMode() const { return m_closeMode; }
    std::optional<qint64> nextDeadlineNs() const override;
    QList<TimelineEvent> takeEvents() override;

    // Party: what the Pump drives.
    void streamConnected(qint64 nowNs, const Endpoints &) override { receive({}, nowNs); }
    void streamReceived(QByteArrayView data, qint64 nowNs) override { receive(data, nowNs); }
    void streamSent(qint64 bytes, qint64 nowNs, qint64 peerWaiting) override { sent(bytes, nowNs, peerWaiting); }
    // While an early answer is on its way: what the peer had sent by then was sent without seeing it.
    bool wantsPeerWaiting() const override { return m_earlyAnswerOffset && m_out.sent() <= *m_earlyAnswerOffset; }
    void streamPeerClosed(qint64 nowNs, bool reset) override { peerClosed(nowNs, reset); }
    void streamFailed(qint64 nowNs, const QString &message, ErrorKind kind) override
    {
        transportError(nowNs, message, kind == ErrorKind::Reset, kind);
    }
    void streamTlsStarted(qint64 nowNs) override;
    void streamTlsDone(qint64 nowNs, const TlsFacts &facts) override;
    void streamHalfClosed(qint64 nowNs, bool ok) override
    {
        if (ok)
            halfClosed(nowNs);
        else
            advanceTime(nowNs + kLingerNs); // cannot half-close: the linger is over at once
    }
    void streamClosed(qint64 nowNs) override { transportClosed(nowNs); }
    QByteArray takeOutput(qint64, qint64) override { return takeOutgoing(); }
    CloseWish closeWish() const override;

    int id() const { return m_id; }
    bool isClosed() const { return m_closed; }
    // For a responder that answers later than the calls it gets (the proxy's relay, once the
    // upstream answers): the same actions it is handed in them.
    ServerActions &actions() { return *this; }
    // The request in progress has its final response (or the connection's own answer to it).
    bool isAnswered() const { return m_answered; }
    qint64 unsentBytes() const { return m_out.unsent(); }
    const WireLog &wireLog() const { return m_wire; }
    int requestCount() const { return m_requestCount; }

private:
    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;

    // ServerActions: what the responder may do
    bool continueNow(const QString &why, const QString &rule) override;
    void continueAfter(int delayMs, const QString &why, const QString &rule) override;
    void readBody() override;
    void sendInterim(int status, const QString &why, const QString &rule) override;
    void sendFinal(int status, const QByteArray &content, bool close, const QString &why, const QString &rule) override;
    void refuseExpectation(const QByteArray &content, const QString &why, const QString &rule) override;
    void sendGarbage(const QByteArray &bytes, const QString &why) override;
    void closeGracefully(const QString &why) override;
    void closeNow(const QString &why) override;
    void stayQuiet(const QString &why) override;
    void relayInterim(const MessageHead &head, const QString &why, const QString &rule) override;
    void startFinal(const MessageHead &head, bool close, const QString &why, const QString &rule) override;
    void sendContent(const QByteArray &data) override;
    void endContent() override;
    void startTunnel(const MessageHead &head, const QString &why, const QString &rule) override;
    void sendTunnelData(const QByteArray &data) override;
    void queueInterim(const MessageHead &head, const QString &why, const QString &rule);
    void finishStreamedFinal();
    // A Content-Length over the body limit answers 413 in place of whatever the responder chose,
    // unless it refused the expectation (417 says more: R11).
    bool answeredByBodyLimit();

    void consume(QByteArrayView data);
    void headComplete();
    void discard(QByteArrayView data);
    void respond(int status, const QByteArray &content, bool close, const QString &why, const QString &rule);
    void sendError(int status, const QString &code, const QString &reason, const QString &rule = QString());
    void queueSend(const QByteArray &bytes, bool body);
    void requestClose(CloseMode mode, const QString &why);
    TimelineEvent event(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                        const QString &rule = {}) const;
    void emitEvent(const TimelineEvent &e) { m_events.append(e); }
    void emitSentEvent(const TimelineEvent &e, qint64 streamOffset);
    QString describeHead(const MessageHead &head) const;
    bool headPhase() const { return !m_inBody; }
    void armBodyDeadline();
    std::optional<qint64> sendStallDeadlineNs() const;

    int m_id;
    std::unique_ptr<Responder> m_responder; // what the application says; this class only speaks HTTP/1.1
    ServerLimits m_limits;
    HttpParser m_parser;
    WireLog m_wire;
    SendTracker m_out; // our output on its way to the kernel, and the events waiting for it
    QByteArray m_outgoing;
    QByteArray m_heldInput; // input not parsed while too much of our output waits unread
    QList<TimelineEvent> m_events;
    qint64 m_now = 0;

    // The request in progress
    MessageHead m_request;
    std::optional<QString> m_bodyLimitWhy; // while the responder decides on a head over the limit
    QString m_continueWhy, m_continueRule; // of a 100 that waits (continueAfter)
    bool m_answered = false;               // a final response to the request in progress is queued
    bool m_headPending = false;            // the parser paused on a head not decided yet
    bool m_inBody = false;
    bool m_moreInSegment = false; // bytes followed the head in the same receive()
    bool m_expectsContinue = false;
    bool m_interimSent = false;
    bool m_bodyBeforeInterim = false;
    qint64 m_bodyBytes = 0;
    qint64 m_headBytes = 0; // bytes of the head being read
    std::optional<qint64> m_continueDeadlineNs;
    std::optional<qint64> m_headDeadlineNs;
    std::optional<qint64> m_idleDeadlineNs;
    std::optional<qint64> m_bodyDeadlineNs;
    int m_requestCount = 0;
    bool m_silenced = false;         // policy silent: nothing more is ever sent
    bool m_requestComplete = false;  // the request in progress was read to its end
    bool m_tunnel = false;           // a CONNECT was answered: bytes both ways, no HTTP
    bool m_drainAfterAnswer = false; // answered early, keeping the connection: the body is read and dropped

    // A final response whose content the responder streams (startFinal ... endContent)
    bool m_streaming = false;
    bool m_streamHasContent = false;
    bool m_streamChunked = false;
    bool m_streamClose = false; // Connection: close, or content delimited by the close
    QString m_streamWhy;

    // Closing
    CloseMode m_closeMode = CloseMode::None;
    QString m_closeReason;
    std::optional<qint64> m_lingerDeadlineNs;
    // Where in our output the answer that ended the request early begins (an early final, a 4xx
    // with close, garbage): bytes that arrive before it left were sent without waiting for it.
    std::optional<qint64> m_earlyAnswerOffset;
    qint64 m_discardedBytes = 0;
    qint64 m_discardedBeforeAnswer = 0;
    qint64 m_waitingAtAnswer = 0; // input already in the kernel when our early answer left
    bool m_discardNoted = false;
    Closer m_closedBy = Closer::Unknown;
    bool m_peerReset = false;
    bool m_peerClosed = false;
    bool m_closed = false;
};

} // namespace expectlab
