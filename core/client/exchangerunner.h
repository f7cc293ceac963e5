#pragma once

#include "bodyfeeder.h"
#include "clientexchange.h"

#include <QObject>

#include <memory>

namespace expectlab {

class Pump;

// Runs one ClientExchange: a Pump over a new TcpStream for each attempt, driving the exchange
// through its BodyFeeder (a retry without Expect
// after a 417 is a new connection, R6), progress as the body leaves. No protocol logic here and no
// socket calls.
class ExchangeRunner : public QObject
{
    Q_OBJECT
public:
    ExchangeRunner(int id, ClientRequest request, QObject *parent = nullptr);
    ~ExchangeRunner() override;

    // Validates the request and opens the body; false with a message when it cannot start.
    bool prepare(QString *error);
    void start();
    void cancel();

    const ClientExchange &exchange() const { return *m_exchange; }
    bool isFinished() const { return m_exchange && m_exchange->isFinished(); }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);
    void progress(qint64 bodyBytesSent, qint64 bodyBytesTotal);
    // The exchange's summary, as a value for another thread, just before finished().
    void concluded(const expectlab::ExchangeSummary &summary);
    void finished();

private:
    void startAttempt();
    void onAttemptFinished();
    void emitEvents();
    void finish();

    int m_id;
    ClientRequest m_request;
    std::unique_ptr<ClientExchange> m_exchange;
    std::unique_ptr<BodyFeeder> m_feeder; // moves the body into m_exchange
    Pump *m_pump = nullptr;               // this attempt's
    bool m_finishedEmitted = false;
};

} // namespace expectlab
