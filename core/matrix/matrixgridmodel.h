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
        HeatRole,                         // double 0..1: the cell's shading figure against the run's range
        StatusRole,                       // QString: "200", "417 > 200", "no response"
    };
    // The figure a cell shows under its status and is shaded by (a heat map, issue 14).
    enum class Figure { ExpectWait, BytesBeforeFinal, TotalTime };

    explicit MatrixGridModel(QObject *parent = nullptr);

    // A new run: the grid's shape, every cell empty.
    void setSpec(const MatrixSpec &spec);
    void addCell(const MatrixCell &cell);
    // The finished run: its cells carry savedVsNoExpect, which single cells cannot know.
    void setResult(const MatrixResult &result);
    const QList<MatrixCell> &cells() const { return m_cells; }
    const MatrixCell *cellAt(const QModelIndex &index) const;
    void setFigure(Figure figure);
    Figure figure() const { return m_figure; }
    // A cell's figure (ms or bytes), its text with its unit, and the cell's key in the charts: "#3".
    static double figureValue(const MatrixCell &cell, Figure figure);
    static QString figureText(const MatrixCell &cell, Figure figure);
    static QString cellKey(int cellIndex) { return QStringLiteral("#%1").arg(cellIndex + 1); }
    // The cell's full description (client, policy, size, figures): the grid's and the charts' tooltip.
    static QString describe(const MatrixCell &cell);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int cellIndex(int row, int column) const;

    double heat(const MatrixCell &cell) const;

    MatrixSpec m_spec;
    Figure m_figure = Figure::ExpectWait;
    QList<MatrixCell> m_cells;
    QHash<int, int> m_cellAt; // row * columns + column -> index into m_cells
};

} // namespace expectlab
