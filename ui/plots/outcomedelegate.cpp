#include "outcomedelegate.h"

#include "exchangelistmodel.h"
#include "outcomepalette.h"

#include <QPainter>
#include <QPixmap>

namespace expectlab {

void OutcomeDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QVariant outcome = index.data(ExchangeListModel::OutcomeRole);
    if (!outcome.isValid())
        return;
    // One cached swatch per outcome: the list may repaint thousands of rows while scrolling.
    static QHash<int, QIcon> cache;
    const int key = outcome.toInt();
    auto it = cache.find(key);
    if (it == cache.end()) {
        QPixmap pixmap(12, 12);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(outcomeColor(Outcome(key)));
        painter.drawRoundedRect(QRectF(1, 1, 10, 10), 3, 3);
        painter.end();
        it = cache.insert(key, QIcon(pixmap));
    }
    option->icon = *it;
    option->features |= QStyleOptionViewItem::HasDecoration;
    option->decorationSize = QSize(12, 12);
}

} // namespace expectlab
