#include "plotcaption.h"

#include <qcustomplot.h>

namespace expectlab {

PlotCaption::PlotCaption(QCustomPlot *plot, const QString &title, const QString &subtitle, const QList<KeyEntry> &key)
    : m_plot(plot)
{
    QCPLayoutGrid *layout = plot->plotLayout();
    QFont bold = plot->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    QFont small = plot->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);

    auto *heading = new QCPLayoutGrid;
    layout->insertRow(0);
    layout->addElement(0, 0, heading);
    heading->addElement(0, 0, new QCPTextElement(plot, title, bold));
    if (!subtitle.isEmpty()) {
        auto *sub = new QCPTextElement(plot, subtitle, small);
        sub->setTextColor(QColor(0x45, 0x45, 0x45));
        heading->addElement(1, 0, sub);
    }
    m_rows << heading;

    if (!key.isEmpty()) {
        auto *keyRow = new QCPLayoutGrid;
        const int row = layout->rowCount();
        layout->insertRow(row);
        layout->addElement(row, 0, keyRow);
        // Five entries a row: a plot as narrow as the window's detail pane keeps the whole key.
        constexpr int kPerRow = 5;
        for (int i = 0; i < key.size(); ++i) {
            auto *entry = new QCPTextElement(plot, key.at(i).symbol + QLatin1Char(' ') + key.at(i).text, small);
            entry->setTextColor(key.at(i).color);
            keyRow->addElement(i / kPerRow, i % kPerRow, entry);
        }
        m_rows << keyRow;
    }
    // Only the plot's main column takes room: the rows above and below span nothing else.
    for (QCPLayoutElement *e : std::as_const(m_rows))
        e->setMinimumMargins(QMargins(6, 4, 6, 4));
}

PlotCaption::~PlotCaption()
{
    QCPLayoutGrid *layout = m_plot->plotLayout();
    for (QCPLayoutElement *e : std::as_const(m_rows))
        layout->remove(e);
    layout->simplify();
}

} // namespace expectlab
