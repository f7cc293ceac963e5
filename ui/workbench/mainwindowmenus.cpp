// The window's View, Server and Help menus (the File and Edit menus are in mainwindowfiles.cpp).
#include "mainwindow.h"

#include "clientpreset.h"
#include "composerpanel.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "exchangelistview.h"
#include "exchangereport.h"
#include "matrixwidget.h"
#include "monotonicclock.h"
#include "outcomedelegate.h"
#include "overviewplot.h"
#include "partythread.h"
#include "platformlatency.h"
#include "probewidget.h"
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
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

namespace expectlab {

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    buildFileMenu(file);
    QAction *exportJson = file->addAction(tr("&Export Exchange as JSON…"), this, &MainWindow::exportSelected);
    exportJson->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *copy = edit->addAction(tr("&Copy Exchange as JSON"), this, &MainWindow::copySelected);
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    edit->addAction(tr("Copy &Outcome"), this, [this] { QApplication::clipboard()->setText(outcomeText()); });
    edit->addSeparator();
    buildCurlActions(edit);
    edit->addSeparator();
    QAction *find = edit->addAction(tr("&Filter Exchanges…"), m_list, &ExchangeListView::focusFilter);
    find->setShortcut(QKeySequence::Find);
    QAction *clear = edit->addAction(tr("C&lear Exchanges"), this, [this] {
        if (!keepWorkBefore(tr("clearing the list")))
            return;
        m_session->clear();
        m_detail->showExchange(nullptr);
        setUnsavedChanges(false); // nothing left to lose
    });
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Delete));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    m_followAction = view->addAction(tr("&Follow New Exchanges"));
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setToolTip(tr("Select each new exchange as it starts"));
    m_preciseAction = view->addAction(tr("&Precise Timing"));
    m_preciseAction->setObjectName(QStringLiteral("preciseTimingAction"));
    m_preciseAction->setCheckable(true);
    m_preciseAction->setToolTip(
        tr("Keep CPUs out of deep idle states, so that recorded times stay within a fraction of "
           "a millisecond of the wire (needs root on Linux; costs power)"));
    connect(m_preciseAction, &QAction::toggled, this, [this](bool on) { setPreciseTiming(on); });
    QAction *fit = view->addAction(tr("&Fit Timeline"), m_detail->timeline(), &TimelineView::fitView);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    // The main tabs (Exchanges, Probe, Matrix) are Ctrl+1, Ctrl+2, ...
    for (int i = 0; i < std::min(m_tabs->count(), 9); ++i) {
        QAction *a = view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        a->setObjectName(QStringLiteral("showTab%1").arg(i + 1));
    }
    view->addSeparator();
    const QStringList tabNames{tr("&Timeline"), tr("&Wire"), tr("&Headers"), tr("&Events")};
    for (int i = 0; i < tabNames.size(); ++i) {
        QAction *a = view->addAction(tabNames.at(i), this, [this, i] { m_detail->tabs()->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
    }

    QMenu *server = menuBar()->addMenu(tr("&Server"));
    m_startStopAction = server->addAction(tr("&Stop Server"), m_serverPanel, &ServerPanel::toggle);
    m_startStopAction->setObjectName(QStringLiteral("serverStartStopAction"));
    m_startStopAction->setEnabled(!m_serverPanel->isRequestInFlight());
    connect(m_serverPanel, &ServerPanel::requestInFlightChanged, m_startStopAction,
            [action = m_startStopAction](bool inFlight) { action->setEnabled(!inFlight); });
    QMenu *policies = server->addMenu(tr("&Policy"));
    policies->setObjectName(QStringLiteral("serverPolicyMenu"));
    // The Server panel's list, in its order and groups: one place names the policies.
    for (const QList<ServerPolicy::Kind> &group : ServerPolicy::kindGroups()) {
        if (!policies->isEmpty())
            policies->addSeparator();
        for (const ServerPolicy::Kind kind : group)
            policies->addAction(ServerPanel::policyKindLabel(kind), this,
                                [this, kind] { m_serverPanel->setPolicyKind(kind); });
    }
    QMenu *serverPresets = server->addMenu(tr("P&resets"));
    for (const ServerPreset &p : loadServerPresets()) {
        QAction *a = serverPresets->addAction(p.name, this, [this, id = p.id] { m_serverPanel->applyPreset(id); });
        a->setToolTip(p.source);
    }
    serverPresets->setToolTipsVisible(true);

    QMenu *client = menuBar()->addMenu(tr("&Client"));
    QAction *send = client->addAction(tr("&Send"), this, &MainWindow::send);
    send->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    send->setShortcutContext(Qt::WindowShortcut);
    QAction *cancel = client->addAction(tr("&Cancel"), this, &MainWindow::cancel);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    QAction *focusUrl = client->addAction(tr("Edit &URL"), m_composer, &ComposerPanel::focusUrl);
    focusUrl->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    client->addAction(tr("Point at the &Local Server"), this, [this] {
        if (m_server->isListening())
            m_composer->setUrl(m_server->url() + QStringLiteral("upload"));
    });
    QMenu *clientPresets = client->addMenu(tr("P&resets"));
    for (const ClientPreset &p : loadClientPresets()) {
        QAction *a = clientPresets->addAction(p.name, this, [this, id = p.id] { m_composer->applyPreset(id); });
        a->setToolTip(p.source);
    }
    clientPresets->setToolTipsVisible(true);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ExpectLab"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About ExpectLab"),
                       tr("<h3>ExpectLab %1</h3>"
                          "<p>A workbench for the HTTP <code>Expect: 100-continue</code> handshake and "
                          "<code>417 Expectation Failed</code>: a local test server and a client side by side, "
                          "and what each did on one time axis.</p>"
                          "<p>Rules: RFC 9110 sections 10.1.1, 15.2, 15.2.1, 15.5.18; RFC 9112.</p>"
                          "<p>Built with Qt %2 and QCustomPlot.</p>")
                           .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

} // namespace expectlab
