#include "matrixgridmodel.h"

#include "byteformat.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace expectlab {

MatrixGridModel::MatrixGridModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void MatrixGridModel::setSpec(const MatrixSpec &spec)
{
    beginResetModel();
    m_spec = spec;
    m_cells.clear();
    m_cellAt.clear();
    endResetModel();
}

void MatrixGridModel::addCell(const MatrixCell &cell)
{
    const int row = cell.clientIndex * int(m_spec.sizes.size()) + cell.sizeIndex;
    const int column = m_spec.isExternal() ? 0 : cell.policyIndex;
    if (row < 0 || row >= rowCount() || column < 0 || column >= columnCount())
        return; // not of this grid's run
    m_cells.append(cell);
    m_cellAt.insert(row * columnCount() + column, int(m_cells.size()) - 1);
    emit dataChanged(index(row, column), index(row, column));
    // The new figure may widen the run's range: every cell's shade is relative to it.
    emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {HeatRole});
}

void MatrixGridModel::setResult(const MatrixResult &result)
{
    setSpec(result.spec);
    for (const MatrixCell &cell : result.cells)
        addCell(cell);
}

int MatrixGridModel::cellIndex(int row, int column) const
{
    return m_cellAt.value(row * columnCount() + column, -1);
}

const MatrixCell *MatrixGridModel::cellAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const int i = cellIndex(index.row(), index.column());
    return i < 0 ? nullptr : &m_cells.at(i);
}

int MatrixGridModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_spec.clients.size() * m_spec.sizes.size());
}

int MatrixGridModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_spec.clients.isEmpty() ? 0 : m_spec.policyCount();
}

QVariant MatrixGridModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == CellIndexRole)
        return cellIndex(index.row(), index.column());
    const MatrixCell *cell = cellAt(index);
    if (!cell)
        return role == Qt::DisplayRole ? QVariant(QString()) : QVariant();
    switch (role) {
    case Qt::DisplayRole:
        // The status first, then the figure the grid is shaded by; the key ties it to the charts.
        return tr("%1  %2\n%3")
            .arg(cellKey(cellIndex(index.row(), index.column())), cell->outcome(), figureText(*cell, m_figure));
    case Qt::ToolTipRole: return describe(*cell);
    case Qt::TextAlignmentRole: return int(Qt::AlignCenter);
    case HeatRole: return heat(*cell);
    case StatusRole: return cell->outcome();
    default: return {};
    }
}

void MatrixGridModel::setFigure(Figure figure)
{
    if (figure == m_figure)
        return;
    m_figure = figure;
    if (rowCount() > 0 && columnCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

double MatrixGridModel::figureValue(const MatrixCell &cell, Figure figure)
{
    switch (figure) {
    case Figure::ExpectWait: return cell.expectWaitNs ? double(*cell.expectWaitNs) / 1e6 : 0.0;
    case Figure::BytesBeforeFinal: return double(cell.bodyBytesBeforeFinal);
    case Figure::TotalTime: return double(cell.totalNs) / 1e6;
    }
    return 0;
}

QString MatrixGridModel::figureText(const MatrixCell &cell, Figure figure)
{
    auto ms = [](double v) {
        return tr("%1 ms").arg(v, 0, 'f', v < 10 ? 3 : 1);
    };
    switch (figure) {
    case Figure::ExpectWait:
        return cell.expectWaitNs ? tr("wait %1").arg(ms(figureValue(cell, figure))) : tr("no wait");
    case Figure::BytesBeforeFinal: return tr("%1 sent").arg(formatBytes(cell.bodyBytesBeforeFinal));
    case Figure::TotalTime: return tr("total %1").arg(ms(figureValue(cell, figure)));
    }
    return {};
}

QString MatrixGridModel::describe(const MatrixCell &cell)
{
    QStringList lines{tr("%1 · %2 · %3")
                          .arg(cell.client.describe(), cell.policy ? cell.policy->toString() : tr("external"),
                               formatBytes(cell.size)),
                      tr("Outcome %1").arg(cell.outcome())};
    if (cell.expectWaitNs)
        lines << tr("Expect wait %1 ms").arg(double(*cell.expectWaitNs) / 1e6, 0, 'f', 3);
    lines << tr("Body sent %1 (before the final response %2)")
                 .arg(formatBytes(cell.bodyBytesSent), formatBytes(cell.bodyBytesBeforeFinal));
    if (cell.savedVsNoExpect)
        lines << tr("Saved vs. no Expect: %1 (R11)").arg(formatBytes(*cell.savedVsNoExpect));
    lines << tr("Total %1 ms").arg(double(cell.totalNs) / 1e6, 0, 'f', 1);
    return lines.join(QLatin1Char('\n'));
}

double MatrixGridModel::heat(const MatrixCell &cell) const
{
    // On a log scale between the run's smallest and largest figure: a 2 ms and a 1 s cell differ
    // at a glance, and so do 4 ms and 40 ms.
    double lo = std::numeric_limits<double>::max(), hi = 0;
    for (const MatrixCell &c : m_cells) {
        const double v = figureValue(c, m_figure);
        if (v > 0) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    // At least a decade: 0.038 and 0.041 ms are the same wait and get nearly the same shade.
    lo = std::min(lo, hi / 10);
    const double v = figureValue(cell, m_figure);
    if (v <= 0 || hi <= 0)
        return 0.0;
    if (hi <= lo)
        return 1.0;
    return std::clamp((std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)), 0.0, 1.0) * 0.85 + 0.15;
}

QVariant MatrixGridModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || section < 0)
        return {};
    if (orientation == Qt::Horizontal) {
        if (section >= columnCount())
            return {};
        return m_spec.isExternal() ? tr("external") : m_spec.policies.at(section).toString();
    }
    if (section >= rowCount() || m_spec.sizes.isEmpty())
        return {};
    const qsizetype sizes = m_spec.sizes.size();
    return tr("%1, %2").arg(m_spec.clients.at(section / sizes).toString(),
                            formatBytes(m_spec.sizes.at(section % sizes)));
}

} // namespace expectlab
