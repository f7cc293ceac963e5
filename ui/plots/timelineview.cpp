#include "timelineview.h"

#include "outcomepalette.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>

namespace expectlab {

namespace {
constexpr std::array<Meaning, 7> kMeanings{Meaning::Neutral, Meaning::Continue, Meaning::Reject, Meaning::Success,
                                           Meaning::Failure, Meaning::Muted,    Meaning::Body};

QString graphName(Meaning m)
{
    return QStringLiteral("markers:%1").arg(int(m));
}

QCPItemText *addText(QCustomPlot *plot, double x, double y, const QString &text, const QColor &color,
                     Qt::Alignment alignment, int pointSize = 8, bool bold = false)
{
    auto *item = new QCPItemText(plot);
    item->position->setCoords(x, y);
    item->setText(text);
    item->setColor(color);
    QFont font = plot->font();
    font.setPointSize(pointSize);
    font.setBold(bold);
    item->setFont(font);
    item->setPositionAlignment(alignment);
    item->setClipToAxisRect(true);
    return item;
}
} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_caption(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // Two rows that wrap rather than widen the window (a laptop screen, issue 14): the caption with
    // Fit, then the colour key with the mouse hint.
    auto *bar = new QHBoxLayout;
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caption->setWordWrap(true);
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(m_caption, 1);
    auto *keyRow = new QHBoxLayout;
    // The colour key, in the markers' own colours.
    QString key;
    const std::pair<Meaning, QString> keys[] = {
        {Meaning::Continue, tr("1xx")},           {Meaning::Reject, tr("417")},           {Meaning::Success, tr("2xx")},
        {Meaning::Failure, tr("4xx/5xx, error")}, {Meaning::Muted, tr("timeout, close")}, {Meaning::Body, tr("body")}};
    for (const auto &[meaning, text] : keys)
        key +=
            QStringLiteral("<span style=\"color:%1\">●</span>&nbsp;%2&nbsp; ").arg(meaningColor(meaning).name(), text);
    auto *legend = new QLabel(key, this);
    legend->setObjectName(QStringLiteral("timelineKey"));
    legend->setWordWrap(true);
    keyRow->addWidget(legend, 1);
    auto *hint = new QLabel(tr("wheel: zoom · drag: pan"), this);
    hint->setEnabled(false);
    keyRow->addWidget(hint);
    auto *fit = new QPushButton(tr("Fit"), this);
    fit->setObjectName(QStringLiteral("timelineFit"));
    fit->setToolTip(tr("Show the whole exchange (F)"));
    connect(fit, &QPushButton::clicked, this, &TimelineView::fitView);
    bar->addWidget(fit, 0, Qt::AlignTop);
    layout->addLayout(bar);
    layout->addLayout(keyRow);
    layout->addWidget(m_plot, 1);

    m_plot->setObjectName(QStringLiteral("timelinePlot"));
    m_plot->setMinimumHeight(180);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->xAxis->setLabel(tr("time since the first event (ms)"));
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->yAxis->setSubTicks(false);
    m_plot->yAxis->setTickLength(0, 0);
    m_plot->setMouseTracking(true);
    for (Meaning m : kMeanings) {
        QCPGraph *g = m_plot->addGraph();
        g->setName(graphName(m));
        g->setLineStyle(QCPGraph::lsNone);
        const QColor c = meaningColor(m);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::white, 1.5), QBrush(c),
                                           m == Meaning::Neutral || m == Meaning::Body ? 8 : 12));
    }
    connect(m_plot, &QCustomPlot::mouseMove, this, &TimelineView::onMouseMove);
    // A user who zooms or drags keeps that view while events of the same exchange arrive.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_userZoomed = true; });
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_userZoomed = true; });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &TimelineView::fitView);
    // Zoom and pan move labels apart or together: place them again (the replot that follows draws it).
    // Zoom, pan and a resized pane all change the milliseconds per pixel, and each ends in a replot:
    // place the labels once per replot, after the layout and before drawing.
    connect(m_plot, &QCustomPlot::afterLayout, this, &TimelineView::placeLabels);
    clear();
}

void TimelineView::setLayout(const TimelineLayout &layout, int exchangeNumber)
{
    if (exchangeNumber != m_exchange)
        m_userZoomed = false;
    m_exchange = exchangeNumber;
    m_layout = layout;
    rebuild();
}

void TimelineView::clear(const QString &message)
{
    m_layout = TimelineLayout();
    m_exchange = 0;
    m_userZoomed = false;
    rebuild();
    m_caption->setText(message.isEmpty() ? tr("Select an exchange to see its timeline.") : message);
}

int TimelineView::markerCount(Meaning meaning) const
{
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        if (m_plot->graph(i)->name() == graphName(meaning))
            return m_plot->graph(i)->dataCount();
    }
    return 0;
}

