// libFuzzer target: the recording proxy's two sans-I/O halves fed together (issue 16). The relay
// joins the server core (the client's bytes) and the client core (the upstream's bytes); the input
// says, piece by piece, which side speaks, what it sends, when time passes and when a side closes or
// resets, and the proxy's output to each side is taken as the adapter would. The first byte picks
// the mode (and a forward proxy), the second whether upstream connects fail.
#include "proxyconnection.h"
#include "proxyids.h"

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

using namespace expectlab;

namespace {
// Takes what a party has to write, reporting it sent unless the peer is not reading.
void drain(Party &party, qint64 now, bool reading)
{
    for (int guard = 0; guard < 64; ++guard) {
        const QByteArray out = party.takeOutput(1 << 20, now);
        if (out.isEmpty())
            return;
        if (reading)
            party.streamSent(out.size(), now, 0);
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const ProxyMode modes[] = {ProxyMode::Transparent,  ProxyMode::Answer100,      ProxyMode::Buffer,
                                      ProxyMode::RejectExpect, ProxyMode::Http10Upstream, ProxyMode::Double100,
                                      ProxyMode::StripExpect};
    ProxyConfig config;
    config.mode = modes[data[0] % std::size(modes)];
    config.forward = (data[0] & 0x80) != 0;
    config.upstream = QUrl(QStringLiteral("http://127.0.0.1:8080/"));
    config.limits.maxHeadBytes = 4096;
    config.limits.maxBodyBytes = (data[0] & 0x40) ? 1000 : 0;
    config.spoolMemoryBytes = 256; // bigger bodies exercise the temporary file
    config.answerTimeoutMs = 50;
    config.expectTimeoutMs = 20;
    const bool refuseConnects = (data[1] & 1) != 0;
    ProxyIds ids;
    qint64 now = 1'000'000'000;
    ProxyConnection relay(1, config, &ids, now);
    relay.downstream().streamConnected(now, Endpoints{});
    bool upstreamOpen = false;
    bool downstreamOpen = true;

    auto settle = [&] {
        for (int round = 0; round < 16; ++round) {
            if (downstreamOpen) {
                Party &down = relay.downstream();
                if (down.wantsInput() && down.hasHeldInput())
                    down.resumeInput(now);
                drain(down, now, (round & 1) == 0);
                down.takeEvents();
                if (down.closeWish() == Party::CloseWish::Now) {
                    down.streamClosed(now);
                    down.takeEvents();
                    downstreamOpen = false;
                }
            }
            if (relay.wantsUpstreamConnection()) {
                relay.upstreamConnecting(now);
                if (refuseConnects) {
                    relay.upstream().streamFailed(now, QStringLiteral("refused"), ErrorKind::ConnectFailed);
                    relay.upstream().streamClosed(now);
                } else {
                    relay.upstream().streamConnected(now, Endpoints{});
                    upstreamOpen = true;
                }
            }
            if (upstreamOpen) {
                Party &up = relay.upstream();
                drain(up, now, true);
                up.takeEvents();
                if (up.closeWish() == Party::CloseWish::Now) {
                    up.streamClosed(now);
                    up.takeEvents();
                    upstreamOpen = false;
                }
            }
        }
    };

    // Pieces: a control byte (bit 0: which side; bits 1-2: data, time, close, reset), a length, bytes.
    size_t i = 2;
    while (i + 1 < size && downstreamOpen) {
        const uint8_t control = data[i];
        const size_t length = qMin<size_t>(data[i + 1], size - i - 2);
        const QByteArrayView bytes(reinterpret_cast<const char *>(data + i + 2), qsizetype(length));
        i += 2 + length;
        const bool fromUpstream = (control & 1) != 0;
        if (fromUpstream && !upstreamOpen)
            continue;
        Party &side = fromUpstream ? relay.upstream() : relay.downstream();
        switch ((control >> 1) & 3) {
        case 0: side.streamReceived(bytes, now); break;
        case 1:
            now += qint64(control >> 3) * 5'000'000;
            relay.downstream().advanceTime(now);
            if (upstreamOpen)
                relay.upstream().advanceTime(now);
            break;
        case 2: side.streamPeerClosed(now, false); break;
        case 3: side.streamFailed(now, QStringLiteral("reset"), ErrorKind::Reset); break;
        }
        settle();
    }
    // The end: time runs out on every deadline, both sides go.
    now += 120'000'000'000;
    if (downstreamOpen)
        relay.downstream().advanceTime(now);
    if (upstreamOpen)
        relay.upstream().advanceTime(now);
    settle();
    if (upstreamOpen) {
        relay.upstream().streamClosed(now);
        relay.upstream().takeEvents();
    }
    if (downstreamOpen) {
        relay.downstream().streamClosed(now);
        relay.downstream().takeEvents();
    }
    return 0;
}
