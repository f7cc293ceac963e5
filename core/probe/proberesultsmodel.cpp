#include "proberesultsmodel.h"

namespace expectlab {

ProbeResultsModel::ProbeResultsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ProbeResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

int ProbeResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ProbeResultsModel::verdictColorName(ProbeVerdict verdict)
{
    switch (verdict) {
    case ProbeVerdict::Pass: return QStringLiteral("#2e7d32");
    case ProbeVerdict::Warn: return QStringLiteral("#b26a00");
    case ProbeVerdict::Fail: return QStringLiteral("#c62828");
    case ProbeVerdict::Info: return QStringLiteral("#616161");
    case ProbeVerdict::Inconclusive: return QStringLiteral("#5e35b1");
    }
    return QStringLiteral("#616161");
}

QVariant ProbeResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_results.size() || index.column() >= ColumnCount)
        return {};
    const ProbeResult &r = m_results.at(index.row());
    if (role == VerdictRole)
        return int(r.verdict);
    if (role == VerdictColorRole)
        return verdictColorName(r.verdict);
    if (role == Qt::ToolTipRole)
        return QStringLiteral("%1\n%2").arg(r.title, r.message);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case VerdictColumn: return verdictName(r.verdict);
    case IdColumn: return r.id;
    case RulesColumn: return r.rules.join(QLatin1Char(' '));
    case FirstResponseColumn:
        return r.timings.firstResponseMs ? QVariant(tr("%1 ms").arg(*r.timings.firstResponseMs, 0, 'f', 1))
                                         : QVariant(QStringLiteral("-"));
    case MessageColumn: return r.message;
    default: return {};
    }
}

QVariant ProbeResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case VerdictColumn: return tr("Verdict");
    case IdColumn: return tr("Scenario");
    case RulesColumn: return tr("Rules");
    case FirstResponseColumn: return tr("First response");
    case MessageColumn: return tr("Result");
    default: return {};
    }
}

void ProbeResultsModel::clear()
{
    if (m_results.isEmpty())
        return;
    beginResetModel();
    m_results.clear();
    endResetModel();
}

void ProbeResultsModel::addResult(const ProbeResult &result)
{
    const int row = int(m_results.size());
    beginInsertRows({}, row, row);
    m_results.append(result);
    endInsertRows();
}

const ProbeResult *ProbeResultsModel::resultAt(int row) const
{
    if (row < 0 || row >= m_results.size())
        return nullptr;
    return &m_results.at(row);
}

} // namespace expectlab
