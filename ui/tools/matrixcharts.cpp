#include "matrixcharts.h"

#include "byteformat.h"
#include "exchangeoutcome.h"
#include "outcomepalette.h"

#include <QMap>
#include <QPainter>

namespace expectlab {

void MatrixHeatDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const double heat = index.data(MatrixGridModel::HeatRole).toDouble();
    if (heat > 0) {
        // Pale to Okabe-Ito orange: dark text stays readable on every shade.
        const QColor pale(0xff, 0xf4, 0xdc), full(0xe6, 0x9f, 0x00);
        const QColor c(int(pale.red() + (full.red() - pale.red()) * heat),
                       int(pale.green() + (full.green() - pale.green()) * heat),
                       int(pale.blue() + (full.blue() - pale.blue()) * heat));
        painter->fillRect(option.rect, c);
    }
    QStyledItemDelegate::paint(painter, option, index);
}

QString BytesTicker::getTickLabel(double tick, const QLocale &, QChar, int)
{
    return formatBytes(qint64(std::llround(tick)));
}

namespace {
QSharedPointer<QCPAxisTickerText> keyTicker(const QList<MatrixCell> &cells)
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < cells.size(); ++i)
        ticker->addTick(i + 1, MatrixGridModel::cellKey(i));
    return ticker;
}

void finish(QCustomPlot *plot, qsizetype cellCount)
{
    plot->rescaleAxes(true);
    plot->xAxis->setRange(0.3, std::max<qsizetype>(1, cellCount) + 0.7);
    plot->yAxis->setRangeLower(0);
    if (plot->yAxis->range().upper <= 0)
        plot->yAxis->setRangeUpper(1);
    plot->replot(QCustomPlot::rpQueuedReplot);
}
} // namespace

void fillFigureChart(QCustomPlot *plot, const QList<MatrixCell> &cells, MatrixGridModel::Figure figure)
{
    plot->clearPlottables();
    QMap<int, std::pair<QVector<double>, QVector<double>>> byOutcome;
    for (int i = 0; i < cells.size(); ++i) {
        auto &[keys, values] = byOutcome[int(classifyOutcome(cells.at(i).summary, false))];
        keys << i + 1;
        values << MatrixGridModel::figureValue(cells.at(i), figure);
    }
    for (auto it = byOutcome.cbegin(); it != byOutcome.cend(); ++it) {
        const QColor colour = outcomeColor(Outcome(it.key()));
        auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(outcomeName(Outcome(it.key())));
        bars->setPen(colour.darker(140));
        bars->setBrush(colour);
        bars->setWidth(0.6);
        bars->setData(it.value().first, it.value().second, true);
    }
    plot->legend->setVisible(!byOutcome.isEmpty());
    plot->xAxis->setTicker(keyTicker(cells));
    finish(plot, cells.size());
}

void fillBytesChart(QCustomPlot *plot, const QList<MatrixCell> &cells)
{
    plot->clearPlottables();
    QVector<double> left, right, without, before;
    for (int i = 0; i < cells.size(); ++i) {
        const MatrixCell &c = cells.at(i);
        left << i + 1 - 0.18;
        right << i + 1 + 0.18;
        // What a client without Expect sends in the same cell: its bytes plus what this one saved.
        without << double(c.bodyBytesBeforeFinal + c.savedVsNoExpect.value_or(0));
        before << double(c.bodyBytesBeforeFinal);
    }
    const std::tuple<QString, QColor, QVector<double> *, QVector<double> *> series[] = {
        {QObject::tr("without Expect"), QColor(0xb0, 0xbe, 0xc5), &left, &without},
        {QObject::tr("sent before the final response"), QColor(0x00, 0x72, 0xb2), &right, &before}};
    for (const auto &[name, colour, keys, values] : series) {
        auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(name);
        bars->setPen(colour.darker(130));
        bars->setBrush(colour);
        bars->setWidth(0.35);
        bars->setData(*keys, *values, true);
    }
    plot->legend->setVisible(true);
    plot->xAxis->setTicker(keyTicker(cells));
    plot->yAxis->setTicker(QSharedPointer<BytesTicker>::create());
    finish(plot, cells.size());
}

} // namespace expectlab
