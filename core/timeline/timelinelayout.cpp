#include "timelinelayout.h"

#include "byteformat.h"
#include "expectwait.h"
#include "ruletext.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("TimelineLayout", text);
}

double msSince(qint64 tNs, qint64 originNs)
{
    return double(tNs - originNs) / 1e6;
}

// The proxy's decisions in a word or two: the lane has room for no more; the tooltip says the rest.
QString decisionLabel(ProxyDecision d)
{
    switch (d) {
    case ProxyDecision::ForwardExpect: return tr("Expect →");
    case ProxyDecision::StripExpect: return tr("Expect stripped");
    case ProxyDecision::Own100: return tr("own 100");
    case ProxyDecision::HoldBody: return tr("hold body");
    case ProxyDecision::ReleaseBody: return tr("release");
    case ProxyDecision::BufferBody: return tr("buffer");
    case ProxyDecision::Buffered: return tr("buffered");
    case ProxyDecision::RejectExpect: return tr("own 417");
    case ProxyDecision::Http10Upstream: return tr("HTTP/1.0 hop");
    case ProxyDecision::DropInterim: return tr("1xx dropped");
    case ProxyDecision::StopUpload: return tr("body stopped");
    case ProxyDecision::BadGateway: return tr("502");
    case ProxyDecision::GatewayTimeout: return tr("504");
    case ProxyDecision::RefusedTarget: return tr("refused");
    case ProxyDecision::ClientGone: return tr("client gone");
    case ProxyDecision::Tunnel: return tr("tunnel");
    case ProxyDecision::TunnelClosed: return tr("tunnel end");
    case ProxyDecision::None: break;
    }
    return {};
}

QString shortLabel(const TimelineEvent &e)
{
    switch (e.kind) {
    case EventKind::Interim:
    case EventKind::InterimSent:
    case EventKind::Final:
    case EventKind::FinalSent: return QString::number(e.status);
    case EventKind::ExpectTimeout: return tr("timeout");
    case EventKind::Cancelled: return tr("cancel");
    case EventKind::Error: return tr("error");
    case EventKind::Decision: return decisionLabel(e.decision);
    default: return {}; // the rest explain themselves on hover; labels would crowd the lane
    }
}

QString tooltipFor(const TimelineEvent &e, qint64 originNs)
{
    // A proxy's event: which hop, and for its decisions what it decided.
    const QString who = e.hop == Hop::None ? sideName(e.side) : tr("proxy, %1 hop,").arg(hopName(e.hop));
    const QString what = e.kind == EventKind::Decision ? proxyDecisionName(e.decision) : kindName(e.kind);
    QString text = QStringLiteral("<b>%1 %2%3</b> at %4 ms")
                       .arg(who, what)
                       .arg(e.hasStatus() ? QStringLiteral(" %1").arg(e.status) : QString())
                       .arg(msSince(e.tNs, originNs), 0, 'f', 3);
    if (e.hasBytes())
        text += QStringLiteral(" · %1 bytes").arg(e.bytes);
    if (!e.detail.isEmpty())
        text += QStringLiteral("<br>%1").arg(e.detail.toHtmlEscaped());
    if (e.tls && !e.tls->peerSubject.isEmpty())
        text += QStringLiteral("<br>%1").arg(tr("certificate %1, issued by %2, valid until %3, SHA-256 %4")
                                                 .arg(e.tls->peerSubject, e.tls->peerIssuer,
                                                      e.tls->peerNotAfter.toString(Qt::ISODate), e.tls->peerSha256)
                                                 .toHtmlEscaped());
    if (!e.rule.isEmpty()) {
        const QString rule = ruleText(e.rule);
        text += QStringLiteral("<br><i>%1</i>").arg((rule.isEmpty() ? e.rule : rule).toHtmlEscaped());
    }
    return text;
}

