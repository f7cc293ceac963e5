#pragma once

#include "probereport.h"

#include "tlssettings.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace expectlab {

class ProbeResultsModel;
class PartyThread;
class ProbeRunner;
class TimelineView;

// The Probe tab: URL, Run, a progress bar, the results table (verdict colours, rule ids), the
// selected scenario's evidence as a list and on a timeline, export as JSON and JUnit. Self-contained:
// the main window only adds it with addToolTab(new ProbeWidget, tr("Probe")).
class ProbeWidget : public QWidget
{
    Q_OBJECT
public:
    // How https:// URLs are trusted: the workbench trusts its own server's certificate (issue 15).
    void setTls(const ClientTlsSettings &tls) { m_tls = tls; }
    explicit ProbeWidget(QWidget *parent = nullptr);
    ~ProbeWidget() override;

    void setUrl(const QString &url);
    QString url() const;
    void setTimeoutMs(int ms);
    bool isRunning() const;
    const ProbeReport &report() const { return m_report; }
    ProbeResultsModel *resultsModel() const { return m_model; }
    QString statusText() const;

    // Shows a report from a session file as if it had just run; false (and nothing changes) while a
    // run is going. An empty report clears the tab.
    bool showReport(const ProbeReport &report);
    // The last report when there is one to keep (a run that finished with results or an error).
    std::optional<ProbeReport> reportToKeep() const;

    // Write the last report; false with a message in *error when the file cannot be written.
    bool exportJson(const QString &path, QString *error = nullptr) const;
    bool exportJUnit(const QString &path, QString *error = nullptr) const;

public slots:
    void run();
    void cancel();
    void selectScenario(int row);

signals:
    void runFinished();
    // The selected scenario's events, for any other timeline that wants them.
    void evidenceSelected(const QList<expectlab::TimelineEvent> &events);

private:
    ClientTlsSettings m_tls;
    void onScenarioStarted(int index, int count, const QString &id);
    void onScenarioFinished(int index, const ProbeResult &result);
    void onRunnerFinished(const ProbeReport &report);
    void dropRunner();
    void showEvidence(int row);
    void exportWithDialog(bool junit);
    void updateButtons();

    QLineEdit *m_url;
    QSpinBox *m_timeout;
    QPushButton *m_run;
    QPushButton *m_exportJson;
    QPushButton *m_exportJUnit;
    QProgressBar *m_progress;
    QLabel *m_status;
    QTableView *m_table;
    QListWidget *m_evidence;
    TimelineView *m_timeline;
    ProbeResultsModel *m_model;
    PartyThread *m_thread = nullptr; // made on the first run
    ProbeRunner *m_runner = nullptr; // lives in m_thread
    bool m_running = false;
    ProbeReport m_report;
};

} // namespace expectlab
