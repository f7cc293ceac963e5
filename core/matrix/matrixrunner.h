#pragma once

#include "matrixspec.h"

#include <QObject>
#include <QPointer>

class QTimer;

namespace expectlab {

class ExchangeRunner;
class TestServer;

// Runs every cell of a MatrixSpec one after the other: for the local server it sets the cell's
// policy on its own TestServer (127.0.0.1, any free port) and waits until the server's connection
// has closed before the next cell, so no cell sees another's traffic. Cancel stops the running
// exchange and reports what was done.
class MatrixRunner : public QObject
{
    Q_OBJECT
public:
    explicit MatrixRunner(QObject *parent = nullptr);
    ~MatrixRunner() override;

    // False with a message when the spec is invalid or the local server cannot listen.
    bool start(const MatrixSpec &spec, QString *error = nullptr);
    // The same for a runner on another thread: start, or say why not with startFailed.
    void requestStart(const MatrixSpec &spec);
    void cancel();
    bool isRunning() const { return m_running; }
    const MatrixResult &result() const { return m_result; }

signals:
    void startFailed(const QString &error);
    void cellStarted(int index, int total);
    void cellFinished(const expectlab::MatrixCell &cell);
    void progress(int done, int total);
    void finished(const expectlab::MatrixResult &result); // also after a cancel (result.cancelled)

private:
    void startCell();
    void exchangeFinished();
    void cellSettled();
    void finish();

    MatrixSpec m_spec;
    MatrixResult m_result;
    TestServer *m_server = nullptr;
    QPointer<ExchangeRunner> m_runner;
    QTimer *m_settleTimer;
    int m_index = 0;
    int m_nextExchangeId = 1;
    bool m_running = false;
    bool m_cancelRequested = false;
    qint64 m_cellStartNs = 0;
    QList<TimelineEvent> m_serverEvents;
};

} // namespace expectlab
