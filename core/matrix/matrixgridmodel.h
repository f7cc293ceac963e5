#pragma once

#include "matrixspec.h"

#include <QAbstractTableModel>

namespace expectlab {

// The matrix's outcomes as a grid for a view: one row per client behaviour and body size, one column
// per server policy (a single "external" column for an external URL). Cells fill in as they finish.
class MatrixGridModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role {
        CellIndexRole = Qt::UserRole + 1, // index into cells(), -1 while the cell has not run
    };

    explicit MatrixGridModel(QObject *parent = nullptr);

    // A new run: the grid's shape, every cell empty.
    void setSpec(const MatrixSpec &spec);
    void addCell(const MatrixCell &cell);
    // The finished run: its cells carry savedVsNoExpect, which single cells cannot know.
    void setResult(const MatrixResult &result);
    const QList<MatrixCell> &cells() const { return m_cells; }
    const MatrixCell *cellAt(const QModelIndex &index) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int cellIndex(int row, int column) const;

    MatrixSpec m_spec;
    QList<MatrixCell> m_cells;
    QHash<int, int> m_cellAt; // row * columns + column -> index into m_cells
};

} // namespace expectlab
