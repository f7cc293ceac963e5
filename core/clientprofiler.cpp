#include "clientprofiler.h"

#include <QRegularExpression>

namespace expectlab {

namespace {
QString msText(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 1);
}

// The server's head event says "POST /x HTTP/1.1; Expect: 100-continue; Content-Length: 16; chunked"
// (ServerConnection::describeHead). Events carry no structured head, so this parses that text.
void parseHeadDetail(const QString &detail, ClientProfile &p)
{
    static const QRegularExpression line(QStringLiteral("^(\\S+) (\\S+) HTTP/(\\d)\\.(\\d)"));
    const QStringList parts = detail.split(QStringLiteral("; "));
    if (const auto m = line.match(parts.value(0)); m.hasMatch()) {
        p.method = m.captured(1);
        p.target = m.captured(2);
        p.http10 = m.captured(3) == QLatin1String("1") && m.captured(4) == QLatin1String("0");
    }
    for (const QString &part : parts.mid(1)) {
        if (part.startsWith(QLatin1String("Expect: ")))
            p.expect = part.mid(8);
        else if (part.startsWith(QLatin1String("Content-Length: ")))
            p.contentLength = part.mid(16).toLongLong();
        else if (part == QLatin1String("chunked"))
            p.chunked = true;
    }
}

// The closed event's detail ends with "; N unread bytes discarded" when bytes came after an early
// final status (ServerConnection::transportClosed, rule R19).
qint64 discardedBytes(const TimelineEvent &closed)
{
    static const QRegularExpression re(QStringLiteral("(\\d+) unread bytes discarded"));
    const auto m = re.match(closed.detail);
    return m.hasMatch() ? m.captured(1).toLongLong() : 0;
}
} // namespace

QString ClientProfile::waitName() const
{
    switch (wait) {
    case Wait::NoBody: return QStringLiteral("no-body");
    case Wait::None: return QStringLiteral("none");
    case Wait::Bounded: return QStringLiteral("bounded");
    case Wait::UntilContinue: return QStringLiteral("until-100");
    }
    return {};
}

QString ClientProfile::afterEarlyFinalName() const
{
    switch (afterEarlyFinal) {
    case AfterEarlyFinal::NotApplicable: return {};
    case AfterEarlyFinal::StoppedAndClosed: return QStringLiteral("stopped-closed");
    case AfterEarlyFinal::KeptSending: return QStringLiteral("kept-sending");
    case AfterEarlyFinal::Reused: return QStringLiteral("reused");
    case AfterEarlyFinal::StillOpen: return QStringLiteral("still-open");
    }
    return {};
}

QString ClientProfile::toDetail() const
{
    QStringList kv;
    auto add = [&kv](const char *key, const QString &value) {
        kv << QStringLiteral("%1=%2").arg(QLatin1String(key), value);
    };
    add("request", QString::number(request));
    add("method", method);
    add("target", target);
    if (http10)
        add("version", QStringLiteral("1.0"));
    add("expect", expect.isEmpty() ? QStringLiteral("none") : expect);
    add("content_length", chunked              ? QStringLiteral("chunked")
                          : contentLength >= 0 ? QString::number(contentLength)
                                               : QStringLiteral("none"));
    add("wait", waitName());
    if (waitNs >= 0)
        add("wait_ms", msText(waitNs));
    if (sentAnyway)
        add("sent_anyway", QStringLiteral("yes"));
    if (interimStatus)
        add("interim", QString::number(interimStatus));
    add("final", finalStatus ? QString::number(finalStatus) : QStringLiteral("none"));
    if (earlyFinal) {
        add("early_final", afterEarlyFinalName());
        if (bytesAfterFinal > 0)
            add("bytes_after_final", QString::number(bytesAfterFinal));
        if (closeAfterFinalNs >= 0)
            add("closed_after_ms", msText(closeAfterFinalNs));
    }
    if (retryOfConn) {
        add("retry", retrySameConnection ? QStringLiteral("same-connection") : QStringLiteral("new-connection"));
        add("retry_of", QString::number(retryOfConn));
        add("retry_after_ms", msText(retryAfterNs));
    }
    if (gaveUp)
        add("gave_up", QStringLiteral("yes"));
    return kv.join(QStringLiteral("; "));
}

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
    case EventKind::Accepted: c.acceptedNs = e.tNs; break;
    case EventKind::Head: onHead(c, e, out); break;
    case EventKind::InterimSent:
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
        if (c.current && c.current->finalNs < 0) {
            Request &r = *c.current;
            r.finalNs = e.tNs;
            r.profile.finalStatus = e.status;
            r.profile.earlyFinal = r.announced && !r.bodyDone;
            if (e.status == 417)
                m_rejections.append({e.conn, r.profile.method, r.profile.target, e.tNs, false});
            // An early final's story ends with what the client does next: decided at the next head
            // or at the close.
            if (!r.profile.earlyFinal)
                finalize(c, e, out);
        }
        break;
    case EventKind::Closed:
        if (c.current) {
            Request &r = *c.current;
            if (r.profile.earlyFinal) {
                r.profile.bytesAfterFinal = discardedBytes(e);
                r.profile.afterEarlyFinal = r.profile.bytesAfterFinal > 0
                                                ? ClientProfile::AfterEarlyFinal::KeptSending
                                                : ClientProfile::AfterEarlyFinal::StoppedAndClosed;
                r.profile.closeAfterFinalNs = e.tNs - r.finalNs;
            } else if (r.finalNs < 0) {
                r.profile.gaveUp = true;
            }
            finalize(c, e, out);
        }
        m_connections.remove(e.conn);
        break;
    default: break;
    }
    // Old rejections can no longer be retried: keep the list short.
    m_rejections.removeIf([&e](const Rejection &r) { return e.tNs - r.tNs > kRetryWindowNs; });
    return out;
}

