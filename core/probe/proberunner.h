#pragma once

#include "probereport.h"
#include "tlssettings.h"

#include <QObject>

#include <memory>

class QTimer;

namespace expectlab {

class ProbeExchange;
class Pump;

// Runs the battery's scenarios one after the other, each a ProbeExchange driven by a Pump over a
// fresh client stream (TCP, or TLS for https://). No protocol logic here and no socket calls.
class ProbeRunner : public QObject
{
    Q_OBJECT
public:
    // Empty scenarios: the whole battery for the URL.
    ProbeRunner(const QUrl &url, int timeoutMs, QObject *parent = nullptr);
    ~ProbeRunner() override;

    void setScenarios(const QList<ProbeScenario> &scenarios) { m_scenarios = scenarios; }
    // How https:// URLs are trusted (--insecure, --cacert); the system store by default.
    void setTls(const ClientTlsSettings &tls) { m_tls = tls; }
    int scenarioCount() const { return int(m_scenarios.size()); }
    void start();
    void cancel();
    bool isRunning() const { return m_running; }
    const ProbeReport &report() const { return m_report; }

signals:
    void scenarioStarted(int index, int count, const QString &id);
    void eventRecorded(const expectlab::TimelineEvent &event);
    void scenarioFinished(int index, const expectlab::ProbeResult &result);
    // The report, as a value for another thread, just before finished().
    void reported(const expectlab::ProbeReport &report);
    void finished();

private:
    void startNext();
    void endScenario();
    void dropScenario();
    void finish();

    ProbeReport m_report;
    ClientTlsSettings m_tls;
    QList<ProbeScenario> m_scenarios;
    int m_index = -1;
    std::unique_ptr<ProbeExchange> m_exchange;
    Pump *m_pump = nullptr; // the scenario's; refers to m_exchange
    QTimer *m_connectTimer;
    bool m_running = false;
};

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::ProbeResult)
Q_DECLARE_METATYPE(expectlab::ProbeReport)
