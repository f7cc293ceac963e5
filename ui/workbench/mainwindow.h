#pragma once

#include "clientrequest.h"

#include "byteformat.h"
#include "session.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QDockWidget;
class QMenu;
class QLabel;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace expectlab {

class Autosave;
class ComposerPanel;
class ExchangeDetail;
class ExchangeListView;
class OverviewPlot;
class PartyThread;
class ProxyHost;
class ProxyPanel;
class ServerHost;
class MatrixWidget;
class ProbeWidget;
class ServerPanel;
class WorkbenchSession;
namespace platform {
class PreciseTiming;
}
struct ExchangeRecord;
struct WorkbenchRows;

// The workbench window: the local test server (right) and the client composer (left) side by side,
// the exchange list with its overview plot, and the selected exchange's timeline, wire and headers.
// Tools such as the probe add themselves as tabs of the central area with addToolTab().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void addToolTab(QWidget *tab, const QString &title);

    // Runs the composed request; a request that cannot be built shows why and returns 0.
    int send();
    void cancel();
    void saveSettings() const;

    ServerHost *server() const { return m_server; }
    PartyThread *clientThread() const { return m_clientThread; }
    WorkbenchSession *session() const { return m_session; }
    ComposerPanel *composer() const { return m_composer; }
    ServerPanel *serverPanel() const { return m_serverPanel; }
    ProxyHost *proxy() const { return m_proxy; }
    ProxyPanel *proxyPanel() const { return m_proxyPanel; }
    QTableView *exchangeTable() const { return m_table; }
    ExchangeListView *exchangeList() const { return m_list; }
    OverviewPlot *overview() const { return m_overview; }
    ExchangeDetail *detail() const { return m_detail; }
    QTabWidget *toolTabs() const { return m_tabs; }
    QString outcomeText() const;
    int selectedNumber() const;
    void selectExchange(int number);

    // Files (mainwindowfiles.cpp). Each takes a path so that tests drive it without a dialog; a
    // failure goes to the message seam below and leaves the list as it was.
    bool saveSessionTo(const QString &path);
    bool openSessionFrom(const QString &path);
    // File > Open Recent: a path that is gone is reported and taken off the list.
    bool openRecent(const QString &path);
    bool exportHarTo(const QString &path);
    bool importHarFrom(const QString &path);
    bool exportEventsCsvTo(const QString &path);
    enum class Plot { Timeline, Overview };
    // PNG or PDF by the path's suffix.
    bool exportPlotTo(Plot plot, const QString &path);
    // Edit > Copy as curl: the selected exchange's request when the list has the focus (or from
    // is Selection), else the composer's.
    enum class CurlSource { Composer, Selection };
    bool copyAsCurl(CurlSource source);
    bool pasteCurl(const QString &text);
    Autosave *autosave() const { return m_autosave; }
    // Offers the autosaves of earlier runs that did not end normally; call once the window shows.
    void offerAutosaveRestore();

    // Seams for tests: how the window asks for a file name, reports an error and asks a yes/no
    // question. The defaults use QFileDialog and QMessageBox.
    using FileAsker =
        std::function<QString(bool save, const QString &title, const QString &suggested, const QString &filter)>;
    using MessageShower = std::function<void(const QString &title, const QString &message)>;
    using Questioner = std::function<bool(const QString &title, const QString &question)>;
    void setFileAsker(FileAsker asker) { m_askFile = std::move(asker); }
    void setMessageShower(MessageShower shower) { m_showMessage = std::move(shower); }
    void setQuestioner(Questioner questioner) { m_ask = std::move(questioner); }
    // What to do with exchanges not saved yet before they would be replaced (Open, Import HAR,
    // New, Clear) or lost (Quit). The default asks with a QMessageBox.
    enum class UnsavedChoice { Save, Discard, Cancel };
    using UnsavedPrompt = std::function<UnsavedChoice(const QString &question)>;
    void setUnsavedPrompt(UnsavedPrompt prompt) { m_askUnsaved = std::move(prompt); }
    bool hasUnsavedChanges() const { return m_unsavedChanges; }
    QString sessionPath() const { return m_sessionPath; }
    // File > New Session: an empty list, once unsaved exchanges are saved or given up.
    bool newSession();

