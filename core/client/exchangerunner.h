#pragma once

#include "clientexchange.h"
#include "platformsocket.h"

#include <QObject>

#include <memory>

class QTcpSocket;
class QTimer;

namespace expectlab {

// Runs one ClientExchange over QTcpSocket: connects, pumps the head and the body as the socket
// drains, feeds received bytes and timer ticks back. No protocol logic here.
class ExchangeRunner : public QObject
{
    Q_OBJECT
public:
    // Keeps the socket's send queue short so that memory stays flat and Cancel acts at once.
    static constexpr qint64 kWriteWindow = 1 << 20;
    static constexpr qint64 kSliceSize = 256 * 1024;

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
    void finished();

private:
    void connectSocket();
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onError();
    void onTimer();
    void pump();

    int m_id;
    ClientRequest m_request;
    std::unique_ptr<ClientExchange> m_exchange;
    QTcpSocket *m_socket = nullptr;
    QTimer *m_timer;
    platform::CloseWatch m_closeWatch;
    qint64 m_written = 0;  // bytes given to the socket of this attempt
    qint64 m_reported = 0; // of those, reported to the exchange as in the kernel
    bool m_finishedEmitted = false;
    bool m_pumping = false;
};

} // namespace expectlab
