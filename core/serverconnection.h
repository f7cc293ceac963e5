#pragma once

#include "httpparser.h"
#include "serverlimits.h"
#include "serverpolicy.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QList>

#include <optional>

namespace expectlab {

// The server side of one connection, sans I/O: fed bytes, the peer's close and the time; answers
// with bytes to send, a wish to close, the next deadline and timeline events. The socket adapter
// (ServerConnectionHandler) only moves bytes and time.
class ServerConnection : private HttpParser::Sink
{
public:
    enum class CloseMode {
        None,
        Graceful, // send what is queued, half-close, keep reading until the peer closes or lingers out
        Now,      // close at once
    };

    static constexpr qint64 kLingerNs = 2'000'000'000;

    ServerConnection(int id, const ServerPolicy &policy, qint64 nowNs, const ServerLimits &limits = {});

    void receive(QByteArrayView data, qint64 nowNs);
    void peerClosed(qint64 nowNs);
    void advanceTime(qint64 nowNs);
    // The adapter's last word: the socket is gone. Records the closed event once.
    void transportClosed(qint64 nowNs, const QString &transportReason = QString());
    void transportError(qint64 nowNs, const QString &message);

    QByteArray takeOutgoing();
    bool hasOutgoing() const { return !m_outgoing.isEmpty(); }
    CloseMode closeMode() const { return m_closeMode; }
    std::optional<qint64> nextDeadlineNs() const;
    QList<TimelineEvent> takeEvents();

    int id() const { return m_id; }
    bool isClosed() const { return m_closed; }
    const WireLog &wireLog() const { return m_wire; }
    int requestCount() const { return m_requestCount; }
    const ServerPolicy &policy() const { return m_policy; }

private:
    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;

    void applyDecision();
    void sendInterim(int status, const QString &why, const QString &rule);
    void sendFinal(int status, const QByteArray &jsonBody, bool close, const QString &why,
                   const QString &rule = QString());
    void sendError(int status, const QString &code, const QString &reason, const QString &rule = QString());
    void requestClose(CloseMode mode, const QString &why);
    void emitEvent(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                   const QString &rule = {});
    QString describeHead(const MessageHead &head) const;
    bool headPhase() const { return !m_inBody; }

    int m_id;
    ServerPolicy m_policy;
    ServerLimits m_limits;
    HttpParser m_parser;
    WireLog m_wire;
    QByteArray m_outgoing;
    QList<TimelineEvent> m_events;
    qint64 m_now = 0;

    // The request in progress
    MessageHead m_request;
    HeadDecision m_decision;
    bool m_headPending = false; // the parser paused on a head not decided yet
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
    int m_requestCount = 0;
    bool m_silenced = false; // policy silent: nothing more is ever sent

    // Closing
    CloseMode m_closeMode = CloseMode::None;
    QString m_closeReason;
    std::optional<qint64> m_lingerDeadlineNs;
    qint64 m_discardedBytes = 0;
    bool m_peerClosed = false;
    bool m_closed = false;
};

} // namespace expectlab
