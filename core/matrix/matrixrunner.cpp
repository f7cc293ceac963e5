#include "matrixrunner.h"

#include "exchangerunner.h"
#include "monotonicclock.h"
#include "serverhost.h"

#include <QTimer>

namespace expectlab {

namespace {
// A server connection lingers after an early final response (ServerConnection::kLingerNs); a cell
// waits for it at most this long, then moves on.
constexpr int kSettleLimitMs = 3000;

qint64 firstAttemptBodyBytes(const ExchangeSummary &s)
{
    if (s.wireLogs.isEmpty())
        return s.bodyBytesSent;
    qint64 n = 0;
    for (const WireLog::Record &r : s.wireLogs.first().records()) {
        if (r.direction == WireLog::Direction::Sent && r.body)
            n += r.byteCount;
    }
    return n;
}
} // namespace

MatrixRunner::MatrixRunner(QObject *parent)
    : QObject(parent)
    , m_settleTimer(new QTimer(this))
{
    m_settleTimer->setSingleShot(true);
    connect(m_settleTimer, &QTimer::timeout, this, &MatrixRunner::cellSettled);
}

MatrixRunner::~MatrixRunner() = default;

bool MatrixRunner::start(const MatrixSpec &spec, QString *error)
{
    if (m_running) {
        if (error)
            *error = tr("a matrix run is already in progress");
        return false;
    }
    const QString invalid = spec.validate();
    if (!invalid.isEmpty()) {
        if (error)
            *error = invalid;
        return false;
    }
    m_spec = spec;
    m_result = MatrixResult();
    m_result.spec = spec;
    m_index = 0;
    m_cancelRequested = false;
    if (!spec.isExternal()) {
        if (!m_server) {
            m_server = new ServerHost(this);
            connect(m_server, &ServerHost::eventRecorded, this,
                    [this](const TimelineEvent &e) { m_serverEvents.append(e); });
            connect(m_server, &ServerHost::connectionCountChanged, this, [this](int count) {
                if (count == 0 && m_settleTimer->isActive()) {
                    m_settleTimer->stop();
                    cellSettled();
                }
            });
            connect(m_server, &ServerHost::stateChanged, this, &MatrixRunner::serverStateChanged);
            connect(m_server, &ServerHost::synced, this, &MatrixRunner::startExchange);
        }
    }
    m_running = true;
    if (!spec.isExternal() && !m_server->isListening()) {
        m_awaitingListen = true;                    // serverStateChanged starts the first cell
        if (!std::exchange(m_listenInFlight, true)) // a run cancelled and started again asks once
            m_server->listen(QHostAddress::LocalHost, 0);
        return true;
    }
    // Start from the event loop, so that a caller can connect to the first signals after start().
    QTimer::singleShot(0, this, &MatrixRunner::startCell);
    return true;
}

void MatrixRunner::serverStateChanged()
{
    m_listenInFlight = false;
    if (!m_awaitingListen)
        return;
    m_awaitingListen = false;
    if (m_server->isListening()) {
        startCell();
        return;
    }
    m_running = false;
    emit startFailed(tr("the matrix's local server cannot listen: %1").arg(m_server->errorString()));
}

void MatrixRunner::requestStart(const MatrixSpec &spec)
{
    QString error;
    if (!start(spec, &error))
        emit startFailed(error);
}

void MatrixRunner::cancel()
{
    if (!m_running)
        return;
    m_cancelRequested = true;
    if (m_awaitingListen) {
        m_awaitingListen = false;
        QTimer::singleShot(0, this, &MatrixRunner::finish);
    } else if (m_runner && !m_runner->isFinished()) {
        m_runner->cancel();
    } else if (!m_runner && !m_cellPending) {
        QTimer::singleShot(0, this, &MatrixRunner::finish);
    }
}

void MatrixRunner::startCell()
{
    if (!m_running)
        return;
    const int total = m_spec.cellCount();
    if (m_cancelRequested || m_index >= total) {
        finish();
        return;
    }
    const int perClient = m_spec.policyCount() * int(m_spec.sizes.size());
    const int clientIndex = m_index / perClient;
    const int policyIndex = (m_index % perClient) / int(m_spec.sizes.size());
    const int sizeIndex = m_index % int(m_spec.sizes.size());

    ClientRequest request;
    request.url = m_spec.url; // the local server's is set when the client starts (startExchange)
    request.tls = m_spec.tls;
    request.method = m_spec.method;
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = m_spec.sizes.at(sizeIndex);
    request.timeoutMs = m_spec.timeoutMs;
    m_spec.clients.at(clientIndex).applyTo(&request);

    m_serverEvents.clear();
    m_cellStartNs = monotonicNowNs();
    emit cellStarted(m_index, total);
    m_cellRequest = request;
    m_cellPending = true;
    if (m_spec.isExternal()) {
        startExchange(m_syncToken);
        return;
    }
    // The client connects once the server has the cell's policy (and its TLS identity, when that
    // changed since the last run): the requests cross threads in order, the sync answers after them.
    const QString wantedTls = m_spec.localTls ? m_spec.localTls->sha256() : QString();
    if (wantedTls != m_serverTlsSha256) {
        m_server->setTls(m_spec.localTls);
        m_serverTlsSha256 = wantedTls;
    }
    m_server->setPolicy(m_spec.policies.at(policyIndex));
    m_server->sync(++m_syncToken);
}

void MatrixRunner::startExchange(quint64 token)
{
    if (!m_running || token != m_syncToken || m_runner || !m_cellPending)
        return;
    m_cellPending = false;
    if (!m_spec.isExternal()) {
        m_cellRequest.url = QUrl(m_server->url()); // the server's answer to the sync is its state now
        if (m_spec.localTls && m_cellRequest.tls == ClientTlsSettings())
            m_cellRequest.tls = m_server->state().clientTrust(); // its own certificate, nothing else
    }
    m_runner = new ExchangeRunner(m_nextExchangeId++, m_cellRequest, this);
    connect(m_runner, &ExchangeRunner::finished, this, &MatrixRunner::exchangeFinished, Qt::QueuedConnection);
    m_runner->start();
    // A cancel while the policy crossed over: the started cell is recorded as cancelled, as any other.
    if (m_cancelRequested && !m_runner->isFinished())
        m_runner->cancel();
}

void MatrixRunner::exchangeFinished()
{
    if (!m_server || m_server->connectionCount() == 0) {
        cellSettled();
        return;
    }
    m_settleTimer->start(kSettleLimitMs);
}

void MatrixRunner::cellSettled()
{
    if (!m_runner)
        return;
    const int perClient = m_spec.policyCount() * int(m_spec.sizes.size());
    MatrixCell cell;
    cell.clientIndex = m_index / perClient;
    cell.policyIndex = (m_index % perClient) / int(m_spec.sizes.size());
    cell.sizeIndex = m_index % int(m_spec.sizes.size());
    cell.client = m_spec.clients.at(cell.clientIndex);
    if (!m_spec.isExternal())
        cell.policy = m_spec.policies.at(cell.policyIndex);
    cell.size = m_spec.sizes.at(cell.sizeIndex);
    cell.summary = m_runner->exchange().summary();
    cell.serverEvents = m_serverEvents;
    cell.expectWaitNs = cell.summary.expectWaitNs;
    cell.bodyBytesSent = cell.summary.bodyBytesSent;
    cell.bodyBytesBeforeFinal = firstAttemptBodyBytes(cell.summary);
    cell.totalNs = cell.summary.durationNs();
    m_runner->deleteLater();
    m_runner = nullptr;

    m_result.cells.append(cell);
    m_result.computeSavings();
    ++m_index;
    emit cellFinished(m_result.cells.last());
    emit progress(int(m_result.cells.size()), m_spec.cellCount());
    QTimer::singleShot(0, this, &MatrixRunner::startCell);
}

void MatrixRunner::finish()
{
    if (!m_running)
        return;
    m_running = false;
    m_cellPending = false;
    m_settleTimer->stop();
    m_result.cancelled = m_cancelRequested && m_result.cells.size() < m_spec.cellCount();
    m_result.computeSavings();
    emit finished(m_result);
}

} // namespace expectlab
