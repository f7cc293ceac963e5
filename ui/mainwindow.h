#pragma once

#include "byteformat.h"

#include <QElapsedTimer>
#include <QMainWindow>

class QAction;
class QLabel;
class QSplitter;
class QTabWidget;
class QThread;
class QTableView;
class QTimer;

namespace expectlab {

class ComposerPanel;
class ExchangeDetail;
class OverviewPlot;
class ServerPanel;
class TestServer;
class WorkbenchSession;
struct ExchangeRecord;

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

    TestServer *server() const { return m_server; }
    WorkbenchSession *session() const { return m_session; }
    ComposerPanel *composer() const { return m_composer; }
    ServerPanel *serverPanel() const { return m_serverPanel; }
    QTableView *exchangeTable() const { return m_table; }
    OverviewPlot *overview() const { return m_overview; }
    ExchangeDetail *detail() const { return m_detail; }
    QTabWidget *toolTabs() const { return m_tabs; }
    QString outcomeText() const;
    int selectedNumber() const;
    void selectExchange(int number);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void restoreSettings();
    void startServerAtLaunch();
    void onServerStateChanged(const QString &message);
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
    QString plainError(const ExchangeRecord &record) const;

    QThread *m_networkThread;
    TestServer *m_server;
    WorkbenchSession *m_session;
    ServerPanel *m_serverPanel;
    ComposerPanel *m_composer;
    QTabWidget *m_tabs;
    QSplitter *m_mainSplitter;
    QSplitter *m_listSplitter;
    QTableView *m_table;
    OverviewPlot *m_overview;
    ExchangeDetail *m_detail;
    QLabel *m_statusServer;
    QLabel *m_statusCount;
    QLabel *m_statusOutcome;
    QAction *m_followAction = nullptr;
    QAction *m_startStopAction = nullptr;
    static constexpr int kLiveDetailIntervalMs = 250;
    QTimer *m_progressTimer;
    QTimer *m_detailTimer = nullptr;
    QElapsedTimer m_detailClock;
    RateMeter m_rate;
    int m_followNumber = 0;
    int m_progressNumber = 0;
    qint64 m_progressSent = 0;
    qint64 m_progressTotal = 0;
    QString m_lastServerUrl;
};

} // namespace expectlab
