#pragma once

#include "platformsocket.h"
#include "probereport.h"

#include <QObject>

#include <memory>

class QTcpSocket;
class QTimer;

namespace expectlab {

class ProbeExchange;

// Runs the battery's scenarios one after the other, each on a fresh QTcpSocket, moving bytes and
// time between the socket and a ProbeExchange. No protocol logic here.
class ProbeRunner : public QObject
{
    Q_OBJECT
public:
    // Empty scenarios: the whole battery for the URL.
    ProbeRunner(const QUrl &url, int timeoutMs, QObject *parent = nullptr);
    ~ProbeRunner() override;

    void setScenarios(const QList<ProbeScenario> &scenarios) { m_scenarios = scenarios; }
    int scenarioCount() const { return int(m_scenarios.size()); }
    void start();
    void cancel();
    bool isRunning() const { return m_running; }
    const ProbeReport &report() const { return m_report; }

signals:
    void scenarioStarted(int index, int count, const QString &id);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void scenarioFinished(int index, const expectlab::ProbeResult &result);
    void finished();

private:
    void startNext();
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onError();
    void onTimer();
    void pump();
    void pumpOnce();
    void endScenario();

    ProbeReport m_report;
    QList<ProbeScenario> m_scenarios;
    int m_index = -1;
    std::unique_ptr<ProbeExchange> m_exchange;
    QTcpSocket *m_socket = nullptr;
    QTimer *m_timer;
    QTimer *m_connectTimer;
    platform::CloseWatch m_closeWatch;
    bool m_pumping = false;
    qint64 m_written = 0;  // bytes given to the scenario's socket
    qint64 m_reported = 0; // of those, reported to the exchange as in the kernel
    bool m_running = false;
};

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::ProbeResult)
