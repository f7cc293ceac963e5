#include "timewarp.h"

#include <algorithm>

namespace expectlab {

TimeWarp TimeWarp::compressing(QList<double> times, const QList<std::pair<double, double>> &busy, double minGapMs,
                               double gapFraction, double displayFraction)
{
    TimeWarp warp;
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    if (times.size() < 2)
        return warp;
    const double covered = times.last() - times.first();
    QList<std::pair<double, double>> idle;
    double compressedTotal = 0;
    for (qsizetype i = 1; i < times.size(); ++i) {
        const double gap = times[i] - times[i - 1];
        // Bytes moving between two events (a long upload) are no idle time.
        const bool moving = std::any_of(busy.cbegin(), busy.cend(), [&](const std::pair<double, double> &b) {
            return b.first < times[i] && b.second > times[i - 1];
        });
        if (!moving && gap > minGapMs && gap > gapFraction * covered) {
            idle.append({times[i - 1], times[i]});
            compressedTotal += gap;
        }
    }
    if (idle.isEmpty())
        return warp;
    // Every gap gets the same width: a share of the linear time (the bursts), so that a second-long
    // wait beside a millisecond of traffic is a visible break, not most of the plot.
    const double linear = covered - compressedTotal;
    const double width = std::max(0.001, linear * displayFraction);
    double shift = 0; // how much display time the gaps before this one removed
    for (const auto &[start, end] : std::as_const(idle)) {
        const double x0 = start - shift;
        warp.m_gaps.append({start, end, x0, x0 + width});
        shift += (end - start) - width;
    }
    return warp;
}

double TimeWarp::toDisplay(double ms) const
{
    double shift = 0;
    for (const Gap &g : m_gaps) {
        if (ms <= g.startMs)
            break;
        if (ms < g.endMs) // inside the gap: linear in it, squeezed to its width
            return g.x0 + (ms - g.startMs) / g.lengthMs() * (g.x1 - g.x0);
        shift = g.endMs - g.x1;
    }
    return ms - shift;
}

double TimeWarp::toReal(double x) const
{
    double shift = 0;
    for (const Gap &g : m_gaps) {
        if (x <= g.x0)
            break;
        if (x < g.x1)
            return g.startMs + (x - g.x0) / (g.x1 - g.x0) * g.lengthMs();
        shift = g.endMs - g.x1;
    }
    return x + shift;
}

} // namespace expectlab
