#include "overviewplot.h"

#include "exchangelistmodel.h"
#include "outcomepalette.h"

#include <qcustomplot.h>

#include <QPainter>
#include <QPixmap>
#include <QTimer>
#include <QVBoxLayout>

namespace expectlab {

OverviewPlot::OverviewPlot(QAbstractItemModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_plot(new QCustomPlot(this))
    , m_timer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(QStringLiteral("overviewPlot"));
    m_plot->setMinimumSize(220, 110);
    m_plot->setToolTip(tr("Expect wait per exchange, coloured by outcome. Click a point to select its exchange."));
    m_plot->xAxis->setLabel(tr("exchange"));
    m_plot->yAxis->setLabel(tr("expect wait (ms)"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    QFont small = m_plot->font();
    small.setPointSize(8);
    m_plot->legend->setFont(small);
    m_plot->legend->setVisible(true);
    // The legend sits in its own column right of the axis rect, never over the points.
    auto *legendColumn = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, legendColumn);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    legendColumn->addElement(0, 0, m_plot->legend);
    legendColumn->setMargins(QMargins(0, 6, 6, 6));
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setRowSpacing(0);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    qSharedPointerCast<QCPAxisTickerFixed>(m_plot->xAxis->ticker())->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);

    for (int i = 0; i < kOutcomeCount; ++i) {
        QCPGraph *g = m_plot->addGraph();
        g->setName(outcomeName(Outcome(i)));
        g->setLineStyle(QCPGraph::lsNone);
        g->setAdaptiveSampling(true);
    }
    m_selected = m_plot->addGraph();
    m_selected->setLineStyle(QCPGraph::lsNone);
    m_selected->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), Qt::NoBrush, 13));
    m_selected->removeFromLegend();
    setVectorScatters(false);

    m_timer->setSingleShot(true);
    m_timer->setInterval(150);
    connect(m_timer, &QTimer::timeout, this, &OverviewPlot::rebuild);
    connect(model, &QAbstractItemModel::rowsInserted, this, &OverviewPlot::scheduleRebuild);
    connect(model, &QAbstractItemModel::dataChanged, this, &OverviewPlot::scheduleRebuild);
    connect(model, &QAbstractItemModel::modelReset, this, &OverviewPlot::scheduleRebuild);
    connect(m_plot, &QCustomPlot::plottableClick, this, [this](QCPAbstractPlottable *p, int dataIndex) {
        if (auto *g = qobject_cast<QCPGraph *>(p); g && dataIndex >= 0 && dataIndex < g->dataCount())
            emit exchangeClicked(int(g->data()->at(dataIndex)->key));
    });
    rebuild();
}

namespace {
constexpr int kDiscSize = 7;

// One antialiased disc drawn once: blitting it is several times cheaper than rasterising an
// ellipse path per point, which dominated the replot of a 10,000-exchange session.
QPixmap discPixmap(const QColor &color)
{
    QPixmap pixmap(kDiscSize, kDiscSize);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(0, 0, kDiscSize, kDiscSize));
    return pixmap;
}
} // namespace

void OverviewPlot::setVectorScatters(bool vector)
{
    for (int i = 0; i < kOutcomeCount; ++i) {
        const QColor color = outcomeColor(Outcome(i));
        m_plot->graph(i)->setScatterStyle(vector ? QCPScatterStyle(QCPScatterStyle::ssDisc, color, kDiscSize)
                                                 : QCPScatterStyle(discPixmap(color)));
    }
}

void OverviewPlot::setSelectedNumber(int number)
{
    m_selectedNumber = number;
    scheduleRebuild();
}

void OverviewPlot::scheduleRebuild()
{
    if (!m_timer->isActive())
        m_timer->start();
}

int OverviewPlot::pointCount() const
{
    int n = 0;
    for (int i = 0; i < kOutcomeCount; ++i)
        n += m_plot->graph(i)->dataCount();
    return n;
}

void OverviewPlot::rebuild()
{
    QVector<QVector<double>> keys(kOutcomeCount), values(kOutcomeCount);
    double maxWait = 0;
    int first = 0, last = 0;
    QVector<double> selKey, selValue;
    const int rows = m_model->rowCount();
    for (int row = 0; row < rows; ++row) {
        const QModelIndex index = m_model->index(row, 0);
        const int number = index.data(ExchangeListModel::NumberRole).toInt();
        const int outcome = index.data(ExchangeListModel::OutcomeRole).toInt();
        const QVariant wait = index.data(ExchangeListModel::ExpectWaitMsRole);
        if (row == 0)
            first = number;
        last = number;
        // Exchanges without Expect have no wait: they sit on the axis, still coloured by outcome.
        const double w = wait.isValid() ? wait.toDouble() : 0.0;
        if (outcome >= 0 && outcome < kOutcomeCount) {
            keys[outcome] << number;
            values[outcome] << w;
        }
        maxWait = std::max(maxWait, w);
        if (number == m_selectedNumber) {
            selKey << number;
            selValue << w;
        }
    }
    for (int i = 0; i < kOutcomeCount; ++i) {
        QCPGraph *g = m_plot->graph(i);
        g->setData(keys[i], values[i], true);
        // Only outcomes that occur take room in the legend.
        if (keys[i].isEmpty())
            g->removeFromLegend();
        else
            g->addToLegend();
    }
    m_selected->setData(selKey, selValue, true);
    m_plot->xAxis->setRange(first - 0.8, std::max(last, first + 4) + 0.8);
    m_plot->yAxis->setRange(-0.05 * std::max(1.0, maxWait * 1.15), std::max(1.0, maxWait * 1.15));
    m_plot->replot(QCustomPlot::rpQueuedRefresh);
}

} // namespace expectlab
