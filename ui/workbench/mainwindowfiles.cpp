// MainWindow's files and clipboard: sessions, autosave, HAR, events CSV, plot images, curl commands.
// Kept apart from mainwindow.cpp, which lays out the window and runs exchanges.
#include "mainwindow.h"

#include "autosave.h"
#include "composerpanel.h"
#include "curlcommand.h"
#include "eventcsv.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "harexport.h"
#include "harimport.h"
#include "matrixwidget.h"
#include "overviewplot.h"
#include "plotcaption.h"
#include "probewidget.h"
#include "recentfiles.h"
#include "serverhost.h"
#include "serverpanel.h"
#include "sessionfile.h"
#include "sessionrecords.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryFile>

namespace expectlab {

QString MainWindow::sessionFileFilter()
{
    return tr("ExpectLab sessions (*%1);;All files (*)").arg(QLatin1String(kSessionSuffix));
}

void MainWindow::buildFileMenu(QMenu *file)
{
    const QString sessionFilter = sessionFileFilter();
    QAction *newSession = file->addAction(tr("&New Session"), this, &MainWindow::newSession);
    newSession->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(tr("&Open Session…"), this, [this, sessionFilter] {
        if (!keepWorkBefore(tr("opening another session")))
            return;
        const QString path = askFile(false, tr("Open session"), QString(), sessionFilter);
        if (!path.isEmpty())
            openSessionFrom(path);
    });
    open->setShortcut(QKeySequence::Open);
    QMenu *recent = file->addMenu(tr("Open &Recent"));
    recent->setObjectName(QStringLiteral("recentMenu"));
    // Built when it opens: the list changes with every open and save, in this window or another.
    connect(recent, &QMenu::aboutToShow, this, [this, recent] { fillRecentMenu(recent); });
    QAction *save = file->addAction(tr("&Save Session"), this, &MainWindow::saveCurrentSession);
    save->setShortcut(QKeySequence::Save);
    QAction *saveAs = file->addAction(tr("Save Session &As…"), this, [this, sessionFilter] {
        const QString path = askFile(true, tr("Save session as"),
                                     QStringLiteral("session") + QLatin1String(kSessionSuffix), sessionFilter);
        if (!path.isEmpty())
            saveSessionTo(path);
    });
    saveAs->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    file->addAction(tr("&Import HAR…"), this, [this] {
        if (!keepWorkBefore(tr("importing a HAR file")))
            return;
        const QString path = askFile(false, tr("Import HAR"), QString(), tr("HAR (*.har);;All files (*)"));
        if (!path.isEmpty())
            importHarFrom(path);
    });
    file->addAction(tr("Export &HAR…"), this, [this] {
        const QString path = askFile(true, tr("Export HAR"), QStringLiteral("exchanges.har"), tr("HAR (*.har)"));
        if (!path.isEmpty())
            exportHarTo(path);
    });
    file->addAction(tr("Export E&vents as CSV…"), this, [this] {
        const QString path = askFile(true, tr("Export events"), QStringLiteral("events.csv"), tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportEventsCsvTo(path);
    });
    buildPlotExportMenu(file->addMenu(tr("Export &Plot")));
    file->addSeparator();
}

void MainWindow::buildPlotExportMenu(QMenu *menu)
{
    const std::pair<QString, Plot> plots[] = {{tr("Timeline"), Plot::Timeline}, {tr("Overview"), Plot::Overview}};
    for (const auto &[name, plot] : plots) {
        for (const QString &suffix : {QStringLiteral("png"), QStringLiteral("pdf")}) {
            menu->addAction(tr("%1 as %2…").arg(name, suffix.toUpper()), this, [this, plot, name, suffix] {
                const QString path =
                    askFile(true, tr("Export %1").arg(name), name.toLower() + QLatin1Char('.') + suffix,
                            suffix.toUpper() + QStringLiteral(" (*.") + suffix + QLatin1Char(')'));
                if (!path.isEmpty())
                    exportPlotTo(plot, path);
            });
        }
    }
}

void MainWindow::buildCurlActions(QMenu *edit)
{
    QAction *copyCurl = edit->addAction(tr("Copy as c&url"), this, [this] {
        // The list's row when the list has the focus, the composer's request otherwise.
        copyAsCurl(m_table->hasFocus() && selectedNumber() ? CurlSource::Selection : CurlSource::Composer);
    });
    copyCurl->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    edit->addAction(tr("Copy Selected Exchange as curl"), this, [this] { copyAsCurl(CurlSource::Selection); });
    QAction *paste =
        edit->addAction(tr("&Paste curl Command"), this, [this] { pasteCurl(QApplication::clipboard()->text()); });
    paste->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_V));
}