int TimelineView::markerCount() const
{
    int n = 0;
    for (Meaning m : kMeanings)
        n += markerCount(m);
    return n;
}

int TimelineView::arrowCount() const
{
    int n = 0;
    for (int i = 0; i < m_plot->itemCount(); ++i) {
        if (auto *line = qobject_cast<QCPItemLine *>(m_plot->item(i));
            line && line->head().style() != QCPLineEnding::esNone)
            ++n;
    }
    return n;
}

void TimelineView::rebuild()
{
    m_plot->clearItems();
    m_markerLabels.clear();
    for (Meaning m : kMeanings) {
        QVector<double> keys, values;
        for (const TimelineLayout::Marker &marker : std::as_const(m_layout.markers)) {
            if (marker.meaning == m) {
                keys << marker.tMs;
                values << marker.y;
            }
        }
        for (int i = 0; i < m_plot->graphCount(); ++i) {
            if (m_plot->graph(i)->name() == graphName(m))
                m_plot->graph(i)->setData(keys, values);
        }
    }

    auto ticker = qSharedPointerCast<QCPAxisTickerText>(m_plot->yAxis->ticker());
    ticker->clear();
    const QColor laneColor(0xcf, 0xd8, 0xdc);
    for (const TimelineLayout::Lane &lane : std::as_const(m_layout.lanes)) {
        ticker->addTick(lane.y, lane.name);
        auto *line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(0, lane.y);
        line->point2->setCoords(1, lane.y);
        line->setPen(QPen(laneColor, 2));
        line->setLayer(QStringLiteral("grid"));
    }
    if (m_layout.lanes.size() == 1) {
        // An external peer: only one side is seen; its messages end in stubs towards the peer.
        addText(m_plot, 0, TimelineLayout::kSingleLaneY + TimelineLayout::kStubLength + 0.05, tr("peer (not observed)"),
                QColor(0x90, 0x90, 0x90), Qt::AlignLeft | Qt::AlignBottom)
            ->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    }

    // Body transfers as bands on their lane.
    const QColor body = meaningColor(Meaning::Body);
    for (const TimelineLayout::Span &span : std::as_const(m_layout.spans)) {
        auto *rect = new QCPItemRect(m_plot);
        rect->topLeft->setCoords(span.t0Ms, span.y + 0.07);
        rect->bottomRight->setCoords(std::max(span.t1Ms, span.t0Ms), span.y - 0.07);
        QColor fill = body;
        fill.setAlpha(90);
        rect->setBrush(fill);
        rect->setPen(QPen(body, 1));
        addText(m_plot, (span.t0Ms + span.t1Ms) / 2, span.y - 0.1, span.label, body, Qt::AlignHCenter | Qt::AlignTop,
                7);
    }

    // Messages, as arrows from the sender's lane to the receiver's.
    int index = 0;
    for (const TimelineLayout::Arrow &a : std::as_const(m_layout.arrows)) {
        const QColor c = meaningColor(a.meaning);
        auto *line = new QCPItemLine(m_plot);
        line->start->setCoords(a.t0Ms, a.y0);
        line->end->setCoords(a.t1Ms, a.y1);
        QPen pen(c, a.meaning == Meaning::Neutral || a.meaning == Meaning::Body ? 1.2 : 2.0);
        if (a.meaning == Meaning::Body)
            pen.setStyle(Qt::DashLine);
        line->setPen(pen);
        line->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 9, 11));
        // With both lanes, a status already labels the markers at both ends of its arrow.
        const bool statusArrow = a.meaning != Meaning::Neutral && a.meaning != Meaning::Body;
        if (!a.label.isEmpty() && !(statusArrow && m_layout.lanes.size() > 1)) {
            // Alternate where along the arrow the label sits, so near-simultaneous messages stay legible.
            const double f = (index % 2 == 0) ? 0.38 : 0.62;
            auto *text = addText(m_plot, a.t0Ms + (a.t1Ms - a.t0Ms) * f, a.y0 + (a.y1 - a.y0) * f, a.label, c,
                                 Qt::AlignLeft | Qt::AlignVCenter, 8, a.meaning != Meaning::Neutral);
            text->setPadding(QMargins(4, 0, 2, 0));
            text->setBrush(QColor(255, 255, 255, 200));
        }
        ++index;
    }

    // Status labels beside the lane, away from the arrows; labels that would touch stack up. The
    // layout places them in pixel space, so placeLabels() runs again on every zoom.
    for (const TimelineLayout::LabelSlot &slot : m_layout.placeMarkerLabels(0)) {
        const TimelineLayout::Marker &m = m_layout.markers.at(slot.marker);
        m_markerLabels.append(addText(m_plot, m.tMs, slot.y, m.label, meaningColor(m.meaning),
                                      Qt::AlignHCenter | (slot.below ? Qt::AlignTop : Qt::AlignBottom), 8, true));
    }

    for (const TimelineLayout::Bracket &b : std::as_const(m_layout.brackets)) {
        const QColor c = b.timedOut ? meaningColor(Meaning::Muted) : QColor(0x37, 0x47, 0x4f);
        auto *bracket = new QCPItemBracket(m_plot);
        const TimelineLayout::Lane *lane = m_layout.laneAt(b.y);
        const bool above = !lane || !lane->labelsBelow;
        // The opening faces the lane: drawn right-to-left above it, left-to-right below it.
        bracket->left->setCoords(above ? b.t1Ms : b.t0Ms, b.y);
        bracket->right->setCoords(above ? b.t0Ms : b.t1Ms, b.y);
        bracket->setLength(7);
        bracket->setStyle(QCPItemBracket::bsSquare);
        bracket->setPen(QPen(c, 1.5));
        addText(m_plot, (b.t0Ms + b.t1Ms) / 2, b.y + (above ? 0.05 : -0.05), b.label, c,
                Qt::AlignHCenter | (above ? Qt::AlignBottom : Qt::AlignTop), 8, true);
    }

    for (const TimelineLayout::Separator &s : std::as_const(m_layout.separators)) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(s.tMs, 0);
        line->point2->setCoords(s.tMs, 1);
        line->setPen(QPen(meaningColor(Meaning::Reject), 1, Qt::DashLine));
        auto *text = addText(m_plot, s.tMs, 1, s.label, meaningColor(Meaning::Reject), Qt::AlignLeft | Qt::AlignTop, 8);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(s.tMs, 0.02);
        text->setPadding(QMargins(4, 2, 2, 2));
    }

    if (m_layout.isEmpty()) {
        m_plot->yAxis->setRange(-0.6, 1.6);
        m_plot->xAxis->setRange(0, 1);
    } else {
        m_plot->yAxis->setRange(m_layout.yMin(), m_layout.yMax());
        if (!m_userZoomed)
            fitRange();
        QString caption = tr("Exchange %1 · %2 events over %3 ms")
                              .arg(m_exchange)
                              .arg(m_layout.markers.size())
                              .arg(m_layout.endMs, 0, 'f', 3);
        if (m_layout.endMs > m_layout.focusEndMs * 1.3 + 0.05)
            caption +=
                tr(" · the connection closes at %1 ms: drag or zoom out to see it").arg(m_layout.endMs, 0, 'f', 1);
        m_caption->setText(caption);
    }
    placeLabels();
    m_plot->replot(QCustomPlot::rpQueuedRefresh);
}

