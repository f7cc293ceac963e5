#include "exchangerunner.h"

#include "bytestream.h"
#include "monotonicclock.h"
#include "platformmemory.h"
#include "pump.h"
#include "streamfactory.h"

namespace expectlab {

ExchangeRunner::ExchangeRunner(int id, ClientRequest request, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_request(std::move(request))
{
    platform::keepLargeBuffersInHeap(); // each body slice is a fresh large buffer
    qRegisterMetaType<ExchangeSummary>();
}

ExchangeRunner::~ExchangeRunner()
{
    // The pump refers to the exchange: it goes first.
    delete m_pump;
}

bool ExchangeRunner::prepare(QString *error)
{
    const QString invalid = m_request.validate();
    if (!invalid.isEmpty()) {
        if (error)
            *error = invalid;
        return false;
    }
    QString openError;
    ClientUpload upload = makeClientUpload(m_id, m_request, &openError);
    if (!upload.exchange) {
        if (error)
            *error = openError;
        return false;
    }
    m_exchange = std::move(upload.exchange);
    m_feeder = std::move(upload.feeder);
    return true;
}

void ExchangeRunner::start()
{
    if (!m_exchange) {
        QString error;
        if (!prepare(&error)) {
            // Build an exchange anyway so that the failure is recorded like any other; no stream.
            m_exchange = std::make_unique<ClientExchange>(m_id, m_request, std::nullopt);
            m_exchange->start(monotonicNowNs());
            m_exchange->transportError(monotonicNowNs(), error, ErrorKind::InvalidRequest);
            if (m_exchange->wantsClose())
                m_exchange->transportClosed(monotonicNowNs());
            emitEvents();
            finish();
            return;
        }
    }
    startAttempt();
}

void ExchangeRunner::startAttempt()
{
    m_feeder->startAttempt(monotonicNowNs());
    if (m_exchange->isFinished()) { // the body could not be read again for the retry
        emitEvents();
        finish();
        return;
    }
    QString tlsError;
    ByteStream *stream = makeClientStream(m_request.url, m_request.tls, &tlsError);
    if (!stream) { // a --cacert file that cannot be used: the exchange fails before connecting
        m_exchange->transportError(monotonicNowNs(), tlsError, ErrorKind::InvalidRequest);
        if (m_exchange->wantsClose())
            m_exchange->transportClosed(monotonicNowNs());
        emitEvents();
        finish();
        return;
    }
    m_pump = new Pump(stream, m_feeder.get(), this);
    connect(m_pump, &Pump::eventRecorded, this, &ExchangeRunner::eventRecorded);
    connect(m_pump, &Pump::wrote, this,
            [this] { emit progress(m_exchange->bodySentThisAttempt(), m_exchange->bodySize()); });
    // Queued: the pump is still on the stack when it says it is finished.
    connect(m_pump, &Pump::finished, this, &ExchangeRunner::onAttemptFinished, Qt::QueuedConnection);
    stream->connectTo(m_request.url.host(), portOf(m_request.url));
    m_pump->start();
}

void ExchangeRunner::onAttemptFinished()
{
    delete std::exchange(m_pump, nullptr);
    if (m_exchange->wantsReconnect()) {
        startAttempt();
        return;
    }
    finish();
}

void ExchangeRunner::cancel()
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    m_exchange->cancel(monotonicNowNs());
    if (m_pump) {
        m_pump->pump();
    } else {
        if (m_exchange->wantsClose())
            m_exchange->transportClosed(monotonicNowNs());
        emitEvents();
        finish();
    }
}

void ExchangeRunner::emitEvents()
{
    for (const TimelineEvent &e : m_exchange->takeEvents())
        emit eventRecorded(e);
}

void ExchangeRunner::finish()
{
    if (m_finishedEmitted)
        return;
    m_finishedEmitted = true;
    emit concluded(m_exchange->summary());
    emit finished();
}

} // namespace expectlab
