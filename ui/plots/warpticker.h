#pragma once

#include "timewarp.h"

#include <qcustomplot.h>

namespace expectlab {

// Ticks for a compressed time axis: each linear stretch between two idle gaps gets round values of
// real time for the room it has, labelled in real milliseconds; the gaps themselves get none (the
// view marks them and writes their length).
class WarpTicker : public QCPAxisTicker
{
public:
    void setWarp(const TimeWarp &warp) { m_warp = warp; }
    void generate(const QCPRange &range, const QLocale &locale, QChar formatChar, int precision, QVector<double> &ticks,
                  QVector<double> *subTicks, QVector<QString> *tickLabels) override;

private:
    TimeWarp m_warp;
};

} // namespace expectlab