void ClientProfiler::onHead(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out)
{
    std::optional<Rejection> sameConn417;
    if (c.current) {
        Request &prev = *c.current;
        if (prev.profile.finalStatus == 417)
            sameConn417 = Rejection{e.conn, prev.profile.method, prev.profile.target, prev.finalNs, true};
        if (prev.profile.earlyFinal)
            prev.profile.afterEarlyFinal = ClientProfile::AfterEarlyFinal::Reused;
        finalize(c, e, out);
    }
    Request r;
    r.headNs = e.tNs;
    r.profile.conn = e.conn;
    r.profile.request = ++c.requests;
    parseHeadDetail(e.detail, r.profile);
    r.announced = r.profile.chunked || r.profile.contentLength > 0;

    if (sameConn417 && sameConn417->method == r.profile.method && sameConn417->target == r.profile.target) {
        r.profile.retryOfConn = e.conn;
        r.profile.retrySameConnection = true;
        r.profile.retryAfterNs = e.tNs - sameConn417->tNs;
        for (Rejection &rej : m_rejections) {
            if (rej.conn == e.conn)
                rej.matched = true;
        }
    } else if (r.profile.request == 1) {
        // A retry on a new connection: every client on loopback has the same address, so the peer
        // address adds nothing; the most recent unmatched 417 for the same method and target within
        // kRetryWindowNs is taken as the request this one repeats.
        for (qsizetype i = m_rejections.size() - 1; i >= 0; --i) {
            Rejection &rej = m_rejections[i];
            if (rej.matched || rej.conn == e.conn || rej.method != r.profile.method || rej.target != r.profile.target)
                continue;
            rej.matched = true;
            r.profile.retryOfConn = rej.conn;
            r.profile.retryAfterNs = e.tNs - rej.tNs;
            break;
        }
    }
    c.current = r;
}

void ClientProfiler::finalize(Connection &c, const TimelineEvent &at, QList<TimelineEvent> &out)
{
    if (!c.current)
        return;
    Request r = *c.current;
    c.current.reset();
    ClientProfile &p = r.profile;
    if (r.bodyStartNs < 0) {
        p.wait = ClientProfile::Wait::NoBody;
    } else {
        p.waitNs = r.bodyStartNs - r.headNs;
        if (p.expect.isEmpty()) {
            p.wait = ClientProfile::Wait::None;
        } else if (r.interimNs >= 0 && r.interimNs <= r.bodyStartNs) {
            p.wait = ClientProfile::Wait::UntilContinue;
        } else if (p.waitNs < kImmediateNs) {
            p.wait = ClientProfile::Wait::None;
        } else {
            p.wait = ClientProfile::Wait::Bounded;
            p.sentAnyway = true;
        }
    }
    m_profiles.append(p);
    if (m_profiles.size() > kKeptProfiles)
        m_profiles.removeFirst();
    out.append(profileEvent(p, at));
}

TimelineEvent ClientProfiler::profileEvent(const ClientProfile &p, const TimelineEvent &at) const
{
    TimelineEvent e;
    e.tNs = at.tNs;
    e.side = Side::Server;
    e.conn = p.conn;
    e.kind = EventKind::Profile;
    e.status = p.finalStatus;
    e.detail = p.toDetail();
    if (p.retryOfConn)
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
