#include "bodyfeeder.h"

#include <QCoreApplication>

namespace expectlab {

BodyFeeder::BodyFeeder(ClientExchange &exchange, std::unique_ptr<BodySource> body)
    : m_exchange(exchange)
    , m_body(std::move(body))
{}

void BodyFeeder::startAttempt(qint64 nowNs)
{
    if (m_exchange.wantsReconnect() && m_body) {
        QString error;
        if (!m_body->rewind(&error)) {
            m_exchange.bodyFailed(nowNs, error);
            return;
        }
    }
    m_exchange.start(nowNs);
}

QByteArray BodyFeeder::nextOutgoing(qint64 budget, qint64 nowNs)
{
    if (!m_exchange.wantsToSend())
        return {};
    QByteArray out = m_exchange.nextOutgoing(nowNs);
    if (!out.isEmpty())
        return out;
    const qint64 wanted = m_exchange.bodyWanted();
    if (wanted <= 0 || !m_body)
        return {};
    const QByteArray slice = m_body->read(qBound<qint64>(1, budget, wanted));
    if (slice.isEmpty()) {
        const qint64 sent = m_exchange.bodySentThisAttempt();
        m_exchange.bodyFailed(
            nowNs, QCoreApplication::translate("ClientExchange", "reading the body failed after %1 bytes: %2")
                       .arg(sent)
                       .arg(m_body->errorString()));
        return {};
    }
    m_exchange.pushBody(slice, nowNs);
    return m_exchange.nextOutgoing(nowNs);
}

ClientUpload makeClientUpload(int id, ClientRequest request, QString *error)
{
    std::unique_ptr<BodySource> body = openBodySource(request.body, error);
    if (request.body.hasBody() && !body)
        return {};
    const std::optional<qint64> size = body ? std::optional(body->size()) : std::nullopt;
    ClientUpload upload;
    upload.exchange = std::make_unique<ClientExchange>(id, std::move(request), size);
    upload.feeder = std::make_unique<BodyFeeder>(*upload.exchange, std::move(body));
    return upload;
}

} // namespace expectlab
