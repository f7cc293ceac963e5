#include "countspinbox.h"

#include <QKeyEvent>
#include <QLineEdit>

namespace expectlab {

void CountSpinBox::keyPressEvent(QKeyEvent *event)
{
    const QString text = event->text();
    const bool printable = !text.isEmpty() && text.at(0).isPrint();
    const bool shortcut = event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier);
    // Decided from the key itself: anything but a digit or the group separator is no part of a
    // whole, non-negative count.
    if (printable && !shortcut && !text.at(0).isDigit() && text != locale().groupSeparator())
        emit refused(text);
    QSpinBox::keyPressEvent(event);
    if (lineEdit()->text().isEmpty())
        emit cleared();
}

} // namespace expectlab
