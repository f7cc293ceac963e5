#include "overviewplot.h"

#include "exchangelistmodel.h"
#include "outcomepalette.h"

#include <qcustomplot.h>

#include <QMouseEvent>
#include <QTimer>
#include <QToolTip>
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
    m_plot->setToolTip(tr("Expect wait per exchange (log scale), by outcome: colour and shape. "
                          "Hover a point for its exchange; click it to select it."));
    m_plot->xAxis->setLabel(tr("exchange"));
    m_plot->yAxis->setLabel(tr("expect wait (ms)"));
    // Waits run from microseconds (a 100 at once) to seconds (a timeout, R5): a log axis shows
    // both; exchanges without a wait sit on the floor, below the lowest tick.
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    auto logTicker = QSharedPointer<QCPAxisTickerLog>::create();
    logTicker->setLogBase(10);
    logTicker->setSubTickCount(0);
    logTicker->setTickCount(4); // a short strip: a label every decade or two, not seven crowded ones
    m_plot->yAxis->setTicker(logTicker);
    m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &OverviewPlot::showPointTip);
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
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                // The live Wait cell ticks ten times a second; nothing plotted here changes with it.
                if (roles.isEmpty() || roles.contains(ExchangeListModel::OutcomeRole) ||
                    roles.contains(ExchangeListModel::ExpectWaitMsRole) ||
                    roles.contains(ExchangeListModel::NumberRole))
                    scheduleRebuild();
            });
    connect(model, &QAbstractItemModel::modelReset, this, &OverviewPlot::scheduleRebuild);
    connect(m_plot, &QCustomPlot::plottableClick, this, [this](QCPAbstractPlottable *p, int dataIndex) {
        if (auto *g = qobject_cast<QCPGraph *>(p); g && dataIndex >= 0 && dataIndex < g->dataCount())
            emit exchangeClicked(int(g->data()->at(dataIndex)->key));
    });
    rebuild();
}

namespace {
constexpr int kSymbolSize = 9;
// Where an exchange without a wait is drawn on the log axis, and the axis's floor under it.
constexpr double kNoWaitMs = 0.001;
constexpr double kFloorMs = 0.0005;

QCPScatterStyle vectorStyle(Outcome outcome)
{
    static const QCPScatterStyle::ScatterShape shapes[] = {
        QCPScatterStyle::ssDisc,     QCPScatterStyle::ssSquare,           QCPScatterStyle::ssDiamond,
        QCPScatterStyle::ssTriangle, QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross,
        QCPScatterStyle::ssPlus,     QCPScatterStyle::ssCircle,           QCPScatterStyle::ssStar};
    const QColor color = outcomeColor(outcome);
    const auto shape = shapes[int(outcomeShape(outcome))];
    return QCPScatterStyle(shape, QPen(color.darker(150), 1.2), color, kSymbolSize);
}
} // namespace

void OverviewPlot::setVectorScatters(bool vector)
{
    // On screen each point is a cached symbol blitted: several times cheaper than rasterising a
    // path per point, which dominated the replot of a 10,000-exchange session.
    for (int i = 0; i < kOutcomeCount; ++i)
        m_plot->graph(i)->setScatterStyle(vector ? vectorStyle(Outcome(i))
                                                 : QCPScatterStyle(outcomeSymbol(Outcome(i), kSymbolSize)));
}

void OverviewPlot::showPointTip(QMouseEvent *event)
{
    // The nearest point within a few pixels names its exchange; elsewhere the plot says what it is.
    double best = 7;
    QString tip;
    for (int i = 0; i < kOutcomeCount; ++i) {
        QCPGraph *g = m_plot->graph(i);
        QVariant details;
        const double distance = g->selectTest(event->position(), false, &details);
        if (distance < 0 || distance >= best)
            continue;
        const QCPDataSelection hit = details.value<QCPDataSelection>();
        if (hit.isEmpty())
            continue;
        const int number = int(g->data()->at(hit.dataRange().begin())->key);
        best = distance;
        tip = m_tips.value(number);
    }
    m_hoverTip = tip;
    if (!tip.isEmpty())
        QToolTip::showText(event->globalPosition().toPoint(), tip, m_plot);
    else if (QToolTip::isVisible() && QToolTip::text() != m_plot->toolTip())
        QToolTip::hideText();
}

void OverviewPlot::setSelectedNumber(int number)
{
    m_selectedNumber = number;
    scheduleRebuild();
}

void OverviewPlot::refreshNow()
{
    m_timer->stop();
    rebuild();
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
    m_tips.clear();
    const int rows = m_model->rowCount();
    for (int row = 0; row < rows; ++row) {
        const QModelIndex index = m_model->index(row, 0);
        const int number = index.data(ExchangeListModel::NumberRole).toInt();
        const int outcome = index.data(ExchangeListModel::OutcomeRole).toInt();
        const QVariant wait = index.data(ExchangeListModel::ExpectWaitMsRole);
        if (row == 0)
            first = number;
        last = number;
        // Exchanges without a wait sit on the floor, still coloured and shaped by outcome.
        const double w = wait.isValid() ? std::max(wait.toDouble(), kNoWaitMs) : kNoWaitMs;
        const QString waitText =
            !wait.isValid() ? tr("no wait for a 100")
            : index.data(ExchangeListModel::ExpectWaitEndedRole).toBool()
                ? tr("expect wait %1 ms").arg(wait.toDouble(), 0, 'f', wait.toDouble() < 10 ? 3 : 1)
                : tr("waited %1 ms until it ended").arg(wait.toDouble(), 0, 'f', wait.toDouble() < 10 ? 3 : 1);
        const QModelIndex final = index.siblingAtColumn(ExchangeListModel::FinalColumn);
        const QModelIndex url = index.siblingAtColumn(ExchangeListModel::UrlColumn);
        m_tips.insert(number,
                      tr("#%1 %2: %3\nfinal %4, %5")
                          .arg(number)
                          .arg(url.data().toString(),
                               outcome >= 0 && outcome < kOutcomeCount ? outcomeName(Outcome(outcome)) : QString(),
                               final.data().toString(), waitText));
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
    m_plot->yAxis->setRange(kFloorMs, std::max(1.0, maxWait * 2));
    m_plot->replot(QCustomPlot::rpQueuedRefresh);
}

} // namespace expectlab
