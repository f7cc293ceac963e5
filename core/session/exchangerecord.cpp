#include "exchangerecord.h"

#include <QCoreApplication>

namespace expectlab {

void ServerConnectionRecord::addEvent(const TimelineEvent &event)
{
    if (events.size() < kMaxEvents) {
        events.append(event);
        return;
    }
    // Full: the close is always kept, and one slot at the end holds the latest profile.
    ++droppedEvents;
    if (event.kind == EventKind::Closed) {
        events.append(event);
    } else if (event.kind == EventKind::Profile) {
        if (events.size() > kMaxEvents && events.last().kind == EventKind::Profile)
            events.last() = event;
        else
            events.append(event);
    }
}

const ClientProfile *lastProfile(const QList<TimelineEvent> &events)
{
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->kind == EventKind::Profile && it->profile)
            return it->profile.get();
    }
    return nullptr;
}

ExchangeSummary summaryFromServerConnection(const ServerConnectionRecord &c)
{
    ExchangeSummary s;
    s.id = c.id;
    s.events = c.events;
    qint64 headNs = -1;
    qint64 bodyRead = 0;
    qint64 discarded = 0;
    bool earlyAnswer = false;
    auto noteWait = [&](qint64 tNs) {
        if (s.expectSent && !s.expectWaitNs && headNs >= 0)
            s.expectWaitNs = tNs - headNs;
    };
    for (const TimelineEvent &e : c.events) {
        if (s.startNs == 0)
            s.startNs = e.tNs;
        s.endNs = e.tNs;
        switch (e.kind) {
        case EventKind::TlsDone:
            // The handshake comes before the head: an outside client over TLS asked for https://.
            if (!s.tls)
                s.tls = e.tls;
            break;
        case EventKind::Head:
            if (headNs < 0 && e.head) {
                headNs = e.tNs;
                const MessageHead &head = *e.head;
                s.method = head.method;
                s.requestHeaders = head.headers;
                const QByteArray host = head.header("Host").value_or(QByteArray("?"));
                s.url = QUrl(QStringLiteral("%1://%2%3")
                                 .arg(s.tls ? QStringLiteral("https") : QStringLiteral("http"), displayText(host),
                                      displayText(head.target)));
                s.bodyBytes = head.contentLength().value_or(0);
                s.expectSent = head.hasHeader("Expect");
            }
            break;
        case EventKind::InterimSent: {
            MessageHead interim;
            interim.status = e.status;
            interim.reason = reasonPhrase(e.status);
            s.interimHeads.append(interim);
            noteWait(e.tNs);
            break;
        }
        case EventKind::FinalSent:
            if (e.notSent)
                break; // it never left: no answer
            if (!s.finalStatus) {
                s.finalStatus = e.status;
                if (e.head)
                    s.finalHead = *e.head;
                s.responseComplete = true; // the server writes its responses whole
                earlyAnswer = bodyRead < s.bodyBytes;
            }
            noteWait(e.tNs);
            break;
        case EventKind::GarbageSent: noteWait(e.tNs); break;
        case EventKind::BodyStart: noteWait(e.tNs); break;
        case EventKind::BodyDone: bodyRead = qMax<qint64>(bodyRead, e.bytes); break;
        case EventKind::Closed:
            if (e.bytesBeforeFinal >= 0)
                discarded = e.bytesBeforeFinal + qMax<qint64>(0, e.bytesAfterFinal);
            break;
        case EventKind::Error:
            if (s.error.isEmpty()) {
                s.error = e.detail;
                s.errorKind = e.error;
            }
            break;
        default: break;
        }
    }
    s.bodyBytesSent = bodyRead + discarded;
    // Saved: body bytes the client never sent because we answered first (R21), and nothing else.
    if (earlyAnswer && s.finalStatus)
        s.bytesSaved = qMax<qint64>(0, s.bodyBytes - s.bodyBytesSent);
    if (const ClientProfile *p = lastProfile(c.events))
        s.sentAnyway = p->sentAnyway;
    if (!s.finalStatus && s.error.isEmpty())
        s.error = QCoreApplication::translate("ExchangeRecord", "the server sent no final response");
    if (!s.endNs)
        s.endNs = s.startNs;
    return s;
}

ExchangeRecord externalClientRecord(const ServerConnectionRecord &c)
{
    ExchangeRecord r;
    r.origin = ExchangeRecord::Origin::ExternalClient;
    r.summary = summaryFromServerConnection(c);
    r.serverConnections = {c.id};
    r.running = false;
    r.peerAddress = c.peerAddress;
    r.peerPort = c.peerPort;
    for (const TimelineEvent &e : c.events) {
        if (e.kind == EventKind::Head && e.head) {
            r.userAgent = displayText(e.head->header("User-Agent").value_or(QByteArray()));
            break;
        }
    }
    return r;
}

ExchangeRecord proxiedClientRecord(const QList<TimelineEvent> &proxyEvents)
{
    // The proxy's client side is a server to the outside client: read it as the test server's
    // connection would be read, its decisions and the other hop left out.
    ServerConnectionRecord downstream;
    for (const TimelineEvent &e : proxyEvents) {
        if (e.hop == Hop::Downstream && e.kind != EventKind::Decision) {
            downstream.id = e.conn;
            downstream.events.append(e);
        }
    }
    ExchangeRecord r;
    r.origin = ExchangeRecord::Origin::ProxiedClient;
    r.summary = summaryFromServerConnection(downstream);
    r.summary.id = 0;
    r.proxyEvents = proxyEvents;
    r.running = false;
    for (const TimelineEvent &e : downstream.events) {
        if (e.kind == EventKind::Accepted && e.endpoints && r.peerAddress.isEmpty()) {
            r.peerAddress = e.endpoints->peerAddress.toString();
            r.peerPort = e.endpoints->peerPort;
        }
        if (e.kind == EventKind::Head && e.head && r.userAgent.isEmpty())
            r.userAgent = displayText(e.head->header("User-Agent").value_or(QByteArray()));
    }
    return r;
}

} // namespace expectlab
