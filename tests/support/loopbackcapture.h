#pragma once

// A packet capture of loopback TCP (tshark, live, line by line): the outside view that recorded
// timestamps are held against in the timing test and bench_fidelity. Needs tshark and the right to
// capture (root, or the wireshark group).

#include <QHash>
#include <QList>
#include <QProcess>
#include <QString>
#include <QTcpServer>

#include <functional>

namespace testsupport {

struct Packet
{
    double timeS = 0; // capture clock, seconds since the epoch
    quint16 srcPort = 0;
    quint16 dstPort = 0;
    QByteArray payload; // TCP payload bytes; empty for pure ACKs, SYNs and FINs
};

// One exchange as the wire saw it, per client port, in capture seconds; -1 where it did not happen.
struct WireMoments
{
    double head = -1;    // first client packet with payload
    double body = -1;    // second client packet with payload (the body, when it came separately)
    double interim = -1; // first server packet starting "HTTP/1.x 100"
    double final = -1;   // first server packet starting "HTTP/1.x 2" to "HTTP/1.x 5"
};

class LoopbackCapture
{
public:
    LoopbackCapture() = default;
    ~LoopbackCapture() { stop(); }
    LoopbackCapture(const LoopbackCapture &) = delete;
    LoopbackCapture &operator=(const LoopbackCapture &) = delete;

    static QString program();
    // Starts capturing TCP to and from port on lo and returns once packets are seen (a connection to
    // a listener of its own proves the filter live); false with why when it cannot.
    bool start(quint16 port, QString *why, int timeoutMs = 20000);
    // After a failed start: tshark ran but saw no packet, as on a machine that forbids capturing.
    bool notPermitted() const { return m_notPermitted; }
    // Takes what tshark printed so far without waiting: a caller that blocks in something else (a
    // child process run to its end) calls it now and then, so tshark never stalls on a full pipe.
    void poll();
    // Reads packets until done(packets) holds, at most timeoutMs.
    bool waitFor(const std::function<bool(const QList<Packet> &)> &done, int timeoutMs = 10000);
    const QList<Packet> &packets() const { return m_packets; }
    void stop();

private:
    void readPackets();

    QProcess m_process;
    QTcpServer m_probe; // the listener whose connections show the capture is live
    QList<Packet> m_packets;
    bool m_notPermitted = false;
};

// Exchanges on serverPort by client port, from captured packets.
QHash<quint16, WireMoments> wireMoments(const QList<Packet> &packets, quint16 serverPort);

} // namespace testsupport
