#include "warpticker.h"

#include <cmath>

namespace expectlab {

namespace {
// 1, 2 or 5 times a power of ten, at least raw.
double niceStep(double raw)
{
    if (!(raw > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double mantissa = raw / magnitude;
    return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * magnitude;
}
} // namespace

void WarpTicker::generate(const QCPRange &range, const QLocale &locale, QChar, int, QVector<double> &ticks,
                          QVector<double> *subTicks, QVector<QString> *tickLabels)
{
    ticks.clear();
    if (subTicks)
        subTicks->clear();
    if (tickLabels)
        tickLabels->clear();
    if (!(range.size() > 0))
        return;
    // The linear stretches of the visible range, on the display axis.
    QList<std::pair<double, double>> stretches;
    double from = range.lower;
    for (const TimeWarp::Gap &g : m_warp.gaps()) {
        if (g.x1 <= from)
            continue;
        if (g.x0 >= range.upper)
            break;
        if (g.x0 > from)
            stretches.append({from, g.x0});
        from = g.x1;
    }
    if (from < range.upper)
        stretches.append({from, range.upper});

    for (const auto &[x0, x1] : std::as_const(stretches)) {
        const double share = (x1 - x0) / range.size();
        const double wanted = std::max(1.0, tickCount() * share);
        const double r0 = m_warp.toReal(x0), r1 = m_warp.toReal(x1);
        const double step = niceStep((r1 - r0) / wanted);
        const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
        for (double t = std::ceil(r0 / step - 1e-9) * step; t <= r1 + step * 1e-9; t += step) {
            ticks.append(m_warp.toDisplay(t));
            if (tickLabels)
                tickLabels->append(locale.toString(std::abs(t) < step * 1e-6 ? 0.0 : t, 'f', decimals));
        }
    }
}

} // namespace expectlab
