#include "mainwindow.h"

#include "clientpreset.h"
#include "composerpanel.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "exchangelistview.h"
#include "exchangereport.h"
#include "expectwait.h"
#include "matrixwidget.h"
#include "monotonicclock.h"
#include "overviewplot.h"
#include "partythread.h"
#include "platformlatency.h"
#include "probewidget.h"
#include "proxyhost.h"
#include "proxypanel.h"
#include "serverhost.h"
#include "serverpanel.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>

namespace expectlab {

namespace {
QScrollArea *scrolled(QWidget *panel, QWidget *parent)
{
    auto *area = new QScrollArea(parent);
    area->setWidget(panel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    // Scroll down on a short screen, never sideways: the dock is as wide as the panel needs.
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area->setMinimumWidth(panel->minimumWidth() + area->verticalScrollBar()->sizeHint().width() + 4);
    return area;
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_server(new ServerHost(this))
    , m_proxy(new ProxyHost(this))
    , m_clientThread(new PartyThread(QStringLiteral("expectlab-client"), this))
    , m_session(new WorkbenchSession(this))
    , m_progressTimer(new QTimer(this))
{
    updateTitle();
    setObjectName(QStringLiteral("mainWindow"));
    // The server and the client each have a thread of their own: the timings one records wait
    // neither for the other nor for a repaint. Results come back as values through queued signals.
    m_session->setClientThread(m_clientThread);
    m_session->attachServer(m_server);
    connect(m_server->partyThread(), &PartyThread::realtimeChanged, this, &MainWindow::onRealtimeChanged);
    connect(m_clientThread, &PartyThread::realtimeChanged, this, &MainWindow::onRealtimeChanged);

    m_serverPanel = new ServerPanel(m_server, this);
    m_serverPanel->setExchangeResolver([session = m_session](int conn) -> std::optional<ServerPanel::ExchangeRef> {
        if (const auto found = session->exchangeOfConnection(conn))
            return ServerPanel::ExchangeRef{found->first, found->second};
        return std::nullopt;
    });
    m_composer = new ComposerPanel(this);
    m_composer->setMinimumWidth(330);
    m_serverPanel->setMinimumWidth(320);

    auto *clientDock = new QDockWidget(tr("Client"), this);
    clientDock->setObjectName(QStringLiteral("clientDock"));
    clientDock->setWidget(scrolled(m_composer, clientDock));
    clientDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                            QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, clientDock);
    auto *serverDock = new QDockWidget(tr("Server"), this);
    serverDock->setObjectName(QStringLiteral("serverDock"));
    serverDock->setWidget(scrolled(m_serverPanel, serverDock));
    serverDock->setFeatures(clientDock->features());
    addDockWidget(Qt::RightDockWidgetArea, serverDock);
    buildProxyDock(serverDock);
    resizeDocks({clientDock, serverDock}, {340, 350}, Qt::Horizontal);

    // The central area is a tab widget so that tools (the probe, ...) join with one line.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("toolTabs"));
    m_tabs->setDocumentMode(true);
    m_mainSplitter = new QSplitter(Qt::Vertical, m_tabs);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_listSplitter = new QSplitter(Qt::Vertical, m_mainSplitter);
    m_listSplitter->setObjectName(QStringLiteral("listSplitter"));
    m_list = new ExchangeListView(m_session->model(), m_listSplitter);
    m_table = m_list->table();
    m_overview = new OverviewPlot(m_session->model(), m_listSplitter);
    // The overview is a strip under the list: exchanges run left to right, as the list runs down.
    m_listSplitter->setStretchFactor(0, 3);
    m_listSplitter->setStretchFactor(1, 2);
    m_detail = new ExchangeDetail(m_session, m_mainSplitter);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 3);
    m_mainSplitter->setSizes({330, 480});
    m_listSplitter->setSizes({190, 140});
    m_tabs->addTab(m_mainSplitter, tr("Exchanges"));
    m_probe = new ProbeWidget(m_tabs);
    m_probe->setObjectName(QStringLiteral("probeTab"));
    m_tabs->addTab(m_probe, tr("Probe"));
    m_matrix = new MatrixWidget(m_tabs);
    m_matrix->setObjectName(QStringLiteral("matrixTab"));
    m_tabs->addTab(m_matrix, tr("Matrix"));
    setCentralWidget(m_tabs);
    // The request line across the top, over the panels, as wide as the window (issue 14).
    auto *requestBar = new QToolBar(tr("Request"), this);
    requestBar->setObjectName(QStringLiteral("requestBar"));
    requestBar->setMovable(false);
    requestBar->setFloatable(false);
    m_composer->requestLine()->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    requestBar->addWidget(m_composer->requestLine());
    addToolBar(Qt::TopToolBarArea, requestBar);

    m_statusOutcome = new QLabel(tr("Ready"), this);
    m_statusOutcome->setObjectName(QStringLiteral("statusOutcome"));
    m_statusServer = new QLabel(this);
    m_statusServer->setObjectName(QStringLiteral("statusServer"));
    m_statusCount = new QLabel(this);
    m_statusCount->setObjectName(QStringLiteral("statusCount"));
    statusBar()->addWidget(m_statusOutcome, 1);
    statusBar()->addPermanentWidget(m_statusServer);
    statusBar()->addPermanentWidget(m_statusProxy);
    statusBar()->addPermanentWidget(m_statusCount);

    m_progressTimer->setInterval(100);
    m_detailTimer = new QTimer(this);
    m_detailTimer->setSingleShot(true);
    connect(m_detailTimer, &QTimer::timeout, this, &MainWindow::refreshDetail);
    connect(m_progressTimer, &QTimer::timeout, this, &MainWindow::updateProgress);
    connect(m_composer, &ComposerPanel::sendRequested, this, &MainWindow::send);
    connect(m_composer, &ComposerPanel::cancelRequested, this, &MainWindow::cancel);
    connect(m_serverPanel, &ServerPanel::serverStateChanged, this, &MainWindow::onServerStateChanged);
    connect(m_session, &WorkbenchSession::exchangeStarted, this, &MainWindow::onExchangeStarted);
    connect(m_session, &WorkbenchSession::exchangeFinished, this, &MainWindow::onExchangeFinished);
    // An outside client's wait counts in the list and on its timeline as our client's does.
    connect(m_session, &WorkbenchSession::externalClientStarted, m_progressTimer, [this] {
        if (!m_progressTimer->isActive())
            m_progressTimer->start();
    });
    connect(m_session, &WorkbenchSession::externalClientFinished, this, [this] {
        if (m_session->runningCount() == 0 && m_session->runningExternalCount() == 0) {
            m_progressTimer->stop();
            m_session->model()->tickRunning(monotonicNowNs());
        }
    });
    connect(m_session, &WorkbenchSession::exchangesChanged, this, &MainWindow::onExchangesChanged);
    connect(m_session, &WorkbenchSession::exchangesChanged, this, [this] { setUnsavedChanges(true); });
    connectToolTabs();
    connect(m_session, &WorkbenchSession::progress, this, [this](int number, qint64 sent, qint64 total) {
        if (number != m_progressNumber) {
            m_progressNumber = number;
            m_rate.reset();
        }
        m_progressSent = sent;
        m_progressTotal = total;
        m_rate.add(monotonicNowNs(), sent);
    });
    connect(m_session->model(), &QAbstractItemModel::rowsInserted, this, &MainWindow::onRowsInserted);
    connect(m_session->model(), &QAbstractItemModel::rowsInserted, this, &MainWindow::updateCounts);
    connect(m_session->model(), &QAbstractItemModel::modelReset, this, &MainWindow::updateCounts);
    connect(m_list, &ExchangeListView::currentChanged, this, &MainWindow::onCurrentRowChanged);
    connect(m_overview, &OverviewPlot::exchangeClicked, this, &MainWindow::selectExchange);

    buildMenus();
    resize(1480, 920);
    restoreSettings();
    fitToScreen();
    startServerAtLaunch();
    startAutosave();
    updateCounts();
}

MainWindow::~MainWindow()
{
    // The session's runners go first (deleted in the client's thread as it ends), then the threads.
    m_session->shutdown();
}

void MainWindow::addToolTab(QWidget *tab, const QString &title)
{
    m_tabs->addTab(tab, title);
}

bool MainWindow::setPreciseTiming(bool on)
{
    return applyPreciseTiming(on, PreciseFailure::Dialog);
}

bool MainWindow::applyPreciseTiming(bool on, PreciseFailure report)
{
    // The real-time half belongs to the server's and the client's threads, where the timestamps are
    // taken; the window's own thread keeps its normal priority. The threads answer as they can
    // (onRealtimeChanged): nothing here waits for them.
    m_preciseReport = report;
    if (!on) {
        if (m_preciseTiming) {
            m_server->partyThread()->setRealtime(false);
            m_clientThread->setRealtime(false);
        }
        m_preciseTiming.reset();
        m_statusOutcome->setText(tr("Precise timing is off."));
    } else if (!m_preciseTiming) {
        auto timing = std::make_unique<platform::PreciseTiming>();
        QString error;
        if (!timing->acquire(&error)) {
            failPreciseTiming(error);
            return false;
        }
        m_preciseTiming = std::move(timing);
        m_realtimeThreads = 0; // the confirmation comes when both threads said yes
        m_server->partyThread()->setRealtime(true);
        m_clientThread->setRealtime(true);
    }
    const QSignalBlocker blocker(m_preciseAction);
    m_preciseAction->setChecked(on);
    return true;
}

void MainWindow::onRealtimeChanged(bool on, bool ok, const QString &error)
{
    if (on && !ok && m_preciseTiming) {
        // One thread may not: neither keeps it, and the menu does not pretend otherwise.
        m_server->partyThread()->setRealtime(false);
        m_clientThread->setRealtime(false);
        m_preciseTiming.reset();
        failPreciseTiming(error);
    } else if (on && ok && m_preciseTiming && ++m_realtimeThreads == 2) {
        m_statusOutcome->setText(tr("Precise timing is on: CPUs stay out of deep idle states and the server's and "
                                    "the client's threads run at real-time priority."));
    }
}

void MainWindow::failPreciseTiming(const QString &error)
{
    const QSignalBlocker blocker(m_preciseAction);
    m_preciseAction->setChecked(false);
    const QString message = tr("Precise timing is off: %1.").arg(error);
    // Restored from the settings at start-up: a line in the status bar, not a dialog before the
    // window is even up.
    if (m_preciseReport == PreciseFailure::StatusBar)
        m_statusOutcome->setText(message);
    else
        reportError(tr("Precise timing"), message);
}

bool MainWindow::isPreciseTiming() const
{
    return m_preciseTiming && m_preciseTiming->isActive();
}

void MainWindow::fitToScreen()
{
    // A default or saved size larger than the screen this window opens on (saved on a bigger one,
    // or at another scale) would put panels off screen: it shrinks to what is available there.
    const QScreen *where = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!where)
        return;
    // geometry() is the inside of the window: leave room for the frame the window manager adds (known
    // once the window exists; before, a title bar's height is the best guess).
    const QMargins known(geometry().left() - frameGeometry().left(), geometry().top() - frameGeometry().top(),
                         frameGeometry().right() - geometry().right(), frameGeometry().bottom() - geometry().bottom());
    const int titleBar = style()->pixelMetric(QStyle::PM_TitleBarHeight, nullptr, this);
    const QMargins frame = known.top() > 0 ? known : QMargins(0, titleBar, 0, 0);
    const QRect available = where->availableGeometry().marginsRemoved(frame);
    QRect inside = geometry();
    inside.setSize(inside.size().boundedTo(available.size()).expandedTo(minimumSizeHint()));
    inside.moveLeft(
        qBound(available.left(), inside.left(), std::max(available.left(), available.right() - inside.width() + 1)));
    inside.moveTop(
        qBound(available.top(), inside.top(), std::max(available.top(), available.bottom() - inside.height() + 1)));
    setGeometry(inside);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_mainSplitter->restoreState(s.value(QStringLiteral("window/mainSplitter")).toByteArray());
    m_listSplitter->restoreState(s.value(QStringLiteral("window/listSplitter")).toByteArray());
    // Column widths, order and sorting, if they were saved for the same columns and the same list
    // layout (version 2: sorting, key figures first; an older state would undo both).
    if (s.value(QStringLiteral("window/exchangeColumnCount")).toInt() == m_session->model()->columnCount() &&
        s.value(QStringLiteral("window/exchangeListLayout")).toInt() == kListLayoutVersion)
        m_table->horizontalHeader()->restoreState(s.value(QStringLiteral("window/exchangeColumns")).toByteArray());
    m_followAction->setChecked(s.value(QStringLiteral("view/follow"), true).toBool());
    if (s.value(QStringLiteral("view/preciseTiming"), false).toBool())
        applyPreciseTiming(true, PreciseFailure::StatusBar);
    m_serverPanel->restoreSettings(s);
    m_proxyPanel->restoreSettings(s);
    m_composer->restoreSettings(s);
    m_lastServerUrl = s.value(QStringLiteral("server/lastUrl")).toString();
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    s.setValue(QStringLiteral("window/listSplitter"), m_listSplitter->saveState());
    s.setValue(QStringLiteral("window/exchangeColumns"), m_table->horizontalHeader()->saveState());
    s.setValue(QStringLiteral("window/exchangeListLayout"), kListLayoutVersion);
    s.setValue(QStringLiteral("window/exchangeColumnCount"), m_session->model()->columnCount());
    s.setValue(QStringLiteral("view/follow"), m_followAction->isChecked());
    s.setValue(QStringLiteral("view/preciseTiming"), m_preciseAction->isChecked());
    m_serverPanel->saveSettings(s);
    m_proxyPanel->saveSettings(s);
    m_composer->saveSettings(s);
    if (m_server->isListening())
        s.setValue(QStringLiteral("server/lastUrl"), m_server->url());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!keepWorkBefore(tr("quitting"))) {
        event->ignore();
        return;
    }
    m_session->cancelAll();
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::startServerAtLaunch()
{
    // The answer comes as serverStateChanged: onServerStateChanged aims the client at the server.
    m_aimAtFirstListen = true;
    m_serverPanel->start();
}

void MainWindow::onServerStateChanged(const QString &message)
{
    m_statusOutcome->setText(message);
    const bool listening = m_server->isListening();
    m_statusServer->setText(listening ? tr("Server %1").arg(m_server->url()) : tr("Server stopped"));
    if (m_startStopAction)
        m_startStopAction->setText(listening ? tr("&Stop Server") : tr("&Start Server"));
    if (!listening)
        return;
    // The client follows the local server when it pointed at the previous one (its port changes
    // every launch); a URL of another server is the user's choice and stays.
    const QString url = m_composer->url();
    const QString fresh = m_server->url();
    // The probe starts out aimed at the local server too, so that Run works at once (issue 14).
    if (m_probe->url().isEmpty())
        m_probe->setUrl(fresh + QStringLiteral("upload"));
    else if (!m_lastServerUrl.isEmpty() && m_probe->url().startsWith(m_lastServerUrl) && m_lastServerUrl != fresh)
        m_probe->setUrl(fresh + m_probe->url().mid(m_lastServerUrl.size())); // a new port, or https://
    if (m_aimAtFirstListen && url.isEmpty())
        m_composer->setUrl(fresh + QStringLiteral("upload"));
    else if (!m_lastServerUrl.isEmpty() && url.startsWith(m_lastServerUrl) && m_lastServerUrl != fresh)
        m_composer->setUrl(fresh + url.mid(m_lastServerUrl.size()));
    m_aimAtFirstListen = false;
    m_lastServerUrl = fresh;
    // The probe and the matrix trust the local server's certificate, as the composer's client does.
    m_probe->setTls(m_server->state().clientTrust());
    m_matrix->setTls(m_server->state().clientTrust());
    // and, with the switch on, its own local server's cells are HTTPS too.
    m_matrix->setLocalServerTls(m_server->tlsIdentity());
    aimProxyAtServer();
}

int MainWindow::send()
{
    QString error;
    const std::optional<ClientRequest> request = m_composer->request(&error);
    if (!request) {
        m_composer->showError(error);
        m_statusOutcome->setText(error);
        return 0;
    }
    m_composer->showError(QString());
    m_progressSent = 0;
    m_progressTotal = 0;
    m_rate.reset();
    m_followNumber = 0;
    if (m_composer->throughProxy())
        return sendThroughProxy(*request);
    const int number = m_session->send(*request);
    return number;
}

void MainWindow::cancel()
{
    if (m_session->runningCount() == 0)
        return;
    m_session->cancelAll();
}

void MainWindow::onExchangeStarted(int number)
{
    m_composer->setRunning(true);
    m_progressNumber = number;
    if (m_followAction->isChecked())
        m_followNumber = number;
    if (!m_progressTimer->isActive())
        m_progressTimer->start();
    m_statusOutcome->setText(tr("Exchange %1 running…").arg(number));
}

void MainWindow::onExchangeFinished(int number)
{
    const ExchangeRecord *record = m_session->model()->recordByNumber(number);
    if (m_session->runningCount() == 0) {
        if (m_session->runningExternalCount() == 0)
            m_progressTimer->stop();
        updateProgress();
        m_composer->setRunning(false);
    }
    if (!record)
        return;
    m_statusOutcome->setText(tr("#%1: %2").arg(number).arg(record->summary.outcomeText()));
    m_composer->showError(plainError(*record));
}

QString MainWindow::plainError(const ExchangeRecord &r) const
{
    const ExchangeSummary &s = r.summary;
    if (s.finalStatus || s.error.isEmpty() || s.cancelled)
        return {};
    const QString target = QStringLiteral("%1:%2").arg(s.url.host()).arg(s.url.port(80));
    // The kind of failure is a typed field; the message is only shown.
    switch (s.errorKind) {
    case ErrorKind::ConnectFailed:
        return tr("Exchange %1: no connection to %2 (%3). Is the server running, and are the host and port right?")
            .arg(r.number)
            .arg(target, s.error);
    case ErrorKind::HostNotFound:
        return tr("Exchange %1: %2 could not be reached: %3.").arg(r.number).arg(target, s.error);
    default: break;
    }
    return tr("Exchange %1 got no final response: %2.").arg(r.number).arg(s.error);
}

void MainWindow::onExchangesChanged(const QList<int> &numbers)
{
    const int selected = selectedNumber();
    if (selected && numbers.contains(selected)) {
        const ExchangeRecord *record = m_session->model()->recordByNumber(selected);
        // While an exchange runs, redraw its detail at most a few times a second: every update
        // arrives here, and redrawing each one would keep the GUI thread busy for nothing.
        if (record && record->running && m_detailClock.isValid() && m_detailClock.elapsed() < kLiveDetailIntervalMs) {
            if (!m_detailTimer->isActive())
                m_detailTimer->start(kLiveDetailIntervalMs - int(m_detailClock.elapsed()));
        } else {
            refreshDetail();
        }
    }
    updateCounts();
}

void MainWindow::refreshDetail()
{
    m_detailTimer->stop();
    m_detailClock.start();
    const int selected = selectedNumber();
    m_detail->showExchange(selected ? m_session->model()->recordByNumber(selected) : nullptr);
}

void MainWindow::onRowsInserted(const QModelIndex &, int first, int last)
{
    // Following never clears the user's filter: a new row it hides is simply not selected.
    using Hidden = ExchangeListView::Hidden;
    if (m_followNumber && m_session->model()->rowForNumber(m_followNumber) >= 0) {
        m_list->selectNumber(m_followNumber, Hidden::StayHidden);
        m_followNumber = 0;
        return;
    }
    // External clients' exchanges are followed too, unless the user is looking at an older row.
    const ExchangeListModel *model = m_session->model();
    if (m_followAction->isChecked() && m_session->runningCount() == 0 &&
        m_list->currentIsJustAbove(model->recordAt(first).number))
        m_list->selectNumber(model->recordAt(last).number, Hidden::StayHidden);
}

void MainWindow::selectExchange(int number)
{
    m_list->selectNumber(number);
}

int MainWindow::selectedNumber() const
{
    return m_list->selectedNumber();
}

void MainWindow::onCurrentRowChanged()
{
    refreshDetail();
    m_overview->setSelectedNumber(selectedNumber());
}

void MainWindow::updateProgress()
{
    // A wait for a 100 is what users came to see: while one runs, the list's Wait cell counts and
    // the selected exchange's bracket grows (a few times a second), even when no byte moves.
    m_session->model()->tickRunning(monotonicNowNs());
    if (const ExchangeRecord *selected = m_session->model()->recordByNumber(selectedNumber());
        selected && selected->running && !m_detailTimer->isActive() &&
        (!m_detailClock.isValid() || m_detailClock.elapsed() >= kLiveDetailIntervalMs))
        refreshDetail();
    if (const ExchangeRecord *r = m_session->model()->recordByNumber(m_progressNumber); r && r->running) {
        ExpectWait wait;
        for (const TimelineEvent &e : r->summary.events)
            wait.add(e);
        if (wait.waiting() && r->expectTimeoutMs > 0) { // 0: the client sends the body at once
            m_composer->setWaitingForContinue(double(monotonicNowNs() - wait.sinceNs()) / 1e9,
                                              r->expectTimeoutMs / 1000.0);
            return;
        }
    }
    m_composer->setProgress(m_progressSent, m_progressTotal, m_session->runningCount() ? m_rate.bytesPerSecond() : 0);
}

void MainWindow::updateCounts()
{
    const int rows = m_session->model()->rowCount();
    const int running = m_session->runningCount();
    m_statusCount->setText(running ? tr("%n exchange(s), %1 running", nullptr, rows).arg(running)
                                   : tr("%n exchange(s)", nullptr, rows));
}

QString MainWindow::outcomeText() const
{
    return m_statusOutcome->text();
}

void MainWindow::exportSelected()
{
    const ExchangeRecord *record = m_session->model()->recordByNumber(selectedNumber());
    if (!record) {
        m_statusOutcome->setText(tr("Select an exchange to export."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export exchange"), QStringLiteral("exchange-%1.json").arg(record->number), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(exchangeToJson(record->summary)).toJson()) < 0 ||
        !file.commit()) {
        QMessageBox::warning(this, tr("Export exchange"), tr("Could not write %1: %2").arg(path, file.errorString()));
        return;
    }
    m_statusOutcome->setText(tr("Exchange %1 written to %2").arg(record->number).arg(path));
}

void MainWindow::copySelected()
{
    if (const ExchangeRecord *record = m_session->model()->recordByNumber(selectedNumber()))
        QApplication::clipboard()->setText(QString::fromUtf8(QJsonDocument(exchangeToJson(record->summary)).toJson()));
}

} // namespace expectlab
