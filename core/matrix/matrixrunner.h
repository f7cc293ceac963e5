#pragma once

#include "clientrequest.h"
#include "matrixspec.h"

#include <QObject>
#include <QPointer>

class QTimer;

namespace expectlab {

class ExchangeRunner;
class ServerHost;

// Runs every cell of a MatrixSpec one after the other: for the local server it sets the cell's
// policy on its own server (127.0.0.1, any free port), which runs on a thread of its own
// (ServerHost) so that the client's work on this thread never delays its reads or timestamps; the
// client connects once the server says the policy is in force, and the next cell waits until the
// server's connection has closed, so no cell sees another's traffic. Cancel stops the running
// exchange and reports what was done.
class MatrixRunner : public QObject
{
    Q_OBJECT
public:
    explicit MatrixRunner(QObject *parent = nullptr);
    ~MatrixRunner() override;

    // False with a message when the spec is invalid or a run is in progress. The local server's
    // listen is answered later: startFailed when it cannot.
    bool start(const MatrixSpec &spec, QString *error = nullptr);
    // The same for a runner on another thread: start, or say why not with startFailed.
    void requestStart(const MatrixSpec &spec);
    void cancel();
    bool isRunning() const { return m_running; }
    // The local server's host (null for an external URL until a local run); for tests.
    const ServerHost *serverHost() const { return m_server; }
    const MatrixResult &result() const { return m_result; }

signals:
    void startFailed(const QString &error);
    void cellStarted(int index, int total);
    void cellFinished(const expectlab::MatrixCell &cell);
    void progress(int done, int total);
    void finished(const expectlab::MatrixResult &result); // also after a cancel (result.cancelled)

private:
    void serverStateChanged();
    void startCell();
    void startExchange(quint64 token);
    void exchangeFinished();
    void cellSettled();
    void finish();

    MatrixSpec m_spec;
    MatrixResult m_result;
    ServerHost *m_server = nullptr;
    bool m_awaitingListen = false;
    bool m_listenInFlight = false;
    bool m_cellPending = false; // started, its client not yet: waiting for the server's sync
    quint64 m_syncToken = 0;    // the cell's policy is in force when the server answers this one
    QString m_serverTlsSha256;  // the certificate the local server was last given; empty: plain HTTP
    ClientRequest m_cellRequest;
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