    // View > Precise Timing: keeps CPUs out of deep idle states (platform::PreciseTiming) so that
    // recorded times stay close to the wire. False, with a visible message, when not allowed.
    bool setPreciseTiming(bool on);
    bool isPreciseTiming() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void restoreSettings();
    void fitToScreen();
    enum class PreciseFailure { Dialog, StatusBar };
    bool applyPreciseTiming(bool on, PreciseFailure report);
    void onRealtimeChanged(bool on, bool ok, const QString &error);
    void failPreciseTiming(const QString &error);
    void startServerAtLaunch();
    void onServerStateChanged(const QString &message);
    // The recording proxy's dock and the composer's "through the local proxy" (mainwindowproxy.cpp).
    QDockWidget *buildProxyDock(QDockWidget *besides);
    int sendThroughProxy(const ClientRequest &request);
    void onProxyStateChanged(const QString &message);
    void aimProxyAtServer();
    void onExchangeStarted(int number);
    void onExchangeFinished(int number);
    void onExchangesChanged(const QList<int> &numbers);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onCurrentRowChanged();
    void refreshDetail();
    void updateProgress();
    void updateCounts();
    void exportSelected();
    void copySelected();
    void showAbout();
    void buildFileMenu(QMenu *file);
    void buildCurlActions(QMenu *edit);
    void buildPlotExportMenu(QMenu *menu);
    void startAutosave();
    void showRows(const WorkbenchRows &rows);
    void reportError(const QString &title, const QString &message);
    // The workbench's rows written by one of core's writers (session, HAR, CSV); reports failure.
    using SessionWriter = bool (*)(const Session &, const QString &, QString *);
    bool writeWorkbench(SessionWriter write, const QString &path, const QString &title);
    // A file read by one of core's readers (session, HAR) and shown; reports failure.
    using SessionReader = std::optional<Session> (*)(const QString &, QString *);
    // The session read, already shown; nullopt (reported) when it could not be read.
    std::optional<Session> readIntoWorkbench(SessionReader read, const QString &path, const QString &title);
    QString askFile(bool save, const QString &title, const QString &suggested, const QString &filter);
    QString plainError(const ExchangeRecord &record) const;

    ServerHost *m_server; // on its own thread
    ProxyHost *m_proxy;   // on its own thread too
    ProxyPanel *m_proxyPanel = nullptr;
    QLabel *m_statusProxy = nullptr;
    std::optional<ClientRequest> m_pendingProxied; // sent once the proxy listens
    bool m_proxyWasListening = false;
    PartyThread *m_clientThread; // the client's exchanges run here
    WorkbenchSession *m_session;
    ServerPanel *m_serverPanel;
    ComposerPanel *m_composer;
    QTabWidget *m_tabs;
    QSplitter *m_mainSplitter;
    QSplitter *m_listSplitter;
    ExchangeListView *m_list;
    QTableView *m_table; // m_list's
    OverviewPlot *m_overview;
    ExchangeDetail *m_detail;
    QLabel *m_statusServer;
    QLabel *m_statusCount;
    QLabel *m_statusOutcome;
    QAction *m_followAction = nullptr;
    QAction *m_preciseAction = nullptr;
    std::unique_ptr<platform::PreciseTiming> m_preciseTiming;
    PreciseFailure m_preciseReport = PreciseFailure::Dialog;
    bool m_aimAtFirstListen = false; // an empty URL gets the server's on its first listen
    QAction *m_startStopAction = nullptr;
    static constexpr int kLiveDetailIntervalMs = 250;
    static constexpr int kListLayoutVersion = 2; // of the saved exchange-list header state
    QTimer *m_progressTimer;
    QTimer *m_detailTimer = nullptr;
    QElapsedTimer m_detailClock;
    RateMeter m_rate;
    int m_followNumber = 0;
    int m_progressNumber = 0;
    qint64 m_progressSent = 0;
    qint64 m_progressTotal = 0;
    QString m_lastServerUrl;
    ProbeWidget *m_probe = nullptr;
    MatrixWidget *m_matrix = nullptr;
    int m_realtimeThreads = 0;     // of the two party threads, how many confirmed real-time priority
    QString m_sessionPath;         // the file of File > Save; empty until saved or opened
    bool m_unsavedChanges = false; // exchanges came or changed since the last save or open
    UnsavedPrompt m_askUnsaved;
    // True when the exchanges may go: nothing unsaved, saved now, or the user gives them up.
    bool keepWorkBefore(const QString &what);
    bool saveCurrentSession(); // File > Save: to the session's file, or asks for one
    void fillRecentMenu(QMenu *menu);
    static QString sessionFileFilter();
    // What a saved session records besides its rows: the server's policy.
    Session sessionBase(Session base) const;
    void restorePolicyOf(const Session &session);
    // The Probe and Matrix tabs are part of the session (issue 14): their last results are saved
    // with it, come back with it, and count as work that a New or Open must not lose.
    void connectToolTabs();
    void restoreToolsOf(const Session &session);
    void clearToolTabs();
    bool hasWork() const;
    void setUnsavedChanges(bool unsaved);
    void updateTitle();
    Autosave *m_autosave = nullptr;
    FileAsker m_askFile;
    MessageShower m_showMessage;
    Questioner m_ask;
};

} // namespace expectlab
