#include "exchangelistmodel.h"

#include "byteformat.h"
#include "expectwait.h"

namespace expectlab {

ExchangeListModel::ExchangeListModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ExchangeListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int ExchangeListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExchangeListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NumberColumn: return tr("#");
        case StartedColumn: return tr("Started");
        case MethodColumn: return tr("Method");
        case UrlColumn: return tr("URL");
        case ExpectationColumn: return tr("Expect");
        case InterimColumn: return tr("Interim");
        case FinalColumn: return tr("Final");
        case ExpectWaitColumn: return tr("Wait (ms)");
        case BodySentColumn: return tr("Body sent");
        case BytesSavedColumn: return tr("Saved");
        case OutcomeColumn: return tr("Outcome");
        case ClientBehaviourColumn: return tr("Client behaviour");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ExpectationColumn: return tr("The Expect header of the first attempt");
        case InterimColumn: return tr("Interim (1xx) responses, in order (R17)");
        case FinalColumn: return tr("Final status; \"417 → 200\" when the request was repeated without Expect (R6)");
        case ExpectWaitColumn: return tr("Time from the request head to the first answer or the expect timeout (R5)");
        case BodySentColumn: return tr("Request body bytes sent, over all attempts");
        case BytesSavedColumn: return tr("Body bytes never sent because the server answered first (R21)");
        case ClientBehaviourColumn:
            return tr("How the client handled Expect, as the local server saw it (R4, R5, R6, R21)");
        default: return {};
        }
    }
    return {};
}

QVariant ExchangeListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ExchangeRecord &r = m_records.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(r, index.column());
    case Qt::ToolTipRole: {
        // The cell in full first: a narrow column elides it (issue 14), the tooltip never does.
        const QString cell = display(r, index.column()).toString();
        const QString head =
            cell.isEmpty()
                ? QString()
                : QStringLiteral("%1: %2\n").arg(headerData(index.column(), Qt::Horizontal).toString(), cell);
        if (r.running)
            return head + tr("Exchange %1 is running").arg(r.number);
        if (!r.isExternal())
            return head + r.summary.outcomeText();
        const QString agent = r.userAgent.isEmpty() ? tr("no User-Agent") : tr("User-Agent %1").arg(r.userAgent);
        return head + tr("External client %1 (%2) — %3").arg(peerOf(r), agent, r.summary.outcomeText());
    }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case NumberColumn:
        case ExpectWaitColumn:
        case BodySentColumn:
        case BytesSavedColumn: return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case OutcomeRole: return int(r.outcome);
    case NumberRole: return r.number;
    case SortRole: return sortValue(r, index.column());
    case ExpectWaitMsRole: {
        if (r.summary.expectWaitNs)
            return double(*r.summary.expectWaitNs) / 1e6;
        // Cancelled or failed while it waited: the wait lasted until that end (issue 14: a cancel
        // after 969 ms is a 969 ms wait, not none).
        if (r.running)
            return {};
        ExpectWait wait(r.isExternal() ? Side::Server : Side::Client);
        for (const TimelineEvent &e : r.summary.events)
            wait.add(e);
        if (!wait.began())
            return {};
        const qint64 end = wait.ended() ? wait.endNs() : r.summary.endNs.value_or(wait.sinceNs());
        return end > wait.sinceNs() ? QVariant(double(end - wait.sinceNs()) / 1e6) : QVariant();
    }
    case ExpectWaitEndedRole: return r.summary.expectWaitNs.has_value();
    case LiveWaitMsRole: {
        const std::optional<qint64> since = liveWaitSinceNs(r);
        return since ? QVariant(double(m_nowNs - *since) / 1e6) : QVariant();
    }
    default: return {};
    }
}

QVariant ExchangeListModel::display(const ExchangeRecord &r, int column) const
{
    const ExchangeSummary &s = r.summary;
    switch (column) {
    case NumberColumn: return r.number;
    case StartedColumn: return r.started.toString(QStringLiteral("HH:mm:ss.zzz"));
    case MethodColumn: return displayText(s.method);
    case UrlColumn: {
        // host:port first, without the scheme every row shares: two servers stay apart when elided.
        QString where = s.url.authority() + s.url.path();
        if (s.url.hasQuery())
            where += QLatin1Char('?') + s.url.query();
        if (where.isEmpty())
            where = s.url.toString();
        if (!r.isExternal())
            return r.viaProxy() ? tr("%1 (via proxy)").arg(where) : where;
        // What the client asked for, then who it was: its User-Agent and where it came from.
        if (r.viaProxy())
            return r.userAgent.isEmpty() ? tr("%1 (external client via proxy from %2)").arg(where, peerOf(r))
                                         : tr("%1 (%2 via proxy from %3)").arg(where, r.userAgent, peerOf(r));
        return r.userAgent.isEmpty() ? tr("%1 (external client from %2)").arg(where, peerOf(r))
                                     : tr("%1 (%2 from %3)").arg(where, r.userAgent, peerOf(r));
    }
    case ExpectationColumn: {
        for (const auto &[name, value] : s.requestHeaders) {
            if (name.compare("Expect", Qt::CaseInsensitive) == 0)
                return displayText(value);
        }
        return QString();
    }
    case InterimColumn: {
        QStringList parts;
        for (int status : s.interimStatuses())
            parts << QString::number(status);
        return parts.join(QStringLiteral(", "));
    }
    case FinalColumn:
        if (!s.finalStatus)
            return r.running ? QString() : tr("none");
        return s.retried ? QStringLiteral("417 → %1").arg(*s.finalStatus) : QString::number(*s.finalStatus);
    case ExpectWaitColumn:
        if (s.expectWaitNs)
            return QString::number(double(*s.expectWaitNs) / 1e6, 'f', 1);
        if (const std::optional<qint64> since = liveWaitSinceNs(r))
            return tr("waiting %1 s").arg(double(m_nowNs - *since) / 1e9, 0, 'f', 1);
        return QString();
    case BodySentColumn: return formatBytes(s.bodyBytesSent);
    case BytesSavedColumn: return s.bytesSaved > 0 ? formatBytes(s.bytesSaved) : QString();
    case OutcomeColumn: return outcomeName(r.outcome);
    case ClientBehaviourColumn: return r.clientBehaviour;
    default: return {};
    }
}

