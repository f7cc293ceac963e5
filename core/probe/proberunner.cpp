#include "proberunner.h"

#include "bytestream.h"
#include "monotonicclock.h"
#include "probebattery.h"
#include "probeexchange.h"
#include "pump.h"
#include "streamfactory.h"

#include <QTimer>

namespace expectlab {

ProbeRunner::ProbeRunner(const QUrl &url, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_connectTimer(new QTimer(this))
{
    qRegisterMetaType<ProbeResult>();
    qRegisterMetaType<ProbeReport>();
    m_report.url = url;
    m_report.timeoutMs = timeoutMs;
    m_scenarios = probe::battery(probe::targetFromUrl(url, timeoutMs));
    m_connectTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        if (!m_exchange || !m_pump)
            return;
        m_exchange->connectFailed(monotonicNowNs(), tr("no connection to %1:%2 within %3 ms")
                                                        .arg(m_report.url.host())
                                                        .arg(portOf(m_report.url))
                                                        .arg(m_report.timeoutMs));
        m_pump->pump();
    });
}

ProbeRunner::~ProbeRunner()
{
    dropScenario();
}

void ProbeRunner::start()
{
    if (m_running)
        return;
    m_running = true;
    m_index = -1;
    m_report.results.clear();
    m_report.error.clear();
    m_report.tls.reset();
    startNext();
}

void ProbeRunner::cancel()
{
    if (!m_running)
        return;
    dropScenario();
    m_report.error = tr("cancelled");
    finish();
}

void ProbeRunner::finish()
{
    m_running = false;
    emit reported(m_report);
    emit finished();
}

void ProbeRunner::dropScenario()
{
    m_connectTimer->stop();
    // The pump refers to the exchange: it goes first.
    delete std::exchange(m_pump, nullptr);
    m_exchange.reset();
}

void ProbeRunner::startNext()
{
    ++m_index;
    if (m_index >= m_scenarios.size()) {
        finish();
        return;
    }
    const ProbeScenario &scenario = m_scenarios.at(m_index);
    emit scenarioStarted(m_index, int(m_scenarios.size()), scenario.id);
    const QString host = m_report.url.host();
    const quint16 port = portOf(m_report.url);
    QString streamError;
    ByteStream *stream = makeClientStream(m_report.url, m_tls, &streamError);
    if (!stream) {
        // A bad --cacert file: nothing can run, and every scenario would say the same.
        m_report.error = streamError;
        finish();
        return;
    }
    m_exchange = std::make_unique<ProbeExchange>(m_index + 1, scenario.steps, monotonicNowNs(),
                                                 QStringLiteral("%1:%2").arg(host).arg(port));
    m_pump = new Pump(stream, m_exchange.get(), this);
    connect(m_pump, &Pump::eventRecorded, this, &ProbeRunner::eventRecorded);
    // Queued: the pump is still on the stack when it says it is finished.
    connect(m_pump, &Pump::finished, this, &ProbeRunner::endScenario, Qt::QueuedConnection);
    connect(stream, &ByteStream::connected, m_connectTimer, &QTimer::stop);
    // One server, one certificate: the first handshake's facts stand for the run.
    connect(stream, &ByteStream::connected, this, [this, stream] {
        if (!m_report.tls)
            m_report.tls = stream->tlsFacts();
    });
    m_connectTimer->start(m_report.timeoutMs);
    stream->connectTo(host, port);
    m_pump->start();
}

void ProbeRunner::endScenario()
{
    if (!m_exchange)
        return;
    const ProbeObservation obs = m_exchange->observation();
    dropScenario();
    const ProbeResult result = probe::makeResult(m_scenarios.at(m_index), obs, m_report.results);
    m_report.results.append(result);
    emit scenarioFinished(m_index, result);
    if (obs.connectFailed && m_index == 0) {
        // Unreachable: one clear error rather than a table of identical failures.
        m_report.results.clear();
        m_report.error = obs.error;
        finish();
        return;
    }
    // Next scenario from the event loop, so a caller's slot never runs inside another's.
    QTimer::singleShot(0, this, &ProbeRunner::startNext);
}

} // namespace expectlab
