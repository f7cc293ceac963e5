#pragma once

#include "matrixgridmodel.h"

#include <qcustomplot.h>

#include <QStyledItemDelegate>

namespace expectlab {

// The matrix grid as a heat map: each cell's background shaded by MatrixGridModel::HeatRole.
class MatrixHeatDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

// Byte counts on an axis in the units the grid uses ("64.0 KiB"), not as "6.4·10⁴".
class BytesTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar formatChar, int precision) override;
};

// One bar per cell at x = its key (#1, #2, ... as the grid shows them), coloured and named by the
// cell's outcome; the bytes chart puts what a client without Expect sends beside each cell.
void fillFigureChart(QCustomPlot *plot, const QList<MatrixCell> &cells, MatrixGridModel::Figure figure);
void fillBytesChart(QCustomPlot *plot, const QList<MatrixCell> &cells);

} // namespace expectlab
