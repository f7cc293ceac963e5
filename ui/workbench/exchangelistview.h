#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace expectlab {

class ExchangeFilterModel;
class ExchangeListModel;

// The exchange list: a filter row (text and outcome) over a sortable table of the session's rows.
// Rows are named by exchange number, never by row: sorting and filtering move them.
class ExchangeListView : public QWidget
{
    Q_OBJECT
public:
    explicit ExchangeListView(ExchangeListModel *model, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    ExchangeFilterModel *filterModel() const { return m_filter; }
    // The selected exchange's number, or 0.
    int selectedNumber() const;
    // Selects and shows the row; one the filter hides is shown by clearing the filter (Reveal) or
    // left alone (StayHidden). False when the row is not selected.
    enum class Hidden { Reveal, StayHidden };
    bool selectNumber(int number, Hidden hidden = Hidden::Reveal);
    void clearFilter();
    // True when the current row is the one above `number` in the list as shown (following new rows).
    bool currentIsJustAbove(int number) const;
    void focusFilter();

signals:
    void currentChanged();

private:
    void updateShownCount();

    ExchangeListModel *m_model;
    ExchangeFilterModel *m_filter;
    QLineEdit *m_text;
    QComboBox *m_outcome;
    QLabel *m_shown;
    QTableView *m_table;
};

} // namespace expectlab
