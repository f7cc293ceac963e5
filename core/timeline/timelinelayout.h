#pragma once

#include "timelineevent.h"

#include <QList>
#include <QString>

#include <optional>

namespace expectlab {

// What a marker, an arrow or a span means; the view maps each to a colour
// (100: blue, 417: orange, 2xx: green, other 4xx/5xx: red, timeout and close: grey).
enum class Meaning { Neutral, Continue, Reject, Success, Failure, Muted, Body };

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
    // A body transfer, on one lane.
    struct Span
    {
        double t0Ms, t1Ms, y;
        QString label;
    };
    // The expect wait: from the head to the first answer or the timeout.
    struct Bracket
    {
        double t0Ms, t1Ms, y;
        QString label;
        bool timedOut;
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

    // tracks: the parties in the order the request passes them; empty ones get no lane. originNs:
    // the exchange's time origin (ExchangeSummary::startNs), so that the timeline gives an event the
    // figure every other pane gives it; by default, the earliest event.
    static TimelineLayout buildTracks(const QList<Track> &tracks, std::optional<qint64> originNs = std::nullopt);
    // The two-party case: a client and a server.
    static TimelineLayout build(const QList<TimelineEvent> &clientEvents, const QList<TimelineEvent> &serverEvents,
                                std::optional<qint64> originNs = std::nullopt);

    // Where a marker's label sits at the current zoom: beside its lane, stacked up a level when it
    // would come closer than minGapPx to the previous label on that lane. Pixel space, so the view
    // runs it again on every zoom and pan.
    struct LabelSlot
    {
        int marker; // index into markers
        double y;   // data units
        bool below; // the label hangs below y (else it stands on it)
        int level;  // 0 next to the lane, 1 the next row out, ...
    };
    static constexpr double kLabelOffset = 0.11;
    static constexpr double kLabelLevelStep = 0.1;
    QList<LabelSlot> placeMarkerLabels(double msPerPixel, double minGapPx = 30) const;
    // The lane a mark at y belongs to: the nearest (markers sit on it, spans and brackets beside it);
    // nullptr when there are no lanes.
    const Lane *laneAt(double y) const;

    bool isEmpty() const { return markers.isEmpty(); }
    double yMin() const;
    double yMax() const;
    // The marker nearest to (tMs, y) within radiusPx pixels, given the scale of each axis; -1 if none.
    int markerNear(double tMs, double y, double msPerPixel, double yPerPixel, double radiusPx) const;
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
