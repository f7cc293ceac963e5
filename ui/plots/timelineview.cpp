#include "timelineview.h"

#include "labelplacer.h"
#include "outcomepalette.h"
#include "warpticker.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QToolTip>
#include <QVBoxLayout>

namespace expectlab {

namespace {
const QString kCompressKey = QStringLiteral("timeline/compressIdleGaps");

QString graphName(Meaning m, MarkerShape s)
{
    return QStringLiteral("markers:%1:%2").arg(int(m)).arg(int(s));
}

QCPScatterStyle scatterFor(Meaning m, MarkerShape shape)
{
    const QColor c = meaningColor(m);
    switch (shape) {
    case MarkerShape::Connect: return QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(c, 1.5), QBrush(c), 10);
    case MarkerShape::Close: return QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(c, 1.5), QBrush(Qt::white), 9);
    case MarkerShape::Reset: return QCPScatterStyle(QCPScatterStyle::ssCross, QPen(c, 3), Qt::NoBrush, 12);
    case MarkerShape::Timeout: return QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::white, 1.5), QBrush(c), 13);
    case MarkerShape::Decision: return QCPScatterStyle(QCPScatterStyle::ssStar, QPen(c, 2), Qt::NoBrush, 13);
    case MarkerShape::Message: break;
    }
    return QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::white, 1.5), QBrush(c),
                           m == Meaning::Neutral || m == Meaning::Body ? 8 : 12);
}

QRectF boxAt(double centreX, double top, const QSizeF &size)
{
    return QRectF(centreX - size.width() / 2, top, size.width(), size.height());
}

// Label priorities: what a reader needs first keeps its place; the rest make way or drop.
// In this order: what the user came to read first (the expect wait, the statuses, which
// have more places to go), then the gaps' lengths (which may also go under the lanes), then the rest.
enum Priority { BracketLabel, StatusLabel, GapLabel, UnsentLabel, SeparatorLabel, BodyLabel, ArrowLabel };
} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_caption(new QLabel(this))
    , m_compress(new QCheckBox(tr("Compress idle gaps"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // Two rows that wrap rather than widen the window (a laptop screen, issue 14): the caption with
    // Fit, then the key with the mouse hint.
    auto *bar = new QHBoxLayout;
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caption->setWordWrap(true);
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(m_caption, 1);
    auto *keyRow = new QHBoxLayout;
    // The key: colours say how it went, shapes say what a marker is.
    QString key;
    for (const KeyEntry &k : keyEntries())
        key += QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;%3&nbsp; ")
                   .arg(k.color.name(), k.symbol, k.text.toHtmlEscaped());
    auto *legend = new QLabel(key, this);
    legend->setObjectName(QStringLiteral("timelineKey"));
    legend->setWordWrap(true);
    keyRow->addWidget(legend, 1);
    auto *hint = new QLabel(tr("wheel: zoom · drag: pan"), this);
    hint->setEnabled(false);
    keyRow->addWidget(hint);
    m_compress->setObjectName(QStringLiteral("timelineCompress"));
    m_compress->setToolTip(tr("Draw each long idle gap (a wait for a 100, a server lingering before it closes) as "
                              "a marked break with its length written, so that the milliseconds around it stay "
                              "readable"));
    m_compress->setChecked(QSettings().value(kCompressKey, true).toBool());
    connect(m_compress, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(kCompressKey, on);
        m_userZoomed = false;
        rebuild();
    });
    bar->addWidget(m_compress, 0, Qt::AlignTop);
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
    m_plot->xAxis->setTicker(QSharedPointer<WarpTicker>::create());
    m_plot->xAxis->setSubTicks(false);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->yAxis->setSubTicks(false);
    m_plot->yAxis->setTickLength(0, 0);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &TimelineView::onMouseMove);
    // A user who zooms or drags keeps that view while events of the same exchange arrive.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_userZoomed = true; });
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_userZoomed = true; });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &TimelineView::fitView);
    // Zoom, pan and a resized pane all change the pixels per millisecond, and each ends in a replot:
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

void TimelineView::setCompressGaps(bool on)
{
    m_compress->setChecked(on);
}

bool TimelineView::compressGaps() const
{
    return m_compress->isChecked();
}

double TimelineView::displayX(double ms) const
{
    return m_warp.toDisplay(ms);
}

