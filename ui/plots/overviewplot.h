#pragma once

#include <QHash>
#include <QString>
#include <QWidget>

class QAbstractItemModel;
class QCPGraph;
class QCustomPlot;
class QMouseEvent;
class QTimer;

namespace expectlab {

// Expect wait per exchange across the session, one colour per outcome, so that twenty runs show
// their pattern at a glance. Reads the exchange list model; redraws at most every few tens of ms.
class OverviewPlot : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewPlot(QAbstractItemModel *model, QWidget *parent = nullptr);

    void setSelectedNumber(int number);
    // Draws what the model holds now instead of at the next batch (an export wants every point).
    void refreshNow();
    QCustomPlot *plot() const { return m_plot; }
    // Points are blitted from a cached disc on screen; a PDF export wants real vector discs.
    void setVectorScatters(bool vector);
    // Points plotted now (tests).
    int pointCount() const;
    // The tooltip of the point under the mouse at the last move, empty off the points (tests).
    QString hoverTip() const { return m_hoverTip; }

signals:
    void exchangeClicked(int number);

private:
    void scheduleRebuild();
    void rebuild();
    void showPointTip(QMouseEvent *event);

    QAbstractItemModel *m_model;
    QCustomPlot *m_plot;
    QCPGraph *m_selected;
    QTimer *m_timer;
    int m_selectedNumber = 0;
    QHash<int, QString> m_tips; // per exchange number: what its point's tooltip says
    QString m_hoverTip;
};

} // namespace expectlab
