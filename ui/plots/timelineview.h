#pragma once

#include "timelinelayout.h"

#include <QWidget>

class QCPItemText;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace expectlab {

// The ladder diagram of one exchange: a thin QCustomPlot view over a TimelineLayout. Zoom and pan
// with the mouse (time axis only); Fit shows the whole exchange; hovering a marker shows its event.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(QWidget *parent = nullptr);

    // A new layout for the same exchange keeps the user's zoom; another exchange is fitted.
    void setLayout(const TimelineLayout &layout, int exchangeNumber);
    void clear(const QString &message = QString());
    void fitView();

    const TimelineLayout &timelineLayout() const { return m_layout; }
    QCustomPlot *plot() const { return m_plot; }
    // What the plot holds now, for tests and the status line: markers per meaning, arrow items.
    int markerCount(Meaning meaning) const;
    int markerCount() const;
    int arrowCount() const;
    // The marker labels' items, in the order placeMarkerLabels() gives (tests).
    const QList<QCPItemText *> &markerLabels() const { return m_markerLabels; }

private:
    void rebuild();
    void fitRange();
    void onMouseMove(QMouseEvent *event);
    // Places the markers' labels for the current zoom (TimelineLayout::placeMarkerLabels).
    void placeLabels();

    QCustomPlot *m_plot;
    QLabel *m_caption;
    TimelineLayout m_layout;
    QList<QCPItemText *> m_markerLabels; // one per TimelineLayout::LabelSlot, owned by the plot
    int m_exchange = 0;
    bool m_userZoomed = false;
};

} // namespace expectlab
