#pragma once

#include "exchangerecord.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

#include <optional>

namespace expectlab {

// Every exchange of the session, one row each, in the order they started. Built for tens of
// thousands of rows: rows arrive in batches (one insert per batch), changes are reported per
// changed range, and rows are found by number without a search (numbers are consecutive).
class ExchangeListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NumberColumn,
        StartedColumn,
        MethodColumn,
        UrlColumn,
        ExpectationColumn,
        InterimColumn,
        FinalColumn,
        ExpectWaitColumn,
        BodySentColumn,
        BytesSavedColumn,
        OutcomeColumn,
        ClientBehaviourColumn,
        ColumnCount
    };
    enum Role {
        OutcomeRole = Qt::UserRole + 1, // int(Outcome)
        NumberRole,                     // the exchange number
        SortRole,                       // a number or a string that sorts the column correctly
        ExpectWaitMsRole,               // double: the wait for a 100, also one a cancel or failure ended;
                                        // an invalid QVariant without a wait
        ExpectWaitEndedRole,            // bool: an answer or the timeout ended the wait (not a cancel)
        LiveWaitMsRole,                 // double: how long a running exchange has waited for a 100 so far
    };

    explicit ExchangeListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends records whose numbers continue the list (number == nextNumber(), +1, ...).
    void appendRecords(const QList<ExchangeRecord> &records);
    // Replaces rows that exist, found by number; one dataChanged per contiguous run of rows.
    void updateRecords(const QList<ExchangeRecord> &records);
    void clear();

    // The clock for running rows (monotonic ns): their Wait column counts up from the head with
    // Expect while no answer has come (R5). Emits dataChanged for the running rows' Wait cells.
    void tickRunning(qint64 nowNs);
    bool hasRunning() const { return !m_running.isEmpty(); }

    int rowForNumber(int number) const;
    const ExchangeRecord &recordAt(int row) const { return m_records.at(row); }
    const ExchangeRecord *recordByNumber(int number) const;
    // The number the next appended record must have.
    int nextNumber() const { return m_firstNumber + int(m_records.size()); }

private:
    QVariant display(const ExchangeRecord &r, int column) const;
    QVariant sortValue(const ExchangeRecord &r, int column) const;
    std::optional<qint64> liveWaitSinceNs(const ExchangeRecord &r) const;
    void noteRunning(const ExchangeRecord &r);
    static QString peerOf(const ExchangeRecord &r);

    QList<ExchangeRecord> m_records;
    int m_firstNumber = 1;
    QSet<int> m_running; // numbers of the running rows
    qint64 m_nowNs = 0;
};

} // namespace expectlab
