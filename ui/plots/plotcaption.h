#pragma once

#include <QColor>
#include <QList>
#include <QString>

class QCPLayoutElement;
class QCustomPlot;

namespace expectlab {

// An exported plot says what it shows (issue 14): for as long as this object lives the plot has a
// title row (what, which URL, when) over its axes and, when given, a key row under them. The
// window's own view of the plot is back as it was once the object is gone.
class PlotCaption
{
public:
    struct KeyEntry
    {
        QString symbol, text;
        QColor color;
    };
    PlotCaption(QCustomPlot *plot, const QString &title, const QString &subtitle, const QList<KeyEntry> &key = {});
    ~PlotCaption();
    PlotCaption(const PlotCaption &) = delete;
    PlotCaption &operator=(const PlotCaption &) = delete;

private:
    QCustomPlot *m_plot;
    QList<QCPLayoutElement *> m_rows;
};

} // namespace expectlab
