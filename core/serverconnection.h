#pragma once

#include "httpparser.h"
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

    ServerConnection(int id, const ServerPolicy &policy, qint64 nowNs);

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

private:
    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;

    void applyDecision();
    void sendInterim(qint64 nowNs);
    void sendFinal(int status, const QByteArray &jsonBody, bool close, const QString &why);
    void requestClose(CloseMode mode, const QString &why);
    void emitEvent(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                   const QString &rule = {});
    QString describeHead(const MessageHead &head) const;

    int m_id;
    ServerPolicy m_policy;
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
    std::optional<qint64> m_continueDeadlineNs;
    int m_requestCount = 0;

    // Closing
    CloseMode m_closeMode = CloseMode::None;
    QString m_closeReason;
    std::optional<qint64> m_lingerDeadlineNs;
    qint64 m_discardedBytes = 0;
    bool m_peerClosed = false;
    bool m_closed = false;
};

} // namespace expectlab
