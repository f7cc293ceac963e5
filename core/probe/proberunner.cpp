#include "proberunner.h"

#include "monotonicclock.h"
#include "probebattery.h"
#include "probeexchange.h"

#include <QTcpSocket>
#include <QTimer>

namespace expectlab {

ProbeRunner::ProbeRunner(const QUrl &url, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
    , m_connectTimer(new QTimer(this))
{
    m_report.url = url;
    m_report.timeoutMs = timeoutMs;
    m_scenarios = probe::battery(probe::targetFromUrl(url, timeoutMs));
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    m_connectTimer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &ProbeRunner::onTimer);
    connect(m_connectTimer, &QTimer::timeout, this, [this] {
        if (!m_exchange)
            return;
        m_exchange->connectFailed(monotonicNowNs(), tr("no connection to %1:%2 within %3 ms")
                                                        .arg(m_report.url.host())
                                                        .arg(m_report.url.port(80))
                                                        .arg(m_report.timeoutMs));
        pump();
    });
}

ProbeRunner::~ProbeRunner() = default;

void ProbeRunner::start()
{
    if (m_running)
        return;
    m_running = true;
    m_index = -1;
    m_report.results.clear();
    m_report.error.clear();
    startNext();
}

void ProbeRunner::cancel()
{
    if (!m_running)
        return;
    m_timer->stop();
    m_connectTimer->stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_closeWatch.release();
    m_exchange.reset();
    m_report.error = tr("cancelled");
    m_running = false;
    emit finished();
}

void ProbeRunner::startNext()
{
    ++m_index;
    if (m_index >= m_scenarios.size()) {
        m_running = false;
        emit finished();
        return;
    }
    const ProbeScenario &scenario = m_scenarios.at(m_index);
    emit scenarioStarted(m_index, int(m_scenarios.size()), scenario.id);
    const QString host = m_report.url.host();
    const int port = m_report.url.port(80);
    m_exchange = std::make_unique<ProbeExchange>(m_index + 1, scenario.steps, monotonicNowNs(),
                                                 QStringLiteral("%1:%2").arg(host).arg(port));
    m_socket = new QTcpSocket(this);
    m_written = m_reported = 0;
    connect(m_socket, &QTcpSocket::connected, this, &ProbeRunner::onConnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ProbeRunner::pump);
    connect(m_socket, &QTcpSocket::readyRead, this, &ProbeRunner::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ProbeRunner::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ProbeRunner::onError);
    m_connectTimer->start(m_report.timeoutMs);
    m_socket->connectToHost(host, quint16(port));
    pump();
}

void ProbeRunner::onConnected()
{
    m_connectTimer->stop();
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_closeWatch.watch(m_socket->socketDescriptor());
    m_exchange->connected(monotonicNowNs());
    pump();
}

void ProbeRunner::onReadyRead()
{
    if (!m_exchange)
        return;
    while (m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->readAll();
        if (data.isEmpty())
            break;
        m_exchange->receive(data, monotonicNowNs());
    }
    pump();
}

void ProbeRunner::onDisconnected()
{
    if (!m_exchange)
        return;
    onReadyRead();
    if (m_exchange)
        m_exchange->peerClosed(monotonicNowNs(), m_closeWatch.wasReset());
    pump();
}

void ProbeRunner::onError()
{
    if (!m_exchange || !m_socket)
        return;
    const qint64 now = monotonicNowNs();
    if (m_socket->state() != QAbstractSocket::ConnectedState && m_exchange->observation().connectedNs == 0) {
        m_connectTimer->stop();
        m_exchange->connectFailed(now, tr("cannot connect to %1:%2: %3")
                                           .arg(m_report.url.host())
                                           .arg(m_report.url.port(80))
                                           .arg(m_socket->errorString()));
    } else if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
        onReadyRead();
        if (m_exchange)
            m_exchange->peerClosed(now, m_closeWatch.wasReset());
    } else {
        m_exchange->transportError(now, m_socket->errorString());
    }
    pump();
}

void ProbeRunner::onTimer()
{
    if (!m_exchange)
        return;
    m_exchange->advanceTime(monotonicNowNs());
    pump();
}

void ProbeRunner::pump()
{
    // flush() below emits bytesWritten, which calls back in here: the outer call does the rest.
    if (!m_exchange || m_pumping)
        return;
    m_pumping = true;
    pumpOnce();
    m_pumping = false;
}

void ProbeRunner::pumpOnce()
{
    for (const TimelineEvent &e : m_exchange->takeEvents())
        emit eventRecorded(e);
    const QByteArray out = m_exchange->takeOutgoing();
    if (!out.isEmpty() && m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_written += qMax<qint64>(0, m_socket->write(out));
        m_socket->flush(); // into the kernel now: the step's time is when its bytes left
    }
    if (m_socket) {
        const qint64 handed = m_written - m_socket->bytesToWrite();
        if (handed > m_reported) {
            m_exchange->sent(handed - m_reported, monotonicNowNs());
            m_reported = handed;
        }
        for (const TimelineEvent &e : m_exchange->takeEvents())
            emit eventRecorded(e);
    }
    if (m_exchange->isFinished()) {
        endScenario();
        return;
    }
    if (const auto deadline = m_exchange->nextDeadlineNs()) {
        const qint64 waitNs = qMax<qint64>(0, *deadline - monotonicNowNs());
        m_timer->start(int((waitNs + 999'999) / 1'000'000));
    } else {
        m_timer->stop();
    }
}

void ProbeRunner::endScenario()
{
    m_timer->stop();
    m_connectTimer->stop();
    const ProbeObservation obs = m_exchange->observation();
    m_exchange.reset();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_closeWatch.release();
    const ProbeResult result = probe::makeResult(m_scenarios.at(m_index), obs, m_report.results);
    m_report.results.append(result);
    emit scenarioFinished(m_index, result);
    if (obs.connectFailed && m_index == 0) {
        // Unreachable: one clear error rather than a table of identical failures.
        m_report.results.clear();
        m_report.error = obs.error;
        m_running = false;
        emit finished();
        return;
    }
    // Next scenario from the event loop, so a caller's slot never runs inside another's.
    QTimer::singleShot(0, this, &ProbeRunner::startNext);
}

} // namespace expectlab
