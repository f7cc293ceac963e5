#pragma once

#include "probescenario.h"

#include <QAbstractTableModel>

namespace expectlab {

// The Probe tab's results table: one row per scenario. Core has no QtGui, so verdict colours leave
// as colour names under VerdictColorRole; the view maps them to brushes.
class ProbeResultsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { VerdictColumn, IdColumn, RulesColumn, FirstResponseColumn, MessageColumn, ColumnCount };
    enum Role { VerdictRole = Qt::UserRole + 1, VerdictColorRole };

    explicit ProbeResultsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void clear();
    void addResult(const ProbeResult &result);
    const ProbeResult *resultAt(int row) const;
    const QList<ProbeResult> &results() const { return m_results; }

    // "#2e7d32" and the like: green pass, amber warn, red fail, grey info.
    static QString verdictColorName(ProbeVerdict verdict);

private:
    QList<ProbeResult> m_results;
};

} // namespace expectlab
