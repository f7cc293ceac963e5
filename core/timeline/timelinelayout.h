#pragma once

#include "timelineevent.h"
#include "timewarp.h"

#include <QList>
#include <QString>

#include <optional>

namespace expectlab {

// What a marker, an arrow or a span means; the view maps each to a colour
// (100: blue, 417: orange, 2xx: green, other 4xx/5xx: red, timeout and close: grey).
enum class Meaning { Neutral, Continue, Reject, Success, Failure, Muted, Body, Tls, Proxy };

// What a marker is, as its shape shows (colour says how it went; shape says what it is, so that a
// connect and a close no longer look alike and the diagram reads without colour).
// Decision: the recording proxy's own act (issue 16), on the proxy's lane.
enum class MarkerShape { Message, Connect, Close, Reset, Timeout, Decision };
MarkerShape markerShapeOfEvent(const TimelineEvent &event);

Meaning meaningOfStatus(int status);
Meaning meaningOfEvent(const TimelineEvent &event);

// The geometry of one exchange's timeline, in data units: x in milliseconds since the first event,
// y in lanes, one per party, the request flowing down (client above server; a proxy between them). Computed without any
// widget so it is tested on its own; the QCustomPlot view only draws it.
struct TimelineLayout
{
    // One party's events, as its lane shows them. A party may play both roles (a proxy is a server
    // to its client and a client to its upstream): each event's side says which half it belongs to.
    struct Track
    {
        QString name;
        QList<TimelineEvent> events;
    };
    // A party's line on the diagram. Lanes are data: the view draws whatever lanes there are, and
    // each says where its labels go.
    struct Lane
    {
        double y;
        QString name;
        int track = 0;            // index among the non-empty tracks, top first
        bool labelsBelow = false; // the lowest of several lanes labels below itself, away from the arrows
    };
    struct Marker
    {
        double tMs;
        double y;
        Meaning meaning;
        EventKind kind;
        Side side;
        MarkerShape shape;
        QString label;   // short: "100", "417", "head"
        QString tooltip; // the event's detail and its rule, as rich text
    };
    // A message from the lane that sent it to the lane that got it. With one lane, the other end is a
    // stub towards the unseen peer.
    struct Arrow
    {
        double t0Ms, y0, t1Ms, y1;
        Meaning meaning;
        QString label;
    };
    // A body transfer, on one lane; or, unsent, the body an early answer spared (R21): it has no
    // duration of its own, so it runs from where sending stopped to the end of the exchange.
    struct Span
    {
        double t0Ms, t1Ms, y;
        QString label;
        bool unsent = false;
    };
    // The expect wait: from the head to the first answer or the timeout.
    struct Bracket
    {
        double t0Ms, t1Ms, y;
        QString label;
        bool timedOut;
        bool live = false; // still waiting: t1Ms is now, the label counts towards the timeout
    };
    // A vertical line, e.g. where the retry without Expect begins.
    struct Separator
    {
        double tMs;
        QString label;
    };

    // Where the two-party layout puts its lanes (n parties: n - 1 down to 0).
    static constexpr double kClientY = 1.0;
    static constexpr double kServerY = 0.0;
    static constexpr double kSingleLaneY = 0.0;
    static constexpr double kStubLength = 0.4;

    QList<Lane> lanes;
    QList<Marker> markers;
    QList<Arrow> arrows;
    QList<Span> spans;
    QList<Bracket> brackets;
    QList<Separator> separators;
    qint64 originNs = 0;
    double endMs = 0;      // time of the last event
    double focusEndMs = 0; // time of the last event before the closes that trail an exchange
    TimeWarp warp;         // the compressed axis for the idle gaps between the events (R5 waits)

    // An exchange still running: where its clock stands, so that a wait for a 100 shows as it grows.
    struct Live
    {
        qint64 nowNs;
        int expectTimeoutMs; // the client's bound (R5); 0 when unknown (an outside client)
    };

    // tracks: the parties in the order the request passes them; empty ones get no lane. originNs:
    // the exchange's time origin (ExchangeSummary::startNs), so that the timeline gives an event the
    // figure every other pane gives it; by default, the earliest event.
    static TimelineLayout buildTracks(const QList<Track> &tracks, std::optional<qint64> originNs = std::nullopt,
                                      std::optional<Live> live = std::nullopt);
    // The two-party case: a client and a server.
    static TimelineLayout build(const QList<TimelineEvent> &clientEvents, const QList<TimelineEvent> &serverEvents,
                                std::optional<qint64> originNs = std::nullopt, std::optional<Live> live = std::nullopt);

    // Where marker labels stand off their lane (data units); the view nudges them further out, one
    // level at a time, when they would overlap (LabelPlacer).
    static constexpr double kLabelOffset = 0.11;
    static constexpr double kLabelLevelStep = 0.1;
    // The lane a mark at y belongs to: the nearest (markers sit on it, spans and brackets beside it);
    // nullptr when there are no lanes.
    const Lane *laneAt(double y) const;

    bool isEmpty() const { return markers.isEmpty(); }
    double yMin() const;
    double yMax() const;
    // The marker nearest to (x, y) within radiusPx pixels, given the scale of each axis; -1 if none.
    // x is on the display axis of warp (real milliseconds with the identity warp).
    int markerNear(double x, double y, double xPerPixel, double yPerPixel, double radiusPx,
                   const TimeWarp &warp = {}) const;
};

// Time axis arithmetic for the timeline view: the range that fits an exchange, pixel conversion,
// zooming around a point. Plain values, tested without a GUI.
struct TimeAxis
{
    double lowerMs = 0;
    double upperMs = 1;
    double widthPx = 1;

    // The range that shows [startMs, endMs] with a margin on each side; a zero-length exchange still
    // gets a readable range.
    static TimeAxis fit(double startMs, double endMs, double widthPx, double marginFraction = 0.06);
    double msPerPixel() const { return (upperMs - lowerMs) / widthPx; }
    double toPixel(double ms) const { return (ms - lowerMs) / msPerPixel(); }
    double toMs(double px) const { return lowerMs + px * msPerPixel(); }
    // Zoom by factor (> 1 zooms in) keeping centreMs at the same pixel.
    TimeAxis zoomed(double factor, double centreMs) const;
    TimeAxis panned(double pixels) const;
};

} // namespace expectlab
