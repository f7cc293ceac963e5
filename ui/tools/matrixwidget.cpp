#include "matrixwidget.h"

#include "byteformat.h"
#include "matrixcharts.h"
#include "matrixgridmodel.h"
#include "matrixrunner.h"
#include "partythread.h"
#include "timelinelayout.h"
#include "timelineview.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolTip>
#include <QVBoxLayout>

namespace expectlab {

namespace {
QCustomPlot *newChart(const QString &yLabel, QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setLabel(QObject::tr("cell of the grid"));
    QFont small = plot->font();
    small.setPointSize(8);
    plot->legend->setFont(small);
    plot->legend->setVisible(false);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot->setMinimumHeight(140);
    return plot;
}

} // namespace

MatrixWidget::MatrixWidget(QWidget *parent)
    : QWidget(parent)
    , m_grid(new MatrixGridModel(this))
    , m_thread(new PartyThread(QStringLiteral("expectlab-matrix"), this))
    , m_runner(new MatrixRunner)
{
    qRegisterMetaType<MatrixCell>();
    qRegisterMetaType<MatrixResult>();
    m_thread->adopt(m_runner);
    setObjectName(QStringLiteral("matrixTab"));
    auto *form = new QFormLayout;
    auto *boxes = new QHBoxLayout;
    // The behaviours of real clients (expect-rules.md, client table): curl's wait-1s-and-retry, one
    // that never sends Expect, one that does not retry after a 417 and one with a short wait.
    const QStringList common{QStringLiteral("no-expect"), QStringLiteral("expect"), QStringLiteral("expect:no-retry"),
                             QStringLiteral("expect:200")};
    for (const QString &c : common) {
        auto *box = new QCheckBox(c, this);
        box->setObjectName(QStringLiteral("matrixClient-") + c);
        box->setProperty("behaviour", c);
        box->setChecked(c == QLatin1String("no-expect") || c == QLatin1String("expect"));
        m_clientBoxes << box;
        boxes->addWidget(box);
    }
    m_clientsExtra = new QLineEdit(this);
    m_clientsExtra->setObjectName(QStringLiteral("matrixClientsExtra"));
    m_clientsExtra->setPlaceholderText(tr("more: expect:500,expect:0:no-retry"));
    boxes->addWidget(m_clientsExtra, 1);
    form->addRow(tr("Clients:"), boxes);
    m_policies = new QLineEdit(QStringLiteral("continue,reject,final:413"), this);
    m_policies->setObjectName(QStringLiteral("matrixPolicies"));
    m_policies->setToolTip(
        tr("Server policies, comma separated: continue, delay:MS, ignore, reject, final:CODE, close"));
    form->addRow(tr("Policies:"), m_policies);
    m_sizes = new QLineEdit(QStringLiteral("64K"), this);
    m_sizes->setObjectName(QStringLiteral("matrixSizes"));
    m_sizes->setToolTip(tr("Body sizes, comma separated: 1024, 64K, 1M"));
    form->addRow(tr("Sizes:"), m_sizes);
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("matrixUrl"));
    m_url->setPlaceholderText(tr("empty: a local test server per policy; or http://host:port/path"));
    form->addRow(tr("External URL:"), m_url);

