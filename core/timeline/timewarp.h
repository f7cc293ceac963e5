#pragma once

#include <QList>

#include <utility>

namespace expectlab {

// The timeline's compressed (broken) time axis. An exchange's events come in bursts of
// microseconds separated by waits of up to seconds (a client sitting out its expect timeout, R5;
// a server lingering before it closes, R22): on one linear axis the wait takes the whole plot and
// the bursts collapse into lines. The warp keeps every burst linear and shrinks each idle gap to a
// fixed share of the display, so both read at Fit; the gaps are listed so that the view marks each
// one and writes its real length.
//
// Display x is in "display milliseconds": real time where nothing is compressed, and a gap's
// display width is what the rule below gives it. The mapping is continuous and strictly increasing.
class TimeWarp
{
public:
    struct Gap
    {
        double startMs, endMs; // real time: the last event before the gap and the first after it
        double x0, x1;         // where it sits on the display axis
        double lengthMs() const { return endMs - startMs; }
    };

    // No compression: display x is real time.
    TimeWarp() = default;
    // Compresses every idle gap between consecutive event times that is longer than minGapMs and
    // longer than gapFraction of all the time the events cover; each shrinks to displayFraction of
    // the time that stays linear (at least a microsecond).
    // A gap that overlaps a busy interval (a body on its way) is never compressed.
    static TimeWarp compressing(QList<double> eventTimesMs, const QList<std::pair<double, double>> &busyMs = {},
                                double minGapMs = 20, double gapFraction = 0.25, double displayFraction = 0.12);

    bool isIdentity() const { return m_gaps.isEmpty(); }
    const QList<Gap> &gaps() const { return m_gaps; }
    double toDisplay(double ms) const;
    double toReal(double x) const;
    // The display length of the real interval [aMs, bMs].
    double displayLength(double aMs, double bMs) const { return toDisplay(bMs) - toDisplay(aMs); }

private:
    QList<Gap> m_gaps; // in time order, not overlapping
};

} // namespace expectlab
