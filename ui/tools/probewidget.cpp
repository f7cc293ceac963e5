#include "probewidget.h"

#include "partythread.h"
#include "probebattery.h"
#include "proberesultsmodel.h"
#include "proberunner.h"
#include "timelinelayout.h"
#include "timelineview.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace expectlab {

namespace {
// Core has no QtGui: its model names the verdict colour, this proxy turns the name into a brush.
class VerdictColorProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::ForegroundRole && index.column() == ProbeResultsModel::VerdictColumn)
            return QColor(QIdentityProxyModel::data(index, ProbeResultsModel::VerdictColorRole).toString());
        if (role == Qt::BackgroundRole) {
            QColor c(QIdentityProxyModel::data(index, ProbeResultsModel::VerdictColorRole).toString());
            c.setAlpha(40);
            return c;
        }
        if (role == Qt::FontRole && index.column() == ProbeResultsModel::VerdictColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return QIdentityProxyModel::data(index, role);
    }
};

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    if (error)
        *error = ProbeWidget::tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
}
} // namespace

ProbeWidget::ProbeWidget(QWidget *parent)
    : QWidget(parent)
    , m_url(new QLineEdit(this))
    , m_timeout(new QSpinBox(this))
    , m_run(new QPushButton(tr("&Run"), this))
    , m_exportJson(new QPushButton(tr("Export &JSON…"), this))
    , m_exportJUnit(new QPushButton(tr("Export J&Unit…"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_table(new QTableView(this))
    , m_evidence(new QListWidget(this))
    , m_timeline(new TimelineView(this))
    , m_model(new ProbeResultsModel(this))
{
    QSettings settings;
    m_url->setPlaceholderText(tr("http://127.0.0.1:8080/upload"));
    m_url->setText(settings.value(QStringLiteral("probe/url")).toString());
    m_url->setToolTip(tr("Any http:// server: the probe sends its scenarios to this URL's host and path"));
    m_timeout->setRange(100, 60000);
    m_timeout->setSingleStep(500);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setValue(settings.value(QStringLiteral("probe/timeoutMs"), probe::kDefaultTimeoutMs).toInt());
    m_timeout->setToolTip(tr("Bound of each wait in each scenario"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *proxy = new VerdictColorProxy(this);
    proxy->setSourceModel(m_model);
    m_table->setModel(proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("URL:"), this));
    top->addWidget(m_url, 1);
    top->addWidget(new QLabel(tr("Timeout:"), this));
    top->addWidget(m_timeout);
    top->addWidget(m_run);
    top->addWidget(m_exportJson);
    top->addWidget(m_exportJUnit);

    auto *evidence = new QSplitter(Qt::Horizontal, this);
    evidence->addWidget(m_evidence);
    evidence->addWidget(m_timeline);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(evidence);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    connect(m_run, &QPushButton::clicked, this, [this] { isRunning() ? cancel() : run(); });
    connect(m_url, &QLineEdit::returnPressed, this, &ProbeWidget::run);
    connect(m_exportJson, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    connect(m_exportJUnit, &QPushButton::clicked, this, [this] { exportWithDialog(true); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showEvidence(current.row()); });
    m_timeline->clear(tr("Select a scenario to see its evidence"));
    updateButtons();
}

ProbeWidget::~ProbeWidget()
{
    dropRunner();
}

void ProbeWidget::dropRunner()
{
    if (!m_runner)
        return;
    m_runner->disconnect(this);
    // Cancelled and deleted in its own thread; should the thread end first, it deletes the runner.
    m_thread->post([runner = m_runner] {
        runner->cancel();
        delete runner;
    });
    m_runner = nullptr;
}

void ProbeWidget::setUrl(const QString &url)
{
    m_url->setText(url);
}

QString ProbeWidget::url() const
{
    return m_url->text().trimmed();
}

void ProbeWidget::setTimeoutMs(int ms)
{
    m_timeout->setValue(ms);
}

bool ProbeWidget::isRunning() const
{
    return m_running;
}

QString ProbeWidget::statusText() const
{
    return m_status->text();
}

void ProbeWidget::run()
{
    if (isRunning())
        return;
    const QUrl url(this->url(), QUrl::StrictMode);
    const QString error = probe::validateUrl(url);
    if (!error.isEmpty()) {
        m_status->setText(error);
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("probe/url"), this->url());
    settings.setValue(QStringLiteral("probe/timeoutMs"), m_timeout->value());

    m_model->clear();
    m_evidence->clear();
    m_timeline->clear(tr("Select a scenario to see its evidence"));
    m_report = ProbeReport{};
    dropRunner();
    auto *runner = new ProbeRunner(url, m_timeout->value());
    runner->setTls(m_tls);
    m_runner = runner;
    m_running = true;
    m_progress->setRange(0, runner->scenarioCount());
    m_progress->setValue(0);
    m_status->setText(tr("Probing %1…").arg(url.toString()));
    // The run has a thread of its own ("expectlab-probe"); results come back queued, as values.
    if (!m_thread)
        m_thread = new PartyThread(QStringLiteral("expectlab-probe"), this);
    m_thread->adopt(runner);
    connect(runner, &ProbeRunner::scenarioStarted, this, &ProbeWidget::onScenarioStarted);
    connect(runner, &ProbeRunner::scenarioFinished, this, &ProbeWidget::onScenarioFinished);
    connect(runner, &ProbeRunner::reported, this, &ProbeWidget::onRunnerFinished);
    m_thread->post([runner] { runner->start(); });
    updateButtons();
}

void ProbeWidget::cancel()
{
    if (m_runner && m_running)
        m_thread->post([runner = m_runner] { runner->cancel(); });
}

void ProbeWidget::onScenarioStarted(int index, int count, const QString &id)
{
    m_status->setText(tr("Scenario %1 of %2: %3").arg(index + 1).arg(count).arg(id));
}

void ProbeWidget::onScenarioFinished(int index, const ProbeResult &result)
{
    m_progress->setValue(index + 1);
    // The first scenario's failed connect ends the run with one error instead of a row.
    if (result.observation.connectFailed && index == 0)
        return;
    m_model->addResult(result);
}

void ProbeWidget::onRunnerFinished(const ProbeReport &report)
{
    if (!m_running)
        return;
    m_running = false;
    m_report = report;
    dropRunner();
    if (!m_report.error.isEmpty()) {
        m_status->setText(tr("Probe failed: %1").arg(m_report.error));
        m_progress->setValue(m_progress->maximum());
    } else {
        m_status->setText(tr("%1 pass, %2 warn, %3 fail, %4 info, %5 inconclusive")
                              .arg(m_report.count(ProbeVerdict::Pass))
                              .arg(m_report.count(ProbeVerdict::Warn))
                              .arg(m_report.count(ProbeVerdict::Fail))
                              .arg(m_report.count(ProbeVerdict::Info))
                              .arg(m_report.count(ProbeVerdict::Inconclusive)));
    }
    updateButtons();
    emit runFinished();
}

bool ProbeWidget::showReport(const ProbeReport &report)
{
    if (isRunning())
        return false;
    m_model->clear();
    m_evidence->clear();
    m_timeline->clear(tr("Select a scenario to see its evidence"));
    m_report = report;
    for (const ProbeResult &r : report.results)
        m_model->addResult(r);
    if (!report.url.isEmpty())
        setUrl(report.url.toString());
    if (report.timeoutMs > 0)
        m_timeout->setValue(report.timeoutMs);
    m_progress->setRange(0, std::max(1, int(report.results.size())));
    m_progress->setValue(m_progress->maximum());
    if (!report.error.isEmpty())
        m_status->setText(tr("Probe failed: %1").arg(report.error));
    else if (report.results.isEmpty())
        m_status->setText(QString());
    else
        m_status->setText(tr("From the session: %1 pass, %2 warn, %3 fail, %4 info, %5 inconclusive")
                              .arg(report.count(ProbeVerdict::Pass))
                              .arg(report.count(ProbeVerdict::Warn))
                              .arg(report.count(ProbeVerdict::Fail))
                              .arg(report.count(ProbeVerdict::Info))
                              .arg(report.count(ProbeVerdict::Inconclusive)));
    updateButtons();
    return true;
}

std::optional<ProbeReport> ProbeWidget::reportToKeep() const
{
    if (m_report.results.isEmpty() && m_report.error.isEmpty())
        return std::nullopt;
    return m_report;
}

void ProbeWidget::selectScenario(int row)
{
    m_table->selectRow(row);
    showEvidence(row);
}

void ProbeWidget::showEvidence(int row)
{
    m_evidence->clear();
    const ProbeResult *r = m_model->resultAt(row);
    if (!r) {
        m_timeline->clear(tr("Select a scenario to see its evidence"));
        return;
    }
    m_evidence->addItem(QStringLiteral("%1 — %2").arg(verdictName(r->verdict), r->message));
    for (const QString &line : probeEvidenceLines(*r))
        m_evidence->addItem(line);
    m_timeline->setLayout(TimelineLayout::build(r->observation.events, {}), row + 1);
    emit evidenceSelected(r->observation.events);
}

bool ProbeWidget::exportJson(const QString &path, QString *error) const
{
    return writeFile(path, QJsonDocument(probeReportToJson(m_report)).toJson(QJsonDocument::Indented), error);
}

bool ProbeWidget::exportJUnit(const QString &path, QString *error) const
{
    return writeFile(path, probeReportToJUnit(m_report), error);
}

void ProbeWidget::exportWithDialog(bool junit)
{
    const QString path =
        QFileDialog::getSaveFileName(this, junit ? tr("Export JUnit XML") : tr("Export JSON"),
                                     junit ? QStringLiteral("probe-junit.xml") : QStringLiteral("probe.json"),
                                     junit ? tr("JUnit XML (*.xml)") : tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = junit ? exportJUnit(path, &error) : exportJson(path, &error);
    m_status->setText(ok ? tr("Saved %1").arg(path) : error);
}

void ProbeWidget::updateButtons()
{
    const bool running = isRunning();
    m_run->setText(running ? tr("&Cancel") : tr("&Run"));
    m_url->setEnabled(!running);
    m_timeout->setEnabled(!running);
    const bool haveReport = !running && (!m_report.results.isEmpty() || !m_report.error.isEmpty());
    m_exportJson->setEnabled(haveReport);
    m_exportJUnit->setEnabled(haveReport);
}

} // namespace expectlab
