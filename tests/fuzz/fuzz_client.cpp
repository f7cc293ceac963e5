// libFuzzer target: response parsing plus the client exchange, fed arbitrary bytes after the head
// went out. The first byte picks the request's shape; reads are split by the second.
#include "bodyfeeder.h"
#include "clientexchange.h"

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

using namespace expectlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    ClientRequest request;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:9/fuzz"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = (data[0] & 1) ? 100000 : 10;
    request.chunked = data[0] & 2;
    request.retryWithoutExpect = data[0] & 4;
    request.method = (data[0] & 8) ? QByteArrayLiteral("HEAD") : QByteArray();
    request.expectTimeoutMs = (data[0] & 16) ? 0 : 1000;
    const size_t step = 1 + data[1] % 64;
    QString error;
    ClientUpload upload = makeClientUpload(1, request, &error);
    ClientExchange &exchange = *upload.exchange;
    BodyFeeder &feeder = *upload.feeder;
    qint64 now = 0;
    feeder.startAttempt(now);
    exchange.connected(now, {});
    const QByteArrayView input(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    for (qsizetype offset = 0; offset < input.size() && !exchange.isFinished(); offset += qsizetype(step)) {
        while (exchange.wantsToSend())
            exchange.sent(feeder.nextOutgoing(8192, now).size(), now);
        exchange.receive(input.sliced(offset, qMin<qsizetype>(qsizetype(step), input.size() - offset)), now);
        now += 10'000'000;
        exchange.advanceTime(now);
        if (exchange.wantsClose())
            exchange.transportClosed(now);
        if (exchange.wantsReconnect()) {
            feeder.startAttempt(now);
            exchange.connected(now, {});
        }
        exchange.takeEvents();
    }
    exchange.peerClosed(now + 1, data[0] & 32);
    exchange.transportClosed(now + 2);
    exchange.advanceTime(now + 100'000'000'000);
    exchange.summary().outcomeText();
    exchange.summary().outcomeCode();
    return 0;
}
