#pragma once

#include "matrixspec.h"

#include "tlssettings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace expectlab {

class MatrixGridModel;
class MatrixRunner;
class PartyThread;
class TimelineView;

// The Matrix tab: every combination of client behaviours, server policies and body sizes, run one
// after the other (MatrixRunner), shown as a grid of outcomes and as charts per cell: the Expect wait
// (R5), the body bytes sent before the final response against what a client without Expect sends
// (R11), and the total time. A cell opened in the grid shows its timeline. The run has a thread of its
// own ("expectlab-matrix"): its timings never wait for a repaint; cells come back as values.
class MatrixWidget : public QWidget
{
    Q_OBJECT
public:
    // How https:// URLs are trusted: the workbench trusts its own server's certificate (issue 15).
    void setTls(const ClientTlsSettings &tls) { m_tls = tls; }
    // The local server's cells run over HTTPS with this identity (the Server panel's switch).
    void setLocalServerTls(const std::optional<ServerTlsIdentity> &identity) { m_localTls = identity; }
    explicit MatrixWidget(QWidget *parent = nullptr);
    ~MatrixWidget() override;

    // The spec the widgets describe, or nullopt with a message naming the bad field.
    std::optional<MatrixSpec> spec(QString *error) const;
    bool run();
    void cancel();
    bool exportJson(const QString &path);
    void openCell(const QModelIndex &index);

    // Shows a result from a session file as if it had just run; false (and nothing changes) while a
    // run is going. An empty result clears the tab.
    bool showResult(const MatrixResult &result);
    // The last result when it has cells to keep.
    std::optional<MatrixResult> resultToKeep() const;

    MatrixGridModel *grid() const { return m_grid; }
    bool isRunning() const { return m_running; }
    // The last run's result, complete once finished() came.
    const MatrixResult &result() const { return m_result; }
    TimelineView *timeline() const { return m_timeline; }
    QLineEdit *clientsEdit() const { return m_clientsExtra; }
    QLineEdit *policiesEdit() const { return m_policies; }
    QLineEdit *sizesEdit() const { return m_sizes; }
    QLineEdit *urlEdit() const { return m_url; }
    QList<QCheckBox *> clientBoxes() const { return m_clientBoxes; }
    QString statusText() const;
    // What a chart's bar at key (#1, #2, ...) stands for: its figure and the cell in full.
    QString chartTip(QCustomPlot *chart, int key) const;

signals:
    void cellStarted(int index, int total);
    void cellFinished(const expectlab::MatrixCell &cell);
    void finished();

private:
    ClientTlsSettings m_tls;
    std::optional<ServerTlsIdentity> m_localTls;
    void onCellFinished(const MatrixCell &cell);
    void onFinished(const MatrixResult &result);
    void updateCharts();
    void setRunning(bool running);
    void saveInputs() const;
    void restoreInputs();

    QList<QCheckBox *> m_clientBoxes;
    QLineEdit *m_clientsExtra;
    QLineEdit *m_policies;
    QLineEdit *m_sizes;
    QLineEdit *m_url;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QPushButton *m_export;
    QProgressBar *m_progress;
    QComboBox *m_figure;
    QLabel *m_status;
    QTableView *m_table;
    QCustomPlot *m_waitPlot;
    QCustomPlot *m_bytesPlot;
    QCustomPlot *m_timePlot;
    TimelineView *m_timeline;
    MatrixGridModel *m_grid;
    PartyThread *m_thread;
    MatrixRunner *m_runner; // lives in m_thread
    MatrixResult m_result;
    bool m_running = false;
};

} // namespace expectlab
