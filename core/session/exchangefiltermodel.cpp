#include "exchangefiltermodel.h"

#include "exchangelistmodel.h"

#include <QHash>

namespace expectlab {

namespace {
// The columns the text filter reads: what a row says about where it went, what came back and who
// sent it. Times and byte counts are left out: "200" should not match a body of 200 bytes.
constexpr int kSearchedColumns[] = {
    ExchangeListModel::MethodColumn,          ExchangeListModel::UrlColumn,   ExchangeListModel::ExpectationColumn,
    ExchangeListModel::InterimColumn,         ExchangeListModel::FinalColumn, ExchangeListModel::OutcomeColumn,
    ExchangeListModel::ClientBehaviourColumn,
};
} // namespace

ExchangeFilterModel::ExchangeFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ExchangeListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void ExchangeFilterModel::setFilterText(const QString &text)
{
    const QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateRowsFilter();
}

void ExchangeFilterModel::setOutcomeFilter(std::optional<Outcome> outcome)
{
    if (outcome == m_outcome)
        return;
    m_outcome = outcome;
    invalidateRowsFilter();
}

bool ExchangeFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (m_outcome &&
        source->index(sourceRow, 0, sourceParent).data(ExchangeListModel::OutcomeRole).toInt() != int(*m_outcome))
        return false;
    if (m_words.isEmpty())
        return true;
    QString row;
    for (const int column : kSearchedColumns)
        row += source->index(sourceRow, column, sourceParent).data().toString() + QLatin1Char('\n');
    for (const QString &word : m_words) {
        // "final:417" reads one column only, so that a 417 is not also every URL on port 44170.
        const qsizetype colon = word.indexOf(QLatin1Char(':'));
        const std::optional<int> column = colon > 0 ? fieldColumn(word.first(colon)) : std::nullopt;
        if (column) {
            const QString cell = source->index(sourceRow, *column, sourceParent).data().toString();
            if (!cell.contains(word.sliced(colon + 1), Qt::CaseInsensitive))
                return false;
        } else if (!row.contains(word, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

std::optional<int> ExchangeFilterModel::fieldColumn(const QString &field)
{
    static const QHash<QString, int> columns{
        {QStringLiteral("method"), ExchangeListModel::MethodColumn},
        {QStringLiteral("url"), ExchangeListModel::UrlColumn},
        {QStringLiteral("expect"), ExchangeListModel::ExpectationColumn},
        {QStringLiteral("interim"), ExchangeListModel::InterimColumn},
        {QStringLiteral("final"), ExchangeListModel::FinalColumn},
        {QStringLiteral("status"), ExchangeListModel::FinalColumn},
        {QStringLiteral("outcome"), ExchangeListModel::OutcomeColumn},
        {QStringLiteral("client"), ExchangeListModel::ClientBehaviourColumn},
    };
    const auto it = columns.constFind(field.toLower());
    return it == columns.constEnd() ? std::nullopt : std::optional<int>(*it);
}

} // namespace expectlab