    auto *buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("&Run"), this);
    m_run->setObjectName(QStringLiteral("matrixRun"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("matrixCancel"));
    m_cancel->setEnabled(false);
    m_export = new QPushButton(tr("Export JSON…"), this);
    m_export->setObjectName(QStringLiteral("matrixExport"));
    m_export->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("matrixProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("matrixStatus"));
    m_status->setWordWrap(true);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_export);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("matrixGrid"));
    m_table->setModel(m_grid);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setDefaultSectionSize(2 * m_table->fontMetrics().height() + 8);
    m_table->setItemDelegate(new MatrixHeatDelegate(m_table));
    m_figure = new QComboBox(this);
    m_figure->setObjectName(QStringLiteral("matrixFigure"));
    m_figure->addItem(tr("Shade by expect wait"), int(MatrixGridModel::Figure::ExpectWait));
    m_figure->addItem(tr("Shade by bytes before the final"), int(MatrixGridModel::Figure::BytesBeforeFinal));
    m_figure->addItem(tr("Shade by total time"), int(MatrixGridModel::Figure::TotalTime));
    m_figure->setToolTip(tr("The figure each cell shows under its status and is shaded by (log scale)"));
    m_waitPlot = newChart(tr("Expect wait (ms)"), this);
    m_waitPlot->setObjectName(QStringLiteral("matrixWaitChart"));
    m_bytesPlot = newChart(tr("body bytes"), this);
    m_bytesPlot->setObjectName(QStringLiteral("matrixBytesChart"));
    m_timePlot = newChart(tr("total (ms)"), this);
    m_timePlot->setObjectName(QStringLiteral("matrixTimeChart"));
    for (QCustomPlot *chart : {m_waitPlot, m_bytesPlot, m_timePlot}) {
        connect(chart, &QCustomPlot::mouseMove, this, [this, chart](QMouseEvent *event) {
            const double x = chart->xAxis->pixelToCoord(event->position().x());
            const int key = int(std::lround(x));
            const QString tip = std::abs(x - key) <= 0.4 ? chartTip(chart, key) : QString();
            if (!tip.isEmpty())
                QToolTip::showText(event->globalPosition().toPoint(), tip, chart);
            else
                QToolTip::hideText();
        });
    }
    auto *charts = new QTabWidget(this);
    charts->setObjectName(QStringLiteral("matrixCharts"));
    charts->addTab(m_waitPlot, tr("Expect wait"));
    charts->addTab(m_bytesPlot, tr("Bytes before the final response"));
    charts->addTab(m_timePlot, tr("Total time"));
    charts->addTab(m_timeline = new TimelineView(this), tr("Cell timeline"));
    m_timeline->clear(tr("Double-click a cell of the grid to see its exchange."));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(charts);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_figure);
    layout->addLayout(statusRow);
    layout->addWidget(split, 1);

    restoreInputs();
    connect(m_run, &QPushButton::clicked, this, &MatrixWidget::run);
    connect(m_figure, &QComboBox::currentIndexChanged, this,
            [this] { m_grid->setFigure(MatrixGridModel::Figure(m_figure->currentData().toInt())); });
    connect(m_cancel, &QPushButton::clicked, this, &MatrixWidget::cancel);
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export matrix"), QStringLiteral("matrix.json"), tr("JSON (*.json)"));
        if (!path.isEmpty())
            exportJson(path);
    });
    connect(m_table, &QTableView::doubleClicked, this, &MatrixWidget::openCell);
    connect(m_runner, &MatrixRunner::progress, this, [this](int done, int total) {
        m_progress->setRange(0, std::max(1, total));
        m_progress->setValue(done);
    });
    // Queued: the runner is on its own thread; everything arrives as values.
    connect(m_runner, &MatrixRunner::cellStarted, this, &MatrixWidget::cellStarted);
    connect(m_runner, &MatrixRunner::cellFinished, this, &MatrixWidget::onCellFinished);
    connect(m_runner, &MatrixRunner::finished, this, &MatrixWidget::onFinished);
    connect(m_runner, &MatrixRunner::startFailed, this, [this](const QString &error) {
        m_running = false;
        setRunning(false);
        m_status->setText(error);
        emit finished();
    });
}

MatrixWidget::~MatrixWidget()
{
    m_runner->disconnect(this);
    // Cancelled and deleted in its own thread; should the thread end first, it deletes the runner.
    m_thread->post([runner = m_runner] {
        runner->cancel();
        delete runner;
    });
}

QString MatrixWidget::statusText() const
{
    return m_status->text();
}

std::optional<MatrixSpec> MatrixWidget::spec(QString *error) const
{
    auto fail = [error](const QString &message) -> std::optional<MatrixSpec> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    MatrixSpec s;
    QStringList clients;
    for (const QCheckBox *box : m_clientBoxes) {
        if (box->isChecked())
            clients << box->property("behaviour").toString();
    }
    clients += m_clientsExtra->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    QString e;
    const auto parsedClients = MatrixSpec::parseClients(clients.join(QLatin1Char(',')), &e);
    if (!parsedClients)
        return fail(tr("Clients: %1").arg(e));
    s.clients = *parsedClients;
    s.url = QUrl(m_url->text().trimmed());
    s.tls = m_tls;
    if (!s.isExternal()) {
        s.localTls = m_localTls;
        const auto policies = MatrixSpec::parsePolicies(m_policies->text(), &e);
        if (!policies)
            return fail(tr("Policies: %1").arg(e));
        s.policies = *policies;
    }
    for (const QString &item : m_sizes->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        qint64 size = 0;
        if (!parseByteSize(item, &size))
            return fail(tr("Sizes: '%1' is not a byte count such as 1024, 64K or 1M").arg(item.trimmed()));
        s.sizes << size;
    }
    const QString invalid = s.validate();
    if (!invalid.isEmpty())
        return fail(invalid);
    return s;
}

// The grid's inputs are the user's: they come back at the next start (issue 14).
void MatrixWidget::saveInputs() const
{
    QSettings s;
    QStringList checked;
    // By the behaviour each box stands for, not by its label (a style may add an accelerator '&').
    for (const QCheckBox *box : m_clientBoxes)
        if (box->isChecked())
            checked << box->property("behaviour").toString();
    s.setValue(QStringLiteral("matrix/clients"), checked);
    s.setValue(QStringLiteral("matrix/moreClients"), m_clientsExtra->text());
    s.setValue(QStringLiteral("matrix/policies"), m_policies->text());
    s.setValue(QStringLiteral("matrix/sizes"), m_sizes->text());
    s.setValue(QStringLiteral("matrix/url"), m_url->text());
}