int TimelineView::markerCount(Meaning meaning) const
{
    int n = 0;
    const QString prefix = QStringLiteral("markers:%1:").arg(int(meaning));
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (m_plot->graph(i)->name().startsWith(prefix))
            n += m_plot->graph(i)->dataCount();
    return n;
}

int TimelineView::markerCount(MarkerShape shape) const
{
    int n = 0;
    const QString suffix = QStringLiteral(":%1").arg(int(shape));
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (m_plot->graph(i)->name().endsWith(suffix))
            n += m_plot->graph(i)->dataCount();
    return n;
}

int TimelineView::markerCount() const
{
    int n = 0;
    for (int i = 0; i < m_plot->graphCount(); ++i)
        n += m_plot->graph(i)->dataCount();
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

QList<QRectF> TimelineView::labelBoxes() const
{
    QList<QRectF> out;
    for (const PlacedLabel &l : m_labels)
        if (l.shown)
            out.append(l.box);
    return out;
}

int TimelineView::droppedLabelCount() const
{
    return int(std::count_if(m_labels.cbegin(), m_labels.cend(), [](const PlacedLabel &l) { return !l.shown; }));
}

QStringList TimelineView::labelTexts() const
{
    QStringList out;
    for (const PlacedLabel &l : m_labels)
        if (l.shown)
            out.append(l.item->text());
    return out;
}

std::pair<double, double> TimelineView::visiblePixels(double x0, double x1) const
{
    const QRect rect = m_plot->axisRect()->rect();
    const double a = m_plot->xAxis->coordToPixel(x0), b = m_plot->xAxis->coordToPixel(x1);
    return {std::max(std::min(a, b), double(rect.left())), std::min(std::max(a, b), double(rect.right()))};
}

QList<TimelineView::KeyEntry> TimelineView::keyEntries()
{
    const QColor grey = meaningColor(Meaning::Muted);
    return {{QStringLiteral("●"), tr("1xx"), meaningColor(Meaning::Continue)},
            {QStringLiteral("●"), tr("417"), meaningColor(Meaning::Reject)},
            {QStringLiteral("●"), tr("2xx"), meaningColor(Meaning::Success)},
            {QStringLiteral("●"), tr("4xx/5xx, error"), meaningColor(Meaning::Failure)},
            {QStringLiteral("●"), tr("body"), meaningColor(Meaning::Body)},
            {QStringLiteral("●"), tr("TLS"), meaningColor(Meaning::Tls)},
            {QStringLiteral("✱"), tr("proxy decision"), meaningColor(Meaning::Proxy)},
            {QStringLiteral("▲"), tr("connect"), grey},
            {QStringLiteral("□"), tr("close"), grey},
            {QStringLiteral("✕"), tr("reset"), grey}, // drawn in its event's colour, grey for most
            {QStringLiteral("◆"), tr("timeout"), grey}};
}

QCPItemText *TimelineView::addLabel(const QString &text, const QColor &color, int priority, bool bold,
                                    std::function<QList<QRectF>(const QSizeF &)> candidates)
{
    auto *item = new QCPItemText(m_plot);
    item->setText(text);
    item->setColor(color);
    QFont font = m_plot->font();
    font.setPointSize(8);
    font.setBold(bold);
    item->setFont(font);
    item->setPositionAlignment(Qt::AlignCenter);
    item->setPadding(QMargins(3, 1, 3, 1));
    item->setBrush(QColor(255, 255, 255, 215));
    item->setClipToAxisRect(true);
    m_labels.append({item, priority, std::move(candidates), true, QRectF()});
    return item;
}

void TimelineView::rebuild()
{
    m_plot->clearItems();
    m_plot->clearGraphs();
    m_labels.clear();
    m_warp = m_compress->isChecked() ? m_layout.warp : TimeWarp();
    qSharedPointerCast<WarpTicker>(m_plot->xAxis->ticker())->setWarp(m_warp);
    auto X = [this](double ms) {
        return m_warp.toDisplay(ms);
    };
    auto px = [this](double x) {
        return m_plot->xAxis->coordToPixel(x);
    };
    auto py = [this](double y) {
        return m_plot->yAxis->coordToPixel(y);
    };

    // Markers: one graph per meaning and shape.
    QMap<std::pair<int, int>, std::pair<QVector<double>, QVector<double>>> groups;
    for (const TimelineLayout::Marker &marker : std::as_const(m_layout.markers)) {
        auto &[keys, values] = groups[{int(marker.meaning), int(marker.shape)}];
        keys << X(marker.tMs);
        values << marker.y;
    }
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        QCPGraph *g = m_plot->addGraph();
        const auto meaning = Meaning(it.key().first);
        const auto shape = MarkerShape(it.key().second);
        g->setName(graphName(meaning, shape));
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(scatterFor(meaning, shape));
        g->setData(it.value().first, it.value().second, true);
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
    const QColor grey = meaningColor(Meaning::Muted);
    if (m_layout.lanes.size() == 1) {
        // An external peer: only one side is seen; its messages end in stubs towards the peer.
        auto *peer = new QCPItemText(m_plot);
        peer->setText(tr("peer (not observed)"));
        peer->setColor(grey);
        peer->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        peer->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        peer->position->setCoords(0.005, TimelineLayout::kSingleLaneY + TimelineLayout::kStubLength + 0.05);
    }

    // Idle gaps: a hatched break across the lanes, with its real length.
    for (const TimeWarp::Gap &gap : m_warp.gaps()) {
        auto *band = new QCPItemRect(m_plot);
        band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        band->topLeft->setCoords(gap.x0, 0);
        band->bottomRight->setCoords(gap.x1, 1);
        QColor hatch = grey;
        hatch.setAlpha(110);
        band->setBrush(QBrush(hatch, Qt::BDiagPattern));
        band->setPen(QPen(grey, 1, Qt::DashLine));
        band->setLayer(QStringLiteral("grid"));
        const double mid = (gap.x0 + gap.x1) / 2;
        const QString text = gap.lengthMs() >= 1000 ? tr("%1 s idle").arg(gap.lengthMs() / 1000, 0, 'f', 3)
                                                    : tr("%1 ms idle").arg(gap.lengthMs(), 0, 'f', 1);
        addLabel(text, grey, GapLabel, true, [this, mid, px](const QSizeF &size) {
            const QRect rect = m_plot->axisRect()->rect();
            const double top = rect.top() + 2, bottom = rect.bottom() - 2 - size.height();
            return QList<QRectF>{boxAt(px(mid), top, size), boxAt(px(mid), bottom, size),
                                 boxAt(px(mid), top + size.height() + 2, size),
                                 boxAt(px(mid), bottom - size.height() - 2, size)};
        });
    }

    // Body transfers as bands on their lane; the body an early answer spared, hatched.
    const QColor body = meaningColor(Meaning::Body);
    for (const TimelineLayout::Span &span : std::as_const(m_layout.spans)) {
        auto *rect = new QCPItemRect(m_plot);
        const double x0 = X(span.t0Ms), x1 = X(std::max(span.t1Ms, span.t0Ms));
        rect->topLeft->setCoords(x0, span.y + 0.07);
        rect->bottomRight->setCoords(x1, span.y - 0.07);
        const QColor c = span.unsent ? grey : body;
        QColor fill = c;
        fill.setAlpha(span.unsent ? 140 : 90);
        rect->setBrush(span.unsent ? QBrush(fill, Qt::Dense5Pattern) : QBrush(fill));
        rect->setPen(QPen(c, 1, span.unsent ? Qt::DashLine : Qt::SolidLine));
        const double y = span.y;
        addLabel(span.label, c, span.unsent ? UnsentLabel : BodyLabel, false, [=, this](const QSizeF &size) {
            const auto [left, right] = visiblePixels(x0, x1);
            if (left > right)
                return QList<QRectF>{}; // scrolled out of view
            const double mid = (left + right) / 2, bandBottom = py(y - 0.07), bandTop = py(y + 0.07);
            return QList<QRectF>{boxAt(mid, bandBottom + 2, size), boxAt(mid, bandTop - 2 - size.height(), size),
                                 boxAt(left + size.width() / 2, bandBottom + 2, size),
                                 boxAt(mid, bandBottom + 4 + size.height(), size)};
        });
    }

    // Messages, as arrows from the sender's lane to the receiver's.
    for (const TimelineLayout::Arrow &a : std::as_const(m_layout.arrows)) {
        const QColor c = meaningColor(a.meaning);
        auto *line = new QCPItemLine(m_plot);
        const double x0 = X(a.t0Ms), x1 = X(a.t1Ms);
        line->start->setCoords(x0, a.y0);
        line->end->setCoords(x1, a.y1);
        QPen pen(c, a.meaning == Meaning::Neutral || a.meaning == Meaning::Body ? 1.2 : 2.0);
        if (a.meaning == Meaning::Body)
            pen.setStyle(Qt::DashLine);
        line->setPen(pen);
        line->setHead(QCPLineEnding(QCPLineEnding::esSpikeArrow, 9, 11));
        // With both lanes, a status already labels the markers at both ends of its arrow.
        const bool statusArrow = a.meaning != Meaning::Neutral && a.meaning != Meaning::Body;
        if (a.label.isEmpty() || (statusArrow && m_layout.lanes.size() > 1))
            continue;
        const double y0 = a.y0, y1 = a.y1;
        addLabel(a.label, c, ArrowLabel, a.meaning != Meaning::Neutral, [=](const QSizeF &size) {
            QList<QRectF> out;
            for (const double f : {0.38, 0.62, 0.25, 0.75, 0.5}) {
                const double x = px(x0 + (x1 - x0) * f), y = py(y0 + (y1 - y0) * f);
                out.append(QRectF(x + 5, y - size.height() / 2, size.width(), size.height()));
                out.append(QRectF(x - 5 - size.width(), y - size.height() / 2, size.width(), size.height()));
            }
            return out;
        });
    }

    // Status labels beside their lane, away from the arrows; moved out a level, or sideways, when
    // they would touch another.
    for (const TimelineLayout::Marker &m : std::as_const(m_layout.markers)) {
        if (m.label.isEmpty())
            continue;
        const TimelineLayout::Lane *lane = m_layout.laneAt(m.y);
        const bool below = lane && lane->labelsBelow;
        const double x = X(m.tMs), y = m.y;
        addLabel(m.label, meaningColor(m.meaning), StatusLabel, true, [=](const QSizeF &size) {
            const double mx = px(x), my = py(y);
            const double offset = std::abs(py(y + TimelineLayout::kLabelOffset) - my) - 6;
            const double step = std::max(size.height() + 1, std::abs(py(y + TimelineLayout::kLabelLevelStep) - my));
            auto at = [&](bool under, int level, double dx) {
                const double edge = offset + level * step;
                return boxAt(mx + dx, under ? my + edge : my - edge - size.height(), size);
            };
            QList<QRectF> out;
            for (int level = 0; level < 4; ++level) {
                out.append(at(below, level, 0));
                if (level == 0) {
                    out.append(at(below, 0, size.width() / 2 + 4));
                    out.append(at(below, 0, -size.width() / 2 - 4));
                }
            }
            out.append(at(!below, 0, 0));
            out.append(at(!below, 1, 0));
            return out;
        });
    }

    for (const TimelineLayout::Bracket &b : std::as_const(m_layout.brackets)) {
        const QColor c = b.live       ? meaningColor(Meaning::Continue)
                         : b.timedOut ? meaningColor(Meaning::Muted)
                                      : QColor(0x37, 0x47, 0x4f);
        auto *bracket = new QCPItemBracket(m_plot);
        const TimelineLayout::Lane *lane = m_layout.laneAt(b.y);
        const bool above = !lane || !lane->labelsBelow;
        const double x0 = X(b.t0Ms), x1 = X(b.t1Ms), y = b.y;
        // The opening faces the lane: drawn right-to-left above it, left-to-right below it.
        bracket->left->setCoords(above ? x1 : x0, y);
        bracket->right->setCoords(above ? x0 : x1, y);
        bracket->setLength(7);
        bracket->setStyle(QCPItemBracket::bsSquare);
        bracket->setPen(QPen(c, 1.5, b.live ? Qt::DashLine : Qt::SolidLine));
        addLabel(b.label, c, BracketLabel, true, [=, this](const QSizeF &size) {
            // Over the part of the bracket in view: centred, from its start, up to its end.
            const auto [left, right] = visiblePixels(x0, x1);
            QList<QRectF> out;
            if (left > right)
                return out;
            const double mid = (left + right) / 2, by = py(y);
            for (int level = 0; level < 3; ++level) {
                const double top =
                    above ? by - 9 - size.height() - level * (size.height() + 2) : by + 9 + level * (size.height() + 2);
                out.append(boxAt(mid, top, size));
                out.append(boxAt(left + size.width() / 2, top, size));
                out.append(boxAt(right - size.width() / 2, top, size));
            }
            return out;
        });
    }

    for (const TimelineLayout::Separator &s : std::as_const(m_layout.separators)) {
        auto *line = new QCPItemStraightLine(m_plot);
        const double x = X(s.tMs);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(meaningColor(Meaning::Reject), 1, Qt::DashLine));
        addLabel(s.label, meaningColor(Meaning::Reject), SeparatorLabel, false, [this, x, px](const QSizeF &size) {
            const double top = m_plot->axisRect()->top() + 2, sx = px(x);
            return QList<QRectF>{QRectF(sx + 3, top, size.width(), size.height()),
                                 QRectF(sx - 3 - size.width(), top, size.width(), size.height()),
                                 QRectF(sx + 3, top + size.height() + 2, size.width(), size.height())};
        });
    }
    std::stable_sort(m_labels.begin(), m_labels.end(),
                     [](const PlacedLabel &a, const PlacedLabel &b) { return a.priority < b.priority; });

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
        if (!m_warp.isIdentity())
            caption += tr(" · %n idle gap(s) drawn compressed", nullptr, int(m_warp.gaps().size()));
        else if (m_layout.endMs > m_layout.focusEndMs * 1.3 + 0.05)
            caption +=
                tr(" · the connection closes at %1 ms: drag or zoom out to see it").arg(m_layout.endMs, 0, 'f', 1);
        m_caption->setText(caption);
    }
    m_plot->replot(QCustomPlot::rpQueuedRefresh);
}