bool isOutgoing(const TimelineEvent &e)
{
    switch (e.kind) {
    case EventKind::HeadSent:
    case EventKind::InterimSent:
    case EventKind::FinalSent: return true;
    case EventKind::BodyStart: return e.side == Side::Client;
    default: return false;
    }
}

bool isIncoming(const TimelineEvent &e)
{
    switch (e.kind) {
    case EventKind::Head:
    case EventKind::Interim:
    case EventKind::Final: return true;
    case EventKind::BodyStart: return e.side == Side::Server;
    default: return false;
    }
}

QString messageLabel(const TimelineEvent &sent)
{
    switch (sent.kind) {
    case EventKind::Connect: return {}; // the arrow alone: its label would sit on the head's
    case EventKind::HeadSent: return sent.head && sent.head->hasHeader("Expect") ? tr("head + Expect") : tr("head");
    case EventKind::Head: return tr("head");
    case EventKind::BodyStart: return tr("body");
    case EventKind::InterimSent:
    case EventKind::Interim:
    case EventKind::FinalSent:
    case EventKind::Final: return QString::number(sent.status);
    default: return {};
    }
}
} // namespace

Meaning meaningOfStatus(int status)
{
    if (status >= 100 && status < 200)
        return Meaning::Continue;
    if (status == 417)
        return Meaning::Reject;
    if (status >= 200 && status < 300)
        return Meaning::Success;
    if (status >= 400)
        return Meaning::Failure;
    return Meaning::Neutral;
}

Meaning meaningOfEvent(const TimelineEvent &e)
{
    switch (e.kind) {
    case EventKind::Interim:
    case EventKind::InterimSent:
    case EventKind::Final:
    case EventKind::FinalSent:
    case EventKind::ResponseDone: return meaningOfStatus(e.status);
    case EventKind::ExpectTimeout:
    case EventKind::Closed:
    case EventKind::Cancelled: return Meaning::Muted;
    case EventKind::Error: return e.status >= 400 ? meaningOfStatus(e.status) : Meaning::Failure;
    case EventKind::BodyStart:
    case EventKind::BodyDone: return Meaning::Body;
    // The handshake is its own phase between connect and head (issue 15), in its own colour.
    case EventKind::TlsStart:
    case EventKind::TlsDone: return Meaning::Tls;
    case EventKind::Decision: return Meaning::Proxy;
    default: return Meaning::Neutral;
    }
}

MarkerShape markerShapeOfEvent(const TimelineEvent &e)
{
    switch (e.kind) {
    case EventKind::Connect:
    case EventKind::Connected:
    case EventKind::Accepted: return MarkerShape::Connect;
    case EventKind::Closed: return e.reset ? MarkerShape::Reset : MarkerShape::Close;
    case EventKind::Error: return e.reset || e.error == ErrorKind::Reset ? MarkerShape::Reset : MarkerShape::Message;
    case EventKind::ExpectTimeout:
    case EventKind::Cancelled: return MarkerShape::Timeout;
    case EventKind::Decision: return MarkerShape::Decision;
    default: return MarkerShape::Message;
    }
}

TimelineLayout TimelineLayout::build(const QList<TimelineEvent> &client, const QList<TimelineEvent> &server,
                                     std::optional<qint64> originNs, std::optional<Live> live)
{
    QList<Track> tracks;
    if (!client.isEmpty())
        tracks.append({tr("client"), client});
    if (!server.isEmpty())
        tracks.append({tr("server"), server});
    return buildTracks(tracks, originNs, live);
}