QVariant ExchangeListModel::sortValue(const ExchangeRecord &r, int column) const
{
    const ExchangeSummary &s = r.summary;
    switch (column) {
    case NumberColumn: return r.number;
    case StartedColumn: return r.started;
    case FinalColumn: return s.finalStatus.value_or(0);
    case ExpectWaitColumn: return s.expectWaitNs ? double(*s.expectWaitNs) : -1.0;
    case BodySentColumn: return s.bodyBytesSent;
    case BytesSavedColumn: return s.bytesSaved;
    case OutcomeColumn: return int(r.outcome);
    default: return display(r, column);
    }
}

QString ExchangeListModel::peerOf(const ExchangeRecord &r)
{
    if (r.peerAddress.isEmpty())
        return tr("an unknown address");
    // An IPv6 address is bracketed so that its port stays apart from it.
    const QString address =
        r.peerAddress.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(r.peerAddress) : r.peerAddress;
    return QStringLiteral("%1:%2").arg(address).arg(r.peerPort);
}

std::optional<qint64> ExchangeListModel::liveWaitSinceNs(const ExchangeRecord &r) const
{
    // Our client counts only when it waits at all (a timeout of 0 sends the body at once); an
    // outside client's wait is what our server sees: from its head to our first answer or its body.
    if (!r.running || m_nowNs == 0 || (!r.isExternal() && r.expectTimeoutMs <= 0) || r.summary.expectWaitNs)
        return std::nullopt;
    ExpectWait wait(r.isExternal() ? Side::Server : Side::Client);
    for (const TimelineEvent &e : r.summary.events)
        wait.add(e);
    if (!wait.waiting())
        return std::nullopt;
    return wait.sinceNs();
}

void ExchangeListModel::tickRunning(qint64 nowNs)
{
    m_nowNs = nowNs;
    for (int number : std::as_const(m_running)) {
        const int row = rowForNumber(number);
        if (row >= 0)
            // Only the counting cell's text: views that plot finished figures need not redraw.
            emit dataChanged(index(row, ExpectWaitColumn), index(row, ExpectWaitColumn),
                             {Qt::DisplayRole, Qt::ToolTipRole, LiveWaitMsRole});
    }
}

void ExchangeListModel::noteRunning(const ExchangeRecord &r)
{
    if (r.running)
        m_running.insert(r.number);
    else
        m_running.remove(r.number);
}

void ExchangeListModel::appendRecords(const QList<ExchangeRecord> &records)
{
    if (records.isEmpty())
        return;
    const int first = int(m_records.size());
    beginInsertRows({}, first, first + int(records.size()) - 1);
    if (m_records.isEmpty())
        m_firstNumber = records.first().number;
    m_records.append(records);
    for (const ExchangeRecord &r : records)
        noteRunning(r);
    endInsertRows();
}

void ExchangeListModel::updateRecords(const QList<ExchangeRecord> &records)
{
    QList<int> rows;
    rows.reserve(records.size());
    for (const ExchangeRecord &r : records) {
        const int row = rowForNumber(r.number);
        if (row < 0)
            continue; // cleared meanwhile
        m_records[row] = r;
        noteRunning(r);
        rows.append(row);
    }
    std::sort(rows.begin(), rows.end());
    for (qsizetype i = 0; i < rows.size();) {
        qsizetype j = i;
        while (j + 1 < rows.size() && rows.at(j + 1) <= rows.at(j) + 1)
            ++j;
        emit dataChanged(index(rows.at(i), 0), index(rows.at(j), ColumnCount - 1));
        i = j + 1;
    }
}

void ExchangeListModel::clear()
{
    if (m_records.isEmpty())
        return;
    beginResetModel();
    m_firstNumber = nextNumber();
    m_records.clear();
    m_running.clear();
    endResetModel();
}

int ExchangeListModel::rowForNumber(int number) const
{
    const int row = number - m_firstNumber;
    return row >= 0 && row < m_records.size() ? row : -1;
}

const ExchangeRecord *ExchangeListModel::recordByNumber(int number) const
{
    const int row = rowForNumber(number);
    return row < 0 ? nullptr : &m_records.at(row);
}

} // namespace expectlab