QString MainWindow::askFile(bool save, const QString &title, const QString &suggested, const QString &filter)
{
    if (m_askFile)
        return m_askFile(save, title, suggested, filter);
    return save ? QFileDialog::getSaveFileName(this, title, suggested, filter)
                : QFileDialog::getOpenFileName(this, title, QString(), filter);
}

void MainWindow::reportError(const QString &title, const QString &message)
{
    m_statusOutcome->setText(message);
    if (m_showMessage)
        m_showMessage(title, message);
    else
        QMessageBox::warning(this, title, message);
}

bool MainWindow::writeWorkbench(SessionWriter write, const QString &path, const QString &title)
{
    m_session->flush();
    QString error;
    if (!write(sessionFromWorkbench(*m_session, sessionBase(Session::startingNow())), path, &error)) {
        reportError(title, error);
        return false;
    }
    return true;
}

std::optional<Session> MainWindow::readIntoWorkbench(SessionReader read, const QString &path, const QString &title)
{
    QString error;
    std::optional<Session> session = read(path, &error);
    if (!session) {
        reportError(title, error);
        return std::nullopt;
    }
    showRows(rowsFromSession(*session));
    restorePolicyOf(*session);
    return session;
}

void MainWindow::restorePolicyOf(const Session &session)
{
    // The policy the exchanges were made under comes back with them (a HAR has none).
    if (session.serverPolicy.isEmpty())
        return;
    if (const auto policy = ServerPolicy::parse(session.serverPolicy))
        m_serverPanel->setPolicy(*policy);
}

