#include "clientprofiler.h"

#include "expectfield.h"

namespace expectlab {

void ClientProfiler::clear()
{
    m_connections.clear();
    m_rejections.clear();
    m_profiles.clear();
}

QList<TimelineEvent> ClientProfiler::consume(const TimelineEvent &e)
{
    QList<TimelineEvent> out;
    if (e.side != Side::Server || e.kind == EventKind::Profile)
        return out;
    Connection &c = m_connections[e.conn];
    switch (e.kind) {
    case EventKind::Accepted:
        if (e.endpoints)
            c.peer = e.endpoints->peerAddress;
        break;
    case EventKind::Error:
        // Our own body timeout: what follows (the 408) ends a wait the client never ended itself.
        if (c.current && e.error == ErrorKind::BodyTimeout)
            c.current->bodyTimedOut = true;
        break;
    case EventKind::Head: onHead(c, e, out); break;
    case EventKind::InterimSent:
        // Its time is when the 100 left (ServerConnection stamps sent bytes), so a body that came
        // before it is told apart from one that waited for it.
        if (c.current && c.current->interimNs < 0) {
            c.current->interimNs = e.tNs;
            c.current->profile.interimStatus = e.status;
        }
        break;
    case EventKind::BodyStart:
        if (c.current && c.current->bodyStartNs < 0)
            c.current->bodyStartNs = e.tNs;
        break;
    case EventKind::BodyDone:
        if (c.current)
            c.current->bodyDone = true;
        break;
    case EventKind::FinalSent:
    case EventKind::GarbageSent: onAnswer(c, e, out); break;
    case EventKind::Closed:
        onClosed(c, e, out);
        m_connections.remove(e.conn);
        break;
    default: break;
    }
    // Old rejections can no longer be retried: keep the list short.
    m_rejections.removeIf([&e](const Rejection &r) { return e.tNs - r.tNs > kRetryWindowNs; });
    while (m_rejections.size() > kKeptProfiles)
        m_rejections.removeFirst();
    return out;
}

void ClientProfiler::onAnswer(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out)
{
    if (!c.current || c.current->finalNs >= 0 || e.notSent)
        return;
    Request &r = *c.current;
    r.finalNs = e.tNs;
    r.profile.garbage = e.kind == EventKind::GarbageSent;
    r.profile.finalStatus = r.profile.garbage ? 0 : e.status;
    // Garbage is no final status: no early final (R21) either; what the client did then is told by
    // the close (case 18).
    r.profile.earlyFinal = r.announced && !r.bodyDone && !r.profile.garbage;
    r.answerEndedOurWait = r.bodyTimedOut;
    if (e.status == 417)
        m_rejections.append({e.conn, c.peer, r.profile.method, r.profile.target, e.tNs, false});
    // An early final's story ends with what the client does next: decided at the next head or at
    // the close; so does garbage's.
    if (!r.profile.earlyFinal && !r.profile.garbage)
        finalize(c, e, out);
}

void ClientProfiler::onClosed(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out)
{
    if (!c.current)
        return;
    Request &r = *c.current;
    r.profile.closedBy = e.closedBy;
    if (r.profile.earlyFinal) {
        r.profile.bytesBeforeFinal = qMax<qint64>(0, e.bytesBeforeFinal);
        r.profile.bytesAfterFinal = qMax<qint64>(0, e.bytesAfterFinal);
        r.profile.afterEarlyFinal = r.profile.bytesAfterFinal > 0 ? ClientProfile::AfterEarlyFinal::KeptSending
                                                                  : ClientProfile::AfterEarlyFinal::StoppedAndClosed;
        r.profile.closeAfterFinalNs = e.tNs - r.finalNs;
    } else if (r.finalNs < 0) {
        // Only the client gives up: when we closed first (policy close, a 408), it did not.
        r.profile.gaveUp = e.closedBy == Closer::Peer;
    }
    finalize(c, e, out, e.tNs);
}

void ClientProfiler::onHead(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out)
{
    std::optional<Rejection> sameConn417;
    if (c.current) {
        Request &prev = *c.current;
        if (prev.profile.finalStatus == 417)
            sameConn417 = Rejection{e.conn, c.peer, prev.profile.method, prev.profile.target, prev.finalNs, true};
        if (prev.profile.earlyFinal)
            prev.profile.afterEarlyFinal = ClientProfile::AfterEarlyFinal::Reused;
        finalize(c, e, out);
    }
    Request r;
    r.headNs = e.tNs;
    ClientProfile &p = r.profile;
    p.conn = e.conn;
    p.request = ++c.requests;
    if (e.head) {
        const MessageHead &h = *e.head;
        p.method = displayText(h.method);
        p.target = displayText(h.target);
        p.http10 = h.isHttp10();
        if (const auto expect = h.combinedHeader("Expect"))
            p.expect = displayText(*expect);
        p.chunked = h.isChunked();
        if (!p.chunked)
            p.contentLength = h.contentLength().value_or(-1);
        r.announced = h.announcesContent();
        p.expectWithoutContent = readExpect(h).isContinue() && !r.announced;
    }

    // R6's retry repeats the request without the expectation; the same request with Expect again
    // is a new request (a user sending twice), not a retry.
    if (!p.expect.isEmpty()) {
        c.current = r;
        return;
    }
    if (sameConn417 && sameConn417->method == p.method && sameConn417->target == p.target) {
        p.retryOfConn = e.conn;
        p.retrySameConnection = true;
        p.retryAfterNs = e.tNs - sameConn417->tNs;
        for (Rejection &rej : m_rejections) {
            if (rej.conn == e.conn)
                rej.matched = true;
        }
    } else if (p.request == 1) {
        // A retry on a new connection: every client on loopback has the same address, so the peer
        // address adds nothing; the most recent unmatched 417 for the same method and target within
        // kRetryWindowNs is taken as the request this one repeats.
        for (qsizetype i = m_rejections.size() - 1; i >= 0; --i) {
            Rejection &rej = m_rejections[i];
            if (rej.matched || rej.conn == e.conn || rej.method != p.method || rej.target != p.target)
                continue;
            // Off loopback the peer address tells clients apart; on it, every client shares one.
            if (!rej.peer.isLoopback() && !c.peer.isLoopback() &&
                !rej.peer.isEqual(c.peer, QHostAddress::TolerantConversion))
                continue;
            rej.matched = true;
            p.retryOfConn = rej.conn;
            p.retryAfterNs = e.tNs - rej.tNs;
            break;
        }
    }
    c.current = r;
}

void ClientProfiler::finalize(Connection &c, const TimelineEvent &at, QList<TimelineEvent> &out, qint64 endNs)
{
    if (!c.current)
        return;
    Request r = *c.current;
    c.current.reset();
    ClientProfile &p = r.profile;
    using Wait = ClientProfile::Wait;
    if (!r.announced) {
        p.wait = Wait::NoBody;
    } else if (r.bodyStartNs >= 0) {
        p.waitNs = r.bodyStartNs - r.headNs;
        const bool beforeAnswer = r.finalNs < 0 || r.bodyStartNs <= r.finalNs || p.bytesBeforeFinal > 0;
        if (p.expect.isEmpty()) {
            p.wait = Wait::None;
        } else if (r.interimNs >= 0 && r.interimNs <= r.bodyStartNs) {
            p.wait = Wait::UntilContinue;
        } else if (p.waitNs < kImmediateNs || !beforeAnswer) {
            // Right behind the head, or (after our early answer) without having waited for it.
            p.wait = Wait::None;
        } else {
            p.wait = Wait::Bounded;
            p.sentAnyway = true;
        }
    } else if (r.finalNs >= 0 && !r.answerEndedOurWait) {
        p.wait = Wait::UntilFinal;
        p.waitNs = r.finalNs - r.headNs;
    } else if (r.answerEndedOurWait) {
        // It would have waited on: our body timeout's 408 ended the wait, not the client.
        p.wait = Wait::UntilClose;
        p.waitNs = r.finalNs - r.headNs;
    } else if (endNs >= 0) {
        // It waited, and the wait ended only because the connection did: a wait of that length.
        p.wait = Wait::UntilClose;
        p.waitNs = endNs - r.headNs;
    } else {
        p.wait = Wait::NoBody;
    }
    m_profiles.append(p);
    if (m_profiles.size() > kKeptProfiles)
        m_profiles.removeFirst();
    out.append(profileEvent(p, at));
}

TimelineEvent ClientProfiler::profileEvent(const ClientProfile &p, const TimelineEvent &at) const
{
    TimelineEvent e =
        TimelineEvent::at(at.tNs, Side::Server, p.conn, EventKind::Profile, p.finalStatus, -1, p.toDetail());
    e.request = p.request;
    e.profile = std::make_shared<const ClientProfile>(p);
    if (p.expectWithoutContent)
        e.rule = QStringLiteral("R2");
    else if (p.retryOfConn)
        e.rule = QStringLiteral("R6");
    else if (p.earlyFinal)
        e.rule = QStringLiteral("R21");
    else if (p.sentAnyway)
        e.rule = QStringLiteral("R5");
    else if (p.wait == ClientProfile::Wait::None && !p.expect.isEmpty())
        e.rule = QStringLiteral("R4");
    return e;
}

} // namespace expectlab
