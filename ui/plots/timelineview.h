#pragma once

#include "plotcaption.h"
#include "timelinelayout.h"

#include <QRectF>
#include <QWidget>

#include <functional>
#include <utility>

class QCPItemText;
class QCheckBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace expectlab {

// The ladder diagram of one exchange: a thin QCustomPlot view over a TimelineLayout. Zoom and pan
// with the mouse (time axis only); Fit shows the whole exchange; hovering a marker shows its event.
// Idle gaps are compressed (TimeWarp) unless the user turns that off; labels are placed without
// overlap on every replot (LabelPlacer), and one that finds no room is left to the marker's tooltip.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(QWidget *parent = nullptr);

    // A new layout for the same exchange keeps the user's zoom; another exchange is fitted.
    void setLayout(const TimelineLayout &layout, int exchangeNumber);
    void clear(const QString &message = QString());
    void fitView();
    void setCompressGaps(bool on);
    // The key shown over the plot (and under an exported image): symbol, meaning, colour.
    using KeyEntry = PlotCaption::KeyEntry;
    static QList<KeyEntry> keyEntries();
    bool compressGaps() const;

    const TimelineLayout &timelineLayout() const { return m_layout; }
    QCustomPlot *plot() const { return m_plot; }
    // Where real time ms sits on the plot's x axis (the compressed axis when it is on).
    double displayX(double ms) const;
    const TimeWarp &warp() const { return m_warp; }
    // What the plot holds now, for tests and the status line: markers per meaning, arrow items.
    int markerCount(Meaning meaning) const;
    int markerCount(MarkerShape shape) const;
    int markerCount() const;
    int arrowCount() const;
    // The labels as last placed, in pixels: the boxes shown, and how many found no room.
    QList<QRectF> labelBoxes() const;
    int droppedLabelCount() const;
    // The text of the shown labels (tests: the live countdown, the gap's length).
    QStringList labelTexts() const;

private:
    // A text item and where it may go: the candidate boxes for its size at the current zoom.
    struct PlacedLabel
    {
        QCPItemText *item;
        int priority; // lower first
        std::function<QList<QRectF>(const QSizeF &)> candidates;
        bool shown = true;
        QRectF box;
    };
    void rebuild();
    void fitRange();
    void onMouseMove(QMouseEvent *event);
    void placeLabels();
    // The pixels of display x0..x1 inside the plot (left > right: none of it is in view).
    std::pair<double, double> visiblePixels(double x0, double x1) const;
    QCPItemText *addLabel(const QString &text, const QColor &color, int priority, bool bold,
                          std::function<QList<QRectF>(const QSizeF &)> candidates);

    QCustomPlot *m_plot;
    QLabel *m_caption;
    QCheckBox *m_compress;
    TimelineLayout m_layout;
    TimeWarp m_warp; // the layout's warp, or none when compression is off
    QList<PlacedLabel> m_labels;
    int m_exchange = 0;
    bool m_userZoomed = false;
};

} // namespace expectlab