TimelineLayout TimelineLayout::buildTracks(const QList<Track> &given, std::optional<qint64> originNs,
                                           std::optional<Live> live)
{
    TimelineLayout l;
    QList<const Track *> tracks;
    for (const Track &t : given)
        if (!t.events.isEmpty())
            tracks.append(&t);
    if (tracks.isEmpty())
        return l;
    const qsizetype n = tracks.size();

    qint64 origin = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    for (const Track *t : tracks) {
        for (const TimelineEvent &e : t->events) {
            origin = std::min(origin, e.tNs);
            last = std::max(last, e.tNs);
        }
    }
    if (originNs && *originNs <= origin)
        origin = *originNs;
    if (live && live->nowNs > last)
        last = live->nowNs; // a running exchange's timeline reaches to now
    l.originNs = origin;
    l.endMs = msSince(last, origin);
    // A server lingers before it closes (R22's staged close): that tail would squeeze the handshake
    // into a corner, so fitting stops at the last event that is not a close. A client profile is
    // concluded at the close too: it is not part of the handshake either.
    for (const Track *t : tracks) {
        for (const TimelineEvent &e : t->events) {
            if (e.kind != EventKind::Closed && e.kind != EventKind::Profile)
                l.focusEndMs = std::max(l.focusEndMs, msSince(e.tNs, origin));
        }
    }
    if (l.focusEndMs <= 0 || live)
        l.focusEndMs = l.endMs; // live, now is the focus: the wait that grows towards it

    // The request flows down: the first track on top, one lane unit apart, the last at 0.
    auto laneY = [n](qsizetype track) {
        return double(n - 1 - track);
    };
    for (qsizetype i = 0; i < n; ++i)
        l.lanes.append({laneY(i), tracks[i]->name, int(i), n > 1 && i == n - 1});

    for (qsizetype i = 0; i < n; ++i) {
        for (const TimelineEvent &e : tracks[i]->events) {
            l.markers.append({msSince(e.tNs, origin), laneY(i), meaningOfEvent(e), e.kind, e.side,
                              markerShapeOfEvent(e), shortLabel(e), tooltipFor(e, origin)});
        }
    }

    // Messages between neighbouring lanes: the upper one's client half sends requests down to the
    // lower one's server half, which answers up. A proxy's lane holds both halves (a server towards
    // its client, a client towards its upstream), so its two hops pair like any other. The k-th send
    // of a kind pairs with the k-th receipt of it.
    auto ofRole = [](const QList<TimelineEvent> &events, Side role, EventKind kind) {
        QList<const TimelineEvent *> out;
        for (const TimelineEvent &e : events)
            if (e.side == role && e.kind == kind)
                out.append(&e);
        return out;
    };
    for (qsizetype i = 0; i + 1 < n; ++i) {
        const QList<TimelineEvent> &upper = tracks[i]->events;
        const QList<TimelineEvent> &lower = tracks[i + 1]->events;
        const double yUp = laneY(i), yDown = laneY(i + 1);
        const std::array<std::pair<EventKind, EventKind>, 3> down{{
            {EventKind::Connect, EventKind::Accepted},
            {EventKind::HeadSent, EventKind::Head},
            {EventKind::BodyStart, EventKind::BodyStart},
        }};
        for (const auto &[sentKind, gotKind] : down) {
            const auto sent = ofRole(upper, Side::Client, sentKind);
            const auto got = ofRole(lower, Side::Server, gotKind);
            for (qsizetype k = 0; k < std::min(sent.size(), got.size()); ++k) {
                l.arrows.append({msSince(sent[k]->tNs, origin), yUp, msSince(got[k]->tNs, origin), yDown,
                                 sentKind == EventKind::BodyStart ? Meaning::Body : Meaning::Neutral,
                                 messageLabel(*sent[k])});
            }
        }
        const std::array<std::pair<EventKind, EventKind>, 2> up{{
            {EventKind::InterimSent, EventKind::Interim},
            {EventKind::FinalSent, EventKind::Final},
        }};
        for (const auto &[sentKind, gotKind] : up) {
            const auto sent = ofRole(lower, Side::Server, sentKind);
            const auto got = ofRole(upper, Side::Client, gotKind);
            for (qsizetype k = 0; k < std::min(sent.size(), got.size()); ++k) {
                l.arrows.append({msSince(sent[k]->tNs, origin), yDown, msSince(got[k]->tNs, origin), yUp,
                                 meaningOfStatus(sent[k]->status), messageLabel(*sent[k])});
            }
        }
    }
    if (n == 1) {
        // One party seen (an external peer): stubs towards the unseen peer, above the lane.
        for (const TimelineEvent &e : tracks.first()->events) {
            const double t = msSince(e.tNs, origin);
            const Meaning m = e.kind == EventKind::BodyStart ? Meaning::Body : meaningOfEvent(e);
            if (isOutgoing(e))
                l.arrows.append({t, kSingleLaneY, t, kSingleLaneY + kStubLength, m, messageLabel(e)});
            else if (isIncoming(e))
                l.arrows.append({t, kSingleLaneY + kStubLength, t, kSingleLaneY, m, messageLabel(e)});
        }
    }

    // Body transfers: from the first body byte to the last, or to whatever stopped them; one per
    // half of a lane (a proxy receives one body and sends another).
    for (qsizetype i = 0; i < n; ++i) {
        for (const Side role : {Side::Client, Side::Server}) {
            double start = -1;
            for (const TimelineEvent &e : tracks[i]->events) {
                if (e.side != role)
                    continue;
                const double t = msSince(e.tNs, origin);
                if (e.kind == EventKind::BodyStart && start < 0) {
                    start = t;
                } else if (start >= 0 && (e.kind == EventKind::BodyDone || e.kind == EventKind::Cancelled ||
                                          e.kind == EventKind::Closed || e.kind == EventKind::Error ||
                                          (e.kind == EventKind::Final && e.bodyNotSent >= 0))) {
                    const bool done = e.kind == EventKind::BodyDone;
                    l.spans.append(
                        {start, t, laneY(i), done ? tr("body %1").arg(formatBytes(e.bytes)) : tr("body stopped")});
                    start = -1;
                }
            }
            if (start >= 0)
                l.spans.append({start, l.endMs, laneY(i), tr("body (in progress)")});
        }
        // What an early answer spared (R21), drawn as what it is: bytes that never left, up to the
        // end of the exchange or to the retry that sends them after all (R6).
        const QList<TimelineEvent> &events = tracks[i]->events;
        for (qsizetype k = 0; k < events.size(); ++k) {
            const TimelineEvent &e = events.at(k);
            if (e.side != Side::Client || e.kind != EventKind::Final || e.bodyNotSent <= 0)
                continue;
            const double t = msSince(e.tNs, origin);
            double end = l.endMs;
            for (qsizetype j = k + 1; j < events.size(); ++j) {
                if (events.at(j).kind == EventKind::Retry) {
                    end = msSince(events.at(j).tNs, origin);
                    break;
                }
            }
            l.spans.append(
                {t, std::max(t, end), laneY(i), tr("%1 not sent (R21)").arg(formatBytes(e.bodyNotSent)), true});
        }
    }

    // The expect wait, seen by whoever waits: each lane's client half from its head with Expect; a
    // lone server (an external client) from the head it got.
    for (qsizetype i = 0; i < n; ++i) {
        const QList<TimelineEvent> &events = tracks[i]->events;
        const bool hasClientHalf =
            std::any_of(events.cbegin(), events.cend(), [](const TimelineEvent &e) { return e.side == Side::Client; });
        if (!hasClientHalf && n > 1)
            continue; // its client's lane shows the wait
        ExpectWait wait(hasClientHalf ? Side::Client : Side::Server);
        for (const TimelineEvent &e : events) {
            wait.add(e);
            if (wait.ended())
                break;
        }
        if (wait.waiting() && live) {
            // The stall while it happens: the bracket grows to now and counts towards the timeout.
            const double t0 = msSince(wait.sinceNs(), origin), t1 = std::max(t0, msSince(live->nowNs, origin));
            const QString label = live->expectTimeoutMs > 0 && hasClientHalf
                                      ? tr("waiting for 100: %1 of %2 s (R5)")
                                            .arg((t1 - t0) / 1000.0, 0, 'f', 1)
                                            .arg(live->expectTimeoutMs / 1000.0, 0, 'f', 1)
                                      : tr("waiting for 100: %1 s").arg((t1 - t0) / 1000.0, 0, 'f', 1);
            l.brackets.append({t0, t1, laneY(i) + 0.28, label, false, true});
            continue;
        }
        if (!wait.ended())
            continue;
        const double t0 = msSince(wait.sinceNs(), origin), t1 = msSince(wait.endNs(), origin);
        const bool timedOut = wait.endKind() == EventKind::ExpectTimeout;
        QString label = tr("expect wait %1 ms").arg(t1 - t0, 0, 'f', t1 - t0 < 10 ? 3 : 1);
        if (timedOut)
            label += tr(" (timed out, R5)");
        l.brackets.append({t0, t1, laneY(i) + 0.28, label, timedOut});
    }

    QList<double> times;
    for (const Track *t : tracks) {
        for (const TimelineEvent &e : t->events) {
            times.append(msSince(e.tNs, origin));
            if (e.kind == EventKind::Retry)
                l.separators.append({msSince(e.tNs, origin), tr("retry without Expect (R6)")});
        }
    }
    // The origin counts; a running exchange's now does not: the wait that grows towards it is what
    // the user is watching, so it stays linear until an event ends it.
    times.append(0);
    QList<std::pair<double, double>> busy;
    for (const Span &span : std::as_const(l.spans))
        if (!span.unsent)
            busy.append({span.t0Ms, span.t1Ms});
    l.warp = TimeWarp::compressing(times, busy);
    return l;
}

