#pragma once

#include "clientconnection.h"
#include "party.h"
#include "probescenario.h"

#include <optional>

namespace expectlab {

// Runs one scenario's script on one connection, sans I/O: fed the connect result, response bytes,
// the peer's close and the time; answers with bytes to send, a wish to close, the next deadline and
// the observation. It is a driver over the same client core as a composed request
// (ClientConnection), in its lenient reading: a probe records what a client would refuse. The
// socket adapter (ProbeRunner) only moves bytes and time.
class ProbeExchange : public Party, private ClientConnection::Listener
{
public:
    ProbeExchange(int id, QList<ProbeStep> steps, qint64 nowNs, const QString &connectDetail = QString());

    void connected(qint64 nowNs);
    void connectFailed(qint64 nowNs, const QString &message);
    void receive(QByteArrayView data, qint64 nowNs);
    void peerClosed(qint64 nowNs, bool reset = false);
    void transportError(qint64 nowNs, const QString &message);
    void advanceTime(qint64 nowNs) override;

    QByteArray takeOutgoing();
    // The adapter handed this many more bytes of takeOutgoing()'s output to the kernel at nowNs.
    void sent(qint64 bytes, qint64 nowNs);
    bool wantsClose() const { return m_finished; }
    bool isFinished() const { return m_finished; }
    std::optional<qint64> nextDeadlineNs() const override;
    // The new events since the last call (the observation keeps all of them).
    QList<TimelineEvent> takeEvents() override;

    // Party: what the Pump drives.
    void streamConnected(qint64 nowNs, const Endpoints &) override { connected(nowNs); }
    // Over TLS the scenario starts when the handshake is done: its waits never include it, and a
    // handshake that fails is a failed connection (one clear error), not a reset (issue 15).
    void streamTlsStarted(qint64 nowNs) override;
    void streamTlsDone(qint64 nowNs, const TlsFacts &facts) override;
    void streamReceived(QByteArrayView data, qint64 nowNs) override { receive(data, nowNs); }
    void streamSent(qint64 bytes, qint64 nowNs, qint64) override { sent(bytes, nowNs); }
    void streamPeerClosed(qint64 nowNs, bool reset) override { peerClosed(nowNs, reset); }
    void streamFailed(qint64 nowNs, const QString &message, ErrorKind) override;
    void streamClosed(qint64 nowNs) override { finish(nowNs); }
    QByteArray takeOutput(qint64, qint64) override { return takeOutgoing(); }
    CloseWish closeWish() const override { return isFinished() ? CloseWish::Now : CloseWish::None; }
    const ProbeObservation &observation() const { return m_obs; }

private:
    // ClientConnection::Listener
    HttpParser::HeadAction responseHead(const MessageHead &head) override;
    void responseData(QByteArrayView data) override;
    void responseEnd() override;
    void responseFailed(ErrorKind kind, const QString &message) override;
    void outputEvent(const TimelineEvent &event) override { m_obs.events.append(event); }
    WireLog &wireLog() override { return m_wire; }

    void run(); // executes steps until one has to wait
    bool awaitSatisfied() const;
    bool stepApplies(const ProbeStep &step) const;
    void finish(qint64 nowNs);
    void emitEvent(EventKind kind, int status = 0, qint64 bytes = -1, const QString &detail = {},
                   const QString &rule = {});

    int m_id;
    QList<ProbeStep> m_steps;
    ClientConnection m_conn;
    ProbeObservation m_obs;
    WireLog m_wire; // bounded; the probe keeps its evidence as events
    struct Stamp
    {
        qint64 lastOffset = 0;
        int sentIndex = 0; // into m_obs.sentStepNs
    };
    QList<Stamp> m_stamps;
    qsizetype m_newEvents = 0; // events already handed out by takeEvents()
    qint64 m_now = 0;
    int m_step = 0;
    bool m_connected = false;
    bool m_handshaking = false; // TLS: connected, scenario not started yet
    QString m_target;           // host:port, for the connect error
    bool m_finished = false;
    // The current Await step
    std::optional<qint64> m_awaitDeadlineNs;
    int m_responsesAtAwait = 0; // responses that began before the current wait
};

} // namespace expectlab
