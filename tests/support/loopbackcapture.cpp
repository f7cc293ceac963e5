#include "loopbackcapture.h"

#include "peerprocess.h"

#include <QDeadlineTimer>
#include <QTcpSocket>

namespace testsupport {

QString LoopbackCapture::program()
{
    return findProgram(QStringLiteral("tshark"));
}

bool LoopbackCapture::start(quint16 port, QString *why, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    const QString tshark = program();
    if (tshark.isEmpty()) {
        *why = QStringLiteral("tshark is not installed");
        return false;
    }
    if (!m_probe.listen(QHostAddress::LocalHost, 0)) {
        *why = m_probe.errorString();
        return false;
    }
    // -l: a line per packet as it comes; fields, not a file, so the caller can wait for packets.
    m_process.start(tshark, {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-l"), QStringLiteral("-n"),
                             QStringLiteral("-f"),
                             QStringLiteral("tcp port %1 or tcp port %2").arg(port).arg(m_probe.serverPort()),
                             QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                             QStringLiteral("frame.time_epoch"), QStringLiteral("-e"), QStringLiteral("tcp.srcport"),
                             QStringLiteral("-e"), QStringLiteral("tcp.dstport"), QStringLiteral("-e"),
                             QStringLiteral("tcp.payload")});
    if (!m_process.waitForStarted(5000)) {
        *why = QStringLiteral("tshark did not start: %1").arg(m_process.errorString());
        return false;
    }
    // "Capturing on" comes a moment before the filter is live: connect to our own listener until a
    // packet of it shows up.
    const quint16 probePort = m_probe.serverPort();
    while (!deadline.hasExpired()) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, probePort);
        s.waitForConnected(1000);
        const bool live = waitFor(
            [probePort](const QList<Packet> &packets) {
                for (const Packet &p : packets)
                    if (p.dstPort == probePort || p.srcPort == probePort)
                        return true;
                return false;
            },
            500);
        s.abort();
        while (QTcpSocket *accepted = m_probe.nextPendingConnection())
            delete accepted;
        if (live) {
            m_packets.clear();
            return true;
        }
        if (m_process.state() != QProcess::Running)
            break;
    }
    m_notPermitted = true;
    *why = QStringLiteral("no packets captured on lo (no right to capture?): %1")
               .arg(QString::fromLocal8Bit(m_process.readAllStandardError()).trimmed());
    stop();
    return false;
}

void LoopbackCapture::poll()
{
    while (m_process.waitForReadyRead(0)) {
    }
    readPackets();
}

void LoopbackCapture::readPackets()
{
    while (m_process.canReadLine()) {
        const QList<QByteArray> f = m_process.readLine().trimmed().split('\t');
        if (f.size() < 3)
            continue;
        Packet p;
        p.timeS = f[0].toDouble();
        p.srcPort = f[1].toUShort();
        p.dstPort = f[2].toUShort();
        if (f.size() > 3)
            p.payload = QByteArray::fromHex(QByteArray(f[3]).replace(":", ""));
        m_packets.append(std::move(p));
    }
}

bool LoopbackCapture::waitFor(const std::function<bool(const QList<Packet> &)> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        readPackets();
        if (done(m_packets))
            return true;
        if (deadline.hasExpired() || m_process.state() != QProcess::Running)
            return false;
        m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }
}

void LoopbackCapture::stop()
{
    stopProcess(m_process);
}

QHash<quint16, WireMoments> wireMoments(const QList<Packet> &packets, quint16 serverPort)
{
    QHash<quint16, WireMoments> out;
    for (const Packet &p : packets) {
        if (p.payload.isEmpty())
            continue;
        if (p.dstPort == serverPort) {
            WireMoments &m = out[p.srcPort];
            if (m.head < 0)
                m.head = p.timeS;
            else if (m.body < 0)
                m.body = p.timeS;
        } else if (p.srcPort == serverPort) {
            // Every status line in the segment: a 100 and the final may share one.
            WireMoments &m = out[p.dstPort];
            for (qsizetype at = p.payload.indexOf("HTTP/1."); at >= 0; at = p.payload.indexOf("HTTP/1.", at + 1)) {
                const QByteArray status = p.payload.mid(at + 9, 3);
                if (status.size() != 3)
                    continue;
                if (status == "100" && m.interim < 0)
                    m.interim = p.timeS;
                else if (status.at(0) >= '2' && status.at(0) <= '5' && m.final < 0)
                    m.final = p.timeS;
            }
        }
    }
    return out;
}

} // namespace testsupport
