#include "matrixgridmodel.h"

#include "byteformat.h"

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
    case Qt::DisplayRole: return cell->outcome();
    case Qt::ToolTipRole: {
        QStringList lines{tr("%1 · %2 · %3")
                              .arg(cell->client.describe(), cell->policy ? cell->policy->toString() : tr("external"),
                                   formatBytes(cell->size))};
        if (cell->expectWaitNs)
            lines << tr("Expect wait %1 ms").arg(double(*cell->expectWaitNs) / 1e6, 0, 'f', 1);
        lines << tr("Body bytes sent %1 (before the final response %2)")
                     .arg(cell->bodyBytesSent)
                     .arg(cell->bodyBytesBeforeFinal);
        if (cell->savedVsNoExpect)
            lines << tr("Saved vs. no Expect: %1 bytes (R11)").arg(*cell->savedVsNoExpect);
        lines << tr("Total %1 ms").arg(double(cell->totalNs) / 1e6, 0, 'f', 1);
        return lines.join(QLatin1Char('\n'));
    }
    case Qt::TextAlignmentRole: return int(Qt::AlignCenter);
    default: return {};
    }
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
