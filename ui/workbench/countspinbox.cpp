#include "countspinbox.h"

#include <QKeyEvent>
#include <QKeySequence>
#include <QLineEdit>

namespace expectlab {

void CountSpinBox::keyPressEvent(QKeyEvent *event)
{
    const QString text = event->text();
    const bool printable = !text.isEmpty() && text.at(0).isPrint();
    const bool shortcut = event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier);
    if (printable && !shortcut) {
        const QString before = lineEdit()->text();
        QSpinBox::keyPressEvent(event);
        // Nothing changed: the validator refused the key (a group separator typed twice is no error).
        if (lineEdit()->text() == before && text != locale().groupSeparator())
            emit refused(text);
        return;
    }
    QSpinBox::keyPressEvent(event);
    if (lineEdit()->text().isEmpty())
        emit cleared();
}

} // namespace expectlab
