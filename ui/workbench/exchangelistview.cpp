#include "exchangelistview.h"

#include "exchangefiltermodel.h"
#include "exchangelistmodel.h"
#include "outcomedelegate.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace expectlab {

ExchangeListView::ExchangeListView(ExchangeListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new ExchangeFilterModel(this))
    , m_text(new QLineEdit(this))
    , m_outcome(new QComboBox(this))
    , m_shown(new QLabel(this))
    , m_table(new QTableView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *row = new QHBoxLayout;
    m_text->setObjectName(QStringLiteral("exchangeFilter"));
    m_text->setPlaceholderText(tr("Filter: status, outcome, URL, client…"));
    m_text->setClearButtonEnabled(true);
    m_text->setToolTip(tr("Shows the rows whose method, URL, User-Agent, Expect, statuses, outcome or client "
                          "behaviour contain every word (Ctrl+F). A word field:text reads one column: method, "
                          "url, expect, interim, final (or status), outcome, client; e.g. final:417 client:curl"));
    row->addWidget(m_text, 1);
    m_outcome->setObjectName(QStringLiteral("exchangeOutcomeFilter"));
    m_outcome->addItem(tr("All outcomes"), -1);
    for (int o = 0; o < kOutcomeCount; ++o)
        m_outcome->addItem(outcomeName(Outcome(o)), o);
    m_outcome->setToolTip(tr("Shows only the rows with this outcome"));
    row->addWidget(m_outcome);
    m_shown->setObjectName(QStringLiteral("exchangeShownCount"));
    row->addWidget(m_shown);
    layout->addLayout(row);

    m_filter->setSourceModel(model);
    m_table->setObjectName(QStringLiteral("exchangeTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->verticalHeader()->hide();
    // Fixed row heights: the view never measures rows, so tens of thousands stay cheap.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->setItemDelegateForColumn(ExchangeListModel::OutcomeColumn, new OutcomeDelegate(m_table));
    // Wide enough for what each column usually holds; host:port/path fits the URL column (issue 14).
    const QFontMetrics metrics = m_table->fontMetrics();
    auto width = [&metrics](const char *sample) {
        return metrics.horizontalAdvance(QLatin1String(sample)) + 16;
    };
    const std::pair<int, int> widths[] = {
        {ExchangeListModel::NumberColumn, width("0000")},
        {ExchangeListModel::StartedColumn, width("00:00:00.000")},
        {ExchangeListModel::MethodColumn, width("POST")},
        {ExchangeListModel::UrlColumn, width("127.0.0.1:65535/upload")},
        {ExchangeListModel::ExpectationColumn, width("100-continue")},
        {ExchangeListModel::InterimColumn, width("100, 103")},
        {ExchangeListModel::FinalColumn, width("417 → 200")},
        {ExchangeListModel::ExpectWaitColumn, width("waiting 0.0 s")},
        {ExchangeListModel::BodySentColumn, width("000.0 KiB")},
        {ExchangeListModel::BytesSavedColumn, width("10.0 MiB")},
        {ExchangeListModel::OutcomeColumn, width("expect timed out") + 16},
        {ExchangeListModel::ClientBehaviourColumn, width("no Expect; retried after 417 (R6)")},
    };
    for (const auto &[column, w] : widths)
        m_table->setColumnWidth(column, w);
    // What a row says first: its number, final status, wait and outcome, then where it went; in a
    // narrow window the rest scrolls in. (The order shown; the model's columns stay as they are.)
    QHeaderView *header = m_table->horizontalHeader();
    const int shownOrder[] = {ExchangeListModel::NumberColumn,     ExchangeListModel::FinalColumn,
                              ExchangeListModel::ExpectWaitColumn, ExchangeListModel::OutcomeColumn,
                              ExchangeListModel::MethodColumn,     ExchangeListModel::UrlColumn};
    for (int visual = 0; visual < int(std::size(shownOrder)); ++visual)
        header->moveSection(header->visualIndex(shownOrder[visual]), visual);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setMinimumSectionSize(30);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ExchangeListModel::NumberColumn, Qt::AscendingOrder);
    layout->addWidget(m_table, 1);

    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setFilterText(text);
        updateShownCount();
    });
    connect(m_outcome, &QComboBox::currentIndexChanged, this, [this] {
        const int o = m_outcome->currentData().toInt();
        m_filter->setOutcomeFilter(o < 0 ? std::nullopt : std::optional<Outcome>(Outcome(o)));
        updateShownCount();
    });
    // The source too: a new row the filter hides changes "of M" without any signal of the proxy.
    connect(model, &QAbstractItemModel::rowsInserted, this, &ExchangeListView::updateShownCount);
    connect(model, &QAbstractItemModel::modelReset, this, &ExchangeListView::updateShownCount);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &ExchangeListView::updateShownCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &ExchangeListView::updateShownCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &ExchangeListView::updateShownCount);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ExchangeListView::currentChanged);
    updateShownCount();
}

int ExchangeListView::selectedNumber() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(ExchangeListModel::NumberRole).toInt() : 0;
}

bool ExchangeListView::selectNumber(int number, Hidden hidden)
{
    const int row = m_model->rowForNumber(number);
    if (row < 0)
        return false;
    QModelIndex index = m_filter->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
        if (hidden == Hidden::StayHidden)
            return false;
        // The filter hides it: asked for by number (an overview point, an opened session's last
        // exchange), it is shown rather than silently not selected.
        clearFilter();
        index = m_filter->mapFromSource(m_model->index(row, 0));
        if (!index.isValid())
            return false;
    }
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

bool ExchangeListView::currentIsJustAbove(int number) const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return true;
    const int row = m_model->rowForNumber(number);
    const QModelIndex shown = row < 0 ? QModelIndex() : m_filter->mapFromSource(m_model->index(row, 0));
    return shown.isValid() && current.row() == shown.row() - 1;
}

void ExchangeListView::clearFilter()
{
    m_text->clear();
    m_outcome->setCurrentIndex(0);
}

void ExchangeListView::focusFilter()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void ExchangeListView::updateShownCount()
{
    m_shown->setVisible(m_filter->isFiltering());
    m_shown->setText(tr("%1 of %2 shown").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

} // namespace expectlab
