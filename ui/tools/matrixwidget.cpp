#include "matrixwidget.h"

#include "byteformat.h"
#include "matrixgridmodel.h"
#include "matrixrunner.h"
#include "partythread.h"
#include "timelinelayout.h"
#include "timelineview.h"

#include <qcustomplot.h>

#include <QCheckBox>
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
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace expectlab {

namespace {
QCustomPlot *newChart(const QString &yLabel, QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setLabel(QObject::tr("cell"));
    plot->legend->setVisible(false);
    plot->setMinimumHeight(140);
    return plot;
}

QCPBars *addBars(QCustomPlot *plot, const QString &name, const QColor &colour)
{
    auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    bars->setPen(colour.darker(130));
    bars->setBrush(colour);
    return bars;
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
    m_waitPlot = newChart(tr("Expect wait (ms)"), this);
    m_bytesPlot = newChart(tr("body bytes"), this);
    m_bytesPlot->legend->setVisible(true);
    m_timePlot = newChart(tr("total (ms)"), this);
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
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    connect(m_run, &QPushButton::clicked, this, &MatrixWidget::run);
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
            clients << box->text();
    }
    clients += m_clientsExtra->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    QString e;
    const auto parsedClients = MatrixSpec::parseClients(clients.join(QLatin1Char(',')), &e);
    if (!parsedClients)
        return fail(tr("Clients: %1").arg(e));
    s.clients = *parsedClients;
    s.url = QUrl(m_url->text().trimmed());
    if (!s.isExternal()) {
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

void MatrixWidget::updateCharts()
{
    const QList<MatrixCell> &cells = m_grid->cells();
    QList<double> keys, wait, before, withoutExpect, total;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < cells.size(); ++i) {
        const MatrixCell &c = cells.at(i);
        keys << i + 1;
        wait << (c.expectWaitNs ? double(*c.expectWaitNs) / 1e6 : 0.0);
        before << double(c.bodyBytesBeforeFinal);
        // What a client without Expect sends in the same cell: its bytes plus what this one saved.
        withoutExpect << double(c.bodyBytesBeforeFinal + c.savedVsNoExpect.value_or(0));
        total << double(c.totalNs) / 1e6;
        ticker->addTick(i + 1, QString::number(i + 1));
    }
    const std::pair<QCustomPlot *, QList<QList<double>>> charts[] = {
        {m_waitPlot, {wait}}, {m_bytesPlot, {withoutExpect, before}}, {m_timePlot, {total}}};
    const QStringList bytesNames{tr("without Expect"), tr("sent before the final response")};
    const QColor colours[] = {QColor(0xb0, 0xbe, 0xc5), QColor(0x1e, 0x88, 0xe5)};
    for (const auto &[plot, series] : charts) {
        plot->clearPlottables();
        for (int s = 0; s < series.size(); ++s) {
            QCPBars *bars = addBars(plot, plot == m_bytesPlot ? bytesNames.at(s) : plot->yAxis->label(),
                                    colours[series.size() == 1 ? 1 : s]);
            bars->setWidth(series.size() == 1 ? 0.6 : 0.35);
            QList<double> shifted = keys;
            if (series.size() > 1)
                for (double &k : shifted)
                    k += s == 0 ? -0.18 : 0.18;
            bars->setData(shifted, series.at(s), true);
        }
        plot->xAxis->setTicker(ticker);
        plot->xAxis->setRange(0.3, std::max<qsizetype>(1, cells.size()) + 0.7);
        plot->rescaleAxes(true);
        plot->xAxis->setRange(0.3, std::max<qsizetype>(1, cells.size()) + 0.7);
        plot->yAxis->setRangeLower(0);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
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
