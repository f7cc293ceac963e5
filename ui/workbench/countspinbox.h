#pragma once

#include <QSpinBox>

namespace expectlab {

// A spin box for a whole, non-negative count that says so: QSpinBox drops a keystroke it cannot
// take without a word, so "1e3" became 13 and "-5" became 5 (issue 14). This one reports the
// refused character, and the composer shows why.
class CountSpinBox : public QSpinBox
{
    Q_OBJECT
public:
    using QSpinBox::QSpinBox;

signals:
    // A typed character that is not part of a whole number (the key is still QSpinBox's to refuse).
    void refused(const QString &text);
    // The user emptied the box to type the number anew.
    void cleared();

protected:
    void keyPressEvent(QKeyEvent *event) override;
};

} // namespace expectlab