const TimelineLayout::Lane *TimelineLayout::laneAt(double y) const
{
    const Lane *nearest = nullptr;
    for (const Lane &lane : lanes)
        if (!nearest || std::abs(lane.y - y) < std::abs(nearest->y - y))
            nearest = &lane;
    return nearest;
}

double TimelineLayout::yMin() const
{
    return kSingleLaneY - 0.6; // the lowest lane is always at 0
}

double TimelineLayout::yMax() const
{
    // Above the top lane: its status labels and, over them, the expect wait's bracket and label.
    return lanes.size() > 1 ? double(lanes.size() - 1) + 0.8 : kSingleLaneY + 0.75;
}

int TimelineLayout::markerNear(double x, double y, double xPerPixel, double yPerPixel, double radiusPx,
                               const TimeWarp &warp) const
{
    int best = -1;
    double bestDistance = radiusPx * radiusPx;
    for (qsizetype i = 0; i < markers.size(); ++i) {
        const double dx = (warp.toDisplay(markers[i].tMs) - x) / xPerPixel;
        const double dy = (markers[i].y - y) / yPerPixel;
        const double d = dx * dx + dy * dy;
        if (d <= bestDistance) {
            bestDistance = d;
            best = int(i);
        }
    }
    return best;
}

TimeAxis TimeAxis::fit(double startMs, double endMs, double widthPx, double marginFraction)
{
    double span = endMs - startMs;
    if (span <= 0)
        span = 1.0; // one event or all at once: show a millisecond around it
    const double margin = span * marginFraction;
    return {startMs - margin, startMs + span + margin, std::max(1.0, widthPx)};
}

TimeAxis TimeAxis::zoomed(double factor, double centreMs) const
{
    TimeAxis a = *this;
    a.lowerMs = centreMs - (centreMs - lowerMs) / factor;
    a.upperMs = centreMs + (upperMs - centreMs) / factor;
    return a;
}

TimeAxis TimeAxis::panned(double pixels) const
{
    TimeAxis a = *this;
    const double shift = pixels * msPerPixel();
    a.lowerMs += shift;
    a.upperMs += shift;
    return a;
}

} // namespace expectlab
