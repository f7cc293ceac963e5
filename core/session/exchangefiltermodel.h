#pragma once

#include "exchangeoutcome.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace expectlab {

// The exchange list as the user sorts and narrows it: sorted by ExchangeListModel::SortRole (a
// wait sorts as a number, a status as a code), filtered by an outcome and by text. The text is
// matched, case-insensitively, against the cells a user reads for it: the URL (with an external
// client's User-Agent and address), the method, the Expect value, the statuses, the outcome and
// the client's behaviour; several words must all match ("417 curl"). A word "field:text" reads one
// column only: method, url, expect, interim, final (or status), outcome, client ("final:417").
class ExchangeFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ExchangeFilterModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    QString filterText() const { return m_words.join(QLatin1Char(' ')); }
    // Only rows with this outcome; nothing: every outcome.
    void setOutcomeFilter(std::optional<Outcome> outcome);
    std::optional<Outcome> outcomeFilter() const { return m_outcome; }
    bool isFiltering() const { return m_outcome.has_value() || !m_words.isEmpty(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    static std::optional<int> fieldColumn(const QString &field);

    QStringList m_words;
    std::optional<Outcome> m_outcome;
};

} // namespace expectlab