void MainWindow::fillRecentMenu(QMenu *menu)
{
    menu->clear();
    const QStringList paths = RecentFiles::list();
    for (int i = 0; i < paths.size(); ++i) {
        const QString path = paths.at(i);
        QAction *a = menu->addAction(tr("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
                                     [this, path] { openRecent(path); });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (paths.isEmpty())
        menu->addAction(tr("No recent sessions"))->setEnabled(false);
    menu->addSeparator();
    QAction *clear = menu->addAction(tr("&Clear Recent"), this, [] { RecentFiles::clear(); });
    clear->setEnabled(!paths.isEmpty());
}

bool MainWindow::openRecent(const QString &path)
{
    if (!QFileInfo::exists(path)) {
        // Moved or deleted since: say so, and do not offer it again.
        RecentFiles::remove(path);
        reportError(tr("Open session"), tr("%1 no longer exists; it was taken off the recent list.").arg(path));
        return false;
    }
    if (!keepWorkBefore(tr("opening another session")))
        return false;
    return openSessionFrom(path);
}

Session MainWindow::sessionBase(Session base) const
{
    base.serverPolicy = m_server->policy().toString();
    base.probe = m_probe->reportToKeep();
    base.matrix = m_matrix->resultToKeep();
    return base;
}

bool MainWindow::saveSessionTo(const QString &path)
{
    if (!writeWorkbench(&saveSession, path, tr("Save session")))
        return false;
    m_sessionPath = path;
    RecentFiles::add(path);
    setUnsavedChanges(false);
    m_statusOutcome->setText(tr("Session saved to %1").arg(path));
    return true;
}

bool MainWindow::saveCurrentSession()
{
    const QString filter = sessionFileFilter();
    const QString path =
        m_sessionPath.isEmpty()
            ? askFile(true, tr("Save session"), QStringLiteral("session") + QLatin1String(kSessionSuffix), filter)
            : m_sessionPath;
    return !path.isEmpty() && saveSessionTo(path);
}

bool MainWindow::keepWorkBefore(const QString &what)
{
    m_session->flush();
    if (!m_unsavedChanges || !hasWork())
        return true;
    const int rows = m_session->model()->rowCount();
    const QString question = rows > 0
                                 ? tr("%n exchange(s) are not saved. Save them before %1?", nullptr, rows).arg(what)
                                 : tr("The probe or matrix results are not saved. Save them before %1?").arg(what);
    UnsavedChoice choice = UnsavedChoice::Cancel;
    if (m_askUnsaved) {
        choice = m_askUnsaved(question);
    } else {
        const auto button =
            QMessageBox::question(this, tr("Unsaved exchanges"), question,
                                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        choice = button == QMessageBox::Save      ? UnsavedChoice::Save
                 : button == QMessageBox::Discard ? UnsavedChoice::Discard
                                                  : UnsavedChoice::Cancel;
    }
    switch (choice) {
    case UnsavedChoice::Save: return saveCurrentSession(); // a failed or cancelled save keeps them here
    case UnsavedChoice::Discard: return true;
    case UnsavedChoice::Cancel: return false;
    }
    return false;
}

bool MainWindow::newSession()
{
    if (!keepWorkBefore(tr("starting a new session")))
        return false;
    m_session->clear();
    m_detail->showExchange(nullptr);
    clearToolTabs();
    m_sessionPath.clear();
    setUnsavedChanges(false);
    updateCounts();
    m_statusOutcome->setText(tr("New session"));
    return true;
}

void MainWindow::setUnsavedChanges(bool unsaved)
{
    m_unsavedChanges = unsaved;
    updateTitle();
}

void MainWindow::updateTitle()
{
    // "[*]" is where Qt shows the modified mark.
    const QString name = m_sessionPath.isEmpty() ? tr("Untitled session") : QFileInfo(m_sessionPath).fileName();
    setWindowTitle(tr("%1[*] — ExpectLab").arg(name));
    setWindowModified(m_unsavedChanges && hasWork());
}

void MainWindow::showRows(const WorkbenchRows &rows)
{
    m_session->loadRows(rows.records, rows.connections);
    // The server's event log comes back with the rows (issue 14), each line under its exchange.
    QList<ServerPanel::LoggedEvent> log;
    QHash<int, qint64> originOf; // exchange number -> its first event
    for (const ExchangeRecord &r : rows.records)
        originOf.insert(r.number, r.summary.startNs);
    for (const ServerConnectionRecord &c : rows.connections) {
        const int id = c.savedId ? c.savedId : c.id;
        const qint64 first = c.events.isEmpty() ? 0 : c.events.first().tNs;
        const qint64 origin = c.exchangeNumber ? originOf.value(c.exchangeNumber, first) : first;
        for (const TimelineEvent &e : c.events)
            log.append({e, c.exchangeNumber, id, std::min(origin, first)});
    }
    std::stable_sort(log.begin(), log.end(), [](const auto &a, const auto &b) { return a.event.tNs < b.event.tNs; });
    m_serverPanel->showLoadedLog(log);
    m_detail->showExchange(nullptr);
    if (!rows.records.isEmpty()) {
        const int last = rows.records.constLast().number;
        // Following new rows may have selected it already, and then no currentRowChanged comes.
        if (selectedNumber() == last)
            refreshDetail();
        else
            selectExchange(last);
    }
    updateCounts();
}

bool MainWindow::openSessionFrom(const QString &path)
{
    const std::optional<Session> opened = readIntoWorkbench(&loadSession, path, tr("Open session"));
    if (!opened)
        return false;
    m_sessionPath = path;
    RecentFiles::add(path);
    m_statusOutcome->setText(tr("Session %1 opened").arg(path));
    restoreToolsOf(*opened);
    setUnsavedChanges(false);
    return true;
}

bool MainWindow::importHarFrom(const QString &path)
{
    if (!readIntoWorkbench(&loadHar, path, tr("Import HAR")))
        return false;
    m_sessionPath.clear();    // Save must not overwrite the HAR with a session file
    setUnsavedChanges(false); // the HAR file has them
    m_statusOutcome->setText(tr("HAR %1 imported").arg(path));
    return true;
}

bool MainWindow::exportHarTo(const QString &path)
{
    if (!writeWorkbench(&saveHar, path, tr("Export HAR")))
        return false;
    m_statusOutcome->setText(tr("HAR written to %1").arg(path));
    return true;
}

bool MainWindow::exportEventsCsvTo(const QString &path)
{
    if (!writeWorkbench(&saveEventsCsv, path, tr("Export events")))
        return false;
    m_statusOutcome->setText(tr("Events written to %1").arg(path));
    return true;
}

bool MainWindow::exportPlotTo(Plot which, const QString &path)
{
    QCustomPlot *plot = which == Plot::Timeline ? m_detail->timeline()->plot() : m_overview->plot();
    const bool pdf = QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0;
    // A plot with no size yet (a hidden tab) is drawn at a readable default.
    const int width = plot->width() > 50 ? plot->width() : 1000;
    // Taller by the caption's rows, so that the plot itself keeps the size it has on screen.
    const int height = (plot->height() > 50 ? plot->height() : 600) + (which == Plot::Timeline ? 100 : 45);
    // The image names what it shows, which exchange or session, and when (issue 14).
    std::optional<PlotCaption> caption;
    const QString when = QDateTime::currentDateTime().toString(Qt::ISODate);
    if (which == Plot::Timeline) {
        const ExchangeRecord *r = m_session->model()->recordByNumber(selectedNumber());
        caption.emplace(plot,
                        r ? tr("ExpectLab · exchange %1 · %2 %3")
                                .arg(r->number)
                                .arg(displayText(r->summary.method), r->summary.url.toString())
                          : tr("ExpectLab timeline"),
                        r ? tr("%1\nstarted %2 · exported %3")
                                .arg(r->summary.outcomeText(), r->started.toString(Qt::ISODateWithMs), when)
                          : tr("exported %1").arg(when),
                        TimelineView::keyEntries());
    } else {
        m_overview->refreshNow();
        caption.emplace(
            plot, tr("ExpectLab · expect wait per exchange · %n exchange(s)", nullptr, m_session->model()->rowCount()),
            tr("%1 · exported %2")
                .arg(m_sessionPath.isEmpty() ? tr("unsaved session") : QFileInfo(m_sessionPath).fileName(), when));
    }
    QByteArray bytes;
    QString failure;
    if (pdf) {
        // QCustomPlot writes PDFs by file name only: write a temporary file, then copy it through
        // QSaveFile so that the target is either the old file or the whole new one.
        QTemporaryFile temp(QFileInfo(path).absoluteDir().filePath(QStringLiteral("expectlab-XXXXXX.pdf")));
        if (!temp.open()) {
            temp.setFileTemplate(QDir::temp().filePath(QStringLiteral("expectlab-XXXXXX.pdf")));
            if (!temp.open())
                failure = temp.errorString();
        }
        if (failure.isEmpty()) {
            temp.close();
            if (which == Plot::Overview)
                m_overview->setVectorScatters(true);
            const bool drawn = plot->savePdf(temp.fileName(), width, height);
            if (which == Plot::Overview)
                m_overview->setVectorScatters(false);
            if (!drawn)
                failure = tr("the plot could not be drawn as PDF");
            else if (temp.open())
                bytes = temp.readAll();
            else
                failure = temp.errorString();
        }
    } else {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (!plot->toPixmap(width, height).save(&buffer, "PNG"))
            failure = tr("the plot could not be drawn as PNG");
    }
    caption.reset();
    plot->replot(QCustomPlot::rpQueuedReplot); // the view on screen, without the caption
    if (failure.isEmpty() && bytes.isEmpty())
        failure = tr("the plot came out empty");
    if (failure.isEmpty()) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            failure = file.errorString();
    }
    if (!failure.isEmpty()) {
        reportError(tr("Export plot"), tr("Could not write %1: %2").arg(path, failure));
        return false;
    }
    m_statusOutcome->setText(tr("Plot written to %1").arg(path));
    return true;
}

bool MainWindow::copyAsCurl(CurlSource source)
{
    QString command;
    if (source == CurlSource::Selection) {
        const ExchangeRecord *record = m_session->model()->recordByNumber(selectedNumber());
        if (!record) {
            m_statusOutcome->setText(tr("Select an exchange to copy as curl."));
            return false;
        }
        command = curlCommandFor(requestFromSummary(record->summary));
    } else {
        QString error;
        const std::optional<ClientRequest> request = m_composer->request(&error);
        if (!request) {
            reportError(tr("Copy as curl"), error);
            return false;
        }
        command = curlCommandFor(*request, {.multiline = true});
    }
    QApplication::clipboard()->setText(command);
    m_statusOutcome->setText(tr("curl command copied"));
    return true;
}

bool MainWindow::pasteCurl(const QString &text)
{
    QString error;
    const std::optional<CurlParseResult> parsed = parseCurlCommand(text, &error);
    if (!parsed) {
        reportError(tr("Paste curl command"), error);
        return false;
    }
    m_composer->setRequest(parsed->request);
    m_statusOutcome->setText(parsed->warnings.isEmpty()
                                 ? tr("curl command pasted into the composer")
                                 : tr("curl command pasted: %1").arg(parsed->warnings.join(QStringLiteral("; "))));
    return true;
}

void MainWindow::startAutosave()
{
    const Session base = Session::startingNow();
    // The snapshot is taken on this thread: the policy is this side's copy.
    m_autosave = new Autosave([this, base] { return sessionFromWorkbench(*m_session, sessionBase(base)); }, this);
    connect(m_session, &WorkbenchSession::exchangesChanged, m_autosave, &Autosave::markChanged);
    connect(m_autosave, &Autosave::saveFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(message), 10000);
    });
    QString error;
    if (!m_autosave->start(&error))
        statusBar()->showMessage(tr("Autosave is off: %1").arg(error), 10000);
}

void MainWindow::offerAutosaveRestore()
{
    const QStringList leftovers = Autosave::leftovers();
    if (leftovers.isEmpty())
        return;
    // The newest is offered; older ones are discarded with it so the question comes once.
    const QString path = leftovers.constFirst();
    const QString question = tr("ExpectLab did not end normally last time. Restore the exchanges it had listed (%1)?")
                                 .arg(QFileInfo(path).lastModified().toString(Qt::TextDate));
    const bool yes = m_ask ? m_ask(tr("Restore session"), question)
                           : QMessageBox::question(this, tr("Restore session"), question) == QMessageBox::Yes;
    if (yes) {
        QString error;
        if (const std::optional<Session> session = Autosave::restore(path, &error)) {
            showRows(rowsFromSession(*session));
            restorePolicyOf(*session);
            restoreToolsOf(*session);
            m_statusOutcome->setText(tr("Session restored"));
        } else {
            reportError(tr("Restore session"), error);
        }
    }
    for (const QString &leftover : leftovers)
        Autosave::discard(leftover);
}

} // namespace expectlab
