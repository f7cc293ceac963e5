#pragma once

#include <QStyledItemDelegate>

namespace expectlab {

// Paints the outcome column of the exchange list with its outcome colour: a swatch before the words.
class OutcomeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace expectlab