void MatrixWidget::restoreInputs()
{
    QSettings s;
    if (s.contains(QStringLiteral("matrix/clients"))) {
        const QStringList checked = s.value(QStringLiteral("matrix/clients")).toStringList();
        for (QCheckBox *box : std::as_const(m_clientBoxes))
            box->setChecked(checked.contains(box->property("behaviour").toString()));
    }
    m_clientsExtra->setText(s.value(QStringLiteral("matrix/moreClients"), m_clientsExtra->text()).toString());
    m_policies->setText(s.value(QStringLiteral("matrix/policies"), m_policies->text()).toString());
    m_sizes->setText(s.value(QStringLiteral("matrix/sizes"), m_sizes->text()).toString());
    m_url->setText(s.value(QStringLiteral("matrix/url"), m_url->text()).toString());
}

bool MatrixWidget::run()
{
    if (m_running)
        return false;
    QString error;
    const std::optional<MatrixSpec> s = spec(&error);
    if (!s) {
        m_status->setText(error);
        return false;
    }
    saveInputs();
    m_running = true;
    m_thread->post([runner = m_runner, spec = *s] { runner->requestStart(spec); });
    m_result = MatrixResult{};
    m_grid->setSpec(*s);
    m_progress->setRange(0, std::max(1, s->cellCount()));
    m_progress->setValue(0);
    m_status->setText(tr("Running %n cell(s)…", nullptr, s->cellCount()));
    setRunning(true);
    updateCharts();
    return true;
}

void MatrixWidget::cancel()
{
    if (m_running)
        m_thread->post([runner = m_runner] { runner->cancel(); });
}

void MatrixWidget::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_export->setEnabled(!running && !m_result.cells.isEmpty());
}

void MatrixWidget::onCellFinished(const MatrixCell &cell)
{
    m_grid->addCell(cell);
    updateCharts();
    emit cellFinished(cell);
}

void MatrixWidget::onFinished(const MatrixResult &result)
{
    m_running = false;
    m_result = result;
    m_grid->setResult(result);
    setRunning(false);
    updateCharts();
    m_status->setText(result.cancelled ? tr("Cancelled after %n cell(s).", nullptr, int(result.cells.size()))
                                       : tr("Done: %n cell(s).", nullptr, int(result.cells.size())));
    emit finished();
}

bool MatrixWidget::showResult(const MatrixResult &result)
{
    if (m_running)
        return false;
    m_result = result;
    m_grid->setResult(result);
    m_timeline->clear(tr("Double-click a cell of the grid to see its exchange."));
    m_progress->setRange(0, std::max(1, result.spec.cellCount()));
    m_progress->setValue(int(result.cells.size()));
    updateCharts();
    m_status->setText(result.cells.isEmpty() ? QString()
                                             : tr("From the session: %n cell(s).", nullptr, int(result.cells.size())));
    return true;
}

std::optional<MatrixResult> MatrixWidget::resultToKeep() const
{
    if (m_running || m_result.cells.isEmpty())
        return std::nullopt;
    return m_result;
}

QString MatrixWidget::chartTip(QCustomPlot *chart, int key) const
{
    const QList<MatrixCell> &cells = m_grid->cells();
    if (key < 1 || key > cells.size())
        return {};
    const MatrixCell &cell = cells.at(key - 1);
    QString figure;
    if (chart == m_waitPlot)
        figure = MatrixGridModel::figureText(cell, MatrixGridModel::Figure::ExpectWait);
    else if (chart == m_bytesPlot)
        figure = MatrixGridModel::figureText(cell, MatrixGridModel::Figure::BytesBeforeFinal);
    else
        figure = MatrixGridModel::figureText(cell, MatrixGridModel::Figure::TotalTime);
    return tr("%1: %2\n%3").arg(MatrixGridModel::cellKey(key - 1), figure, MatrixGridModel::describe(cell));
}

void MatrixWidget::updateCharts()
{
    const QList<MatrixCell> &cells = m_grid->cells();
    fillFigureChart(m_waitPlot, cells, MatrixGridModel::Figure::ExpectWait);
    fillBytesChart(m_bytesPlot, cells);
    fillFigureChart(m_timePlot, cells, MatrixGridModel::Figure::TotalTime);
}

bool MatrixWidget::exportJson(const QString &path)
{
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(matrixResultToJson(m_result)).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        m_status->setText(tr("Could not write %1: %2").arg(path, file.errorString()));
        return false;
    }
    m_status->setText(tr("Matrix written to %1").arg(path));
    return true;
}

void MatrixWidget::openCell(const QModelIndex &index)
{
    const MatrixCell *cell = m_grid->cellAt(index);
    if (!cell)
        return;
    m_timeline->setLayout(TimelineLayout::build(cell->summary.events, cell->serverEvents),
                          m_grid->data(index, MatrixGridModel::CellIndexRole).toInt() + 1);
    if (auto *charts = findChild<QTabWidget *>(QStringLiteral("matrixCharts")))
        charts->setCurrentWidget(m_timeline);
    m_status->setText(tr("%1 · %2: %3")
                          .arg(m_grid->headerData(index.row(), Qt::Vertical).toString(),
                               m_grid->headerData(index.column(), Qt::Horizontal).toString(),
                               cell->summary.outcomeText()));
}

} // namespace expectlab