void TimelineView::placeLabels()
{
    const int widthPx = std::max(1, m_plot->axisRect()->width());
    const double msPerPixel = m_plot->xAxis->range().size() / widthPx;
    const QList<TimelineLayout::LabelSlot> placed = m_layout.placeMarkerLabels(msPerPixel);
    for (int i = 0; i < placed.size() && i < m_markerLabels.size(); ++i)
        m_markerLabels.at(i)->position->setCoords(m_layout.markers.at(placed.at(i).marker).tMs, placed.at(i).y);
}

void TimelineView::fitRange()
{
    // The handshake, not the trailing close, decides the range (see TimelineLayout::focusEndMs).
    const double end = m_layout.endMs > m_layout.focusEndMs * 1.3 + 0.05 ? m_layout.focusEndMs : m_layout.endMs;
    const TimeAxis axis = TimeAxis::fit(0, end, m_plot->axisRect()->width(), 0.08);
    m_plot->xAxis->setRange(axis.lowerMs, axis.upperMs);
}

void TimelineView::fitView()
{
    m_userZoomed = false;
    fitRange();
    m_plot->replot(QCustomPlot::rpQueuedRefresh);
}

void TimelineView::onMouseMove(QMouseEvent *event)
{
    if (m_layout.isEmpty() || event->buttons() != Qt::NoButton)
        return;
    const QRect rect = m_plot->axisRect()->rect();
    const double msPerPixel = m_plot->xAxis->range().size() / std::max(1, rect.width());
    const double yPerPixel = m_plot->yAxis->range().size() / std::max(1, rect.height());
    const double t = m_plot->xAxis->pixelToCoord(event->position().x());
    const double y = m_plot->yAxis->pixelToCoord(event->position().y());
    const int i = m_layout.markerNear(t, y, msPerPixel, yPerPixel, 9);
    if (i < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), m_layout.markers.at(i).tooltip, m_plot);
}

} // namespace expectlab
