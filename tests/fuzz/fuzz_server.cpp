// libFuzzer target: request parsing plus the server's connection handler, fed arbitrary bytes.
// The first input byte picks the policy, the second the read size, so splits and policies vary
// with the input; time advances between reads so deadlines fire too.
#include "serverconnection.h"

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

using namespace expectlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const char *policies[] = {"continue",       "delay:5",
                                     "ignore",         "reject",
                                     "final:413",      "close",
                                     "continue-twice", "continue-after-body",
                                     "interim:103",    "reject-after-body",
                                     "garbage",        "close-mid-body",
                                     "silent"};
    const auto policy = ServerPolicy::parse(QString::fromLatin1(policies[data[0] % std::size(policies)]));
    const size_t step = 1 + data[1] % 64;
    ServerLimits limits;
    limits.maxHeadBytes = 4096;
    limits.maxBodyBytes = (data[0] & 0x80) ? 100 : 0;
    ServerConnection conn(1, *policy, 0, limits);
    qint64 now = 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    for (qsizetype offset = 0; offset < input.size(); offset += qsizetype(step)) {
        conn.receive(input.sliced(offset, qMin<qsizetype>(qsizetype(step), input.size() - offset)), now);
        now += 1'000'000;
        conn.advanceTime(now);
        // Alternate between output that leaves at once and output that waits (an unread peer).
        const QByteArray out = conn.takeOutgoing();
        if ((offset / qsizetype(step)) % 2 == 0)
            conn.sent(out.size(), now);
        conn.takeEvents();
        if (conn.closeMode() == ServerConnection::CloseMode::Now)
            break;
    }
    conn.advanceTime(now + 60'000'000'000);
    conn.peerClosed(now + 60'000'000'001);
    conn.transportClosed(now + 60'000'000'002);
    conn.takeEvents();
    return 0;
}