void TimelineView::placeLabels()
{
    LabelPlacer placer(QRectF(m_plot->axisRect()->rect()));
    for (const TimelineLayout::Marker &m : std::as_const(m_layout.markers)) {
        const QPointF at(m_plot->xAxis->coordToPixel(m_warp.toDisplay(m.tMs)), m_plot->yAxis->coordToPixel(m.y));
        placer.addObstacle(QRectF(at.x() - 5, at.y() - 5, 10, 10));
    }
    for (PlacedLabel &l : m_labels) {
        const QFontMetricsF metrics(l.item->font());
        const QMargins pad = l.item->padding();
        const QSizeF size(metrics.horizontalAdvance(l.item->text()) + pad.left() + pad.right() + 1,
                          metrics.height() + pad.top() + pad.bottom());
        const std::optional<QRectF> box = placer.place(l.candidates(size));
        l.shown = box.has_value();
        l.item->setVisible(l.shown);
        if (!box)
            continue;
        l.box = *box;
        l.item->position->setCoords(m_plot->xAxis->pixelToCoord(box->center().x()),
                                    m_plot->yAxis->pixelToCoord(box->center().y()));
    }
}

void TimelineView::fitRange()
{
    // Compressed, the whole exchange fits; linear, the handshake, not the trailing close, decides
    // the range (see TimelineLayout::focusEndMs).
    double end = m_layout.endMs;
    if (m_warp.isIdentity() && m_layout.endMs > m_layout.focusEndMs * 1.3 + 0.05)
        end = m_layout.focusEndMs;
    const TimeAxis axis = TimeAxis::fit(0, m_warp.toDisplay(end), m_plot->axisRect()->width(), 0.08);
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
    const double xPerPixel = m_plot->xAxis->range().size() / std::max(1, rect.width());
    const double yPerPixel = m_plot->yAxis->range().size() / std::max(1, rect.height());
    const double x = m_plot->xAxis->pixelToCoord(event->position().x());
    const double y = m_plot->yAxis->pixelToCoord(event->position().y());
    const int i = m_layout.markerNear(x, y, xPerPixel, yPerPixel, 9, m_warp);
    if (i >= 0) {
        QToolTip::showText(event->globalPosition().toPoint(), m_layout.markers.at(i).tooltip, m_plot);
        return;
    }
    for (const TimeWarp::Gap &gap : m_warp.gaps()) {
        if (x >= gap.x0 && x <= gap.x1) {
            QToolTip::showText(event->globalPosition().toPoint(),
                               tr("<b>Idle for %1 ms</b> (%2 to %3 ms), drawn compressed: nothing was sent or "
                                  "received, e.g. a client waiting for a 100 (R5).")
                                   .arg(gap.lengthMs(), 0, 'f', 3)
                                   .arg(gap.startMs, 0, 'f', 3)
                                   .arg(gap.endMs, 0, 'f', 3),
                               m_plot);
            return;
        }
    }
    QToolTip::hideText();
}

} // namespace expectlab
