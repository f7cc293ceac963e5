#include "outcomedelegate.h"

#include "exchangelistmodel.h"
#include "outcomepalette.h"

#include <QHash>
#include <QIcon>

namespace expectlab {

void OutcomeDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QVariant outcome = index.data(ExchangeListModel::OutcomeRole);
    if (!outcome.isValid())
        return;
    // The outcome's symbol, shape and colour, as in the overview (cached: the list may repaint
    // thousands of rows while scrolling).
    static QHash<int, QIcon> cache;
    const int key = outcome.toInt();
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.insert(key, QIcon(outcomeSymbol(Outcome(key), 12)));
    option->icon = *it;
    option->features |= QStyleOptionViewItem::HasDecoration;
    option->decorationSize = QSize(12, 12);
}

} // namespace expectlab
