#include "wirelog.h"

#include <QString>

#include <algorithm>

namespace expectlab {

void WireLog::add(Direction direction, qint64 tNs, QByteArrayView data, bool body, qint64 byteCount)
{
    const qint64 count = qMax<qint64>(byteCount, data.size());
    if (count == 0)
        return;
    if (body && !m_records.isEmpty() && m_droppedRecords == 0) {
        Record &last = m_records.last();
        if (last.body && last.direction == direction) {
            last.lastNs = tNs;
            last.byteCount += count;
            const qsizetype room = qMin(kBodyPreview - last.bytes.size(), m_capacity - m_kept);
            if (room > 0) {
                const qsizetype n = qMin(room, data.size());
                last.bytes.append(data.first(n));
                m_kept += n;
            }
            return;
        }
    }
    if (isFull()) {
        // Bounded: the rest is counted, not kept, and toText() says so.
        ++m_droppedRecords;
        (direction == Direction::Sent ? m_droppedSent : m_droppedReceived) += count;
        return;
    }
    Record r;
    r.direction = direction;
    r.firstNs = r.lastNs = tNs;
    r.byteCount = count;
    r.body = body;
    const qsizetype limit = body ? kBodyPreview : data.size();
    const qsizetype n = qMax<qsizetype>(0, std::min({limit, data.size(), m_capacity - m_kept}));
    r.bytes = data.first(n).toByteArray();
    m_kept += n;
    m_records.append(std::move(r));
}

WireLog WireLog::fromRecords(QList<Record> records, qsizetype capacity, qint64 droppedRecords, qint64 droppedSent,
                             qint64 droppedReceived)
{
    WireLog log(capacity);
    log.m_droppedRecords = droppedRecords;
    log.m_droppedSent = droppedSent;
    log.m_droppedReceived = droppedReceived;
    for (const Record &r : records)
        log.m_kept += r.bytes.size();
    log.m_records = std::move(records);
    return log;
}

qint64 WireLog::totalBytes(Direction direction) const
{
    qint64 total = droppedBytes(direction);
    for (const Record &r : m_records) {
        if (r.direction == direction)
            total += r.byteCount;
    }
    return total;
}

QString WireLog::toText(qint64 originNs) const
{
    QString out;
    for (const Record &r : m_records) {
        const double ms = double(r.firstNs - originNs) / 1e6;
        out += QStringLiteral("%1 %2 ms  %3 bytes%4\n")
                   .arg(r.direction == Direction::Sent ? QStringLiteral(">>") : QStringLiteral("<<"))
                   .arg(ms, 10, 'f', 3)
                   .arg(r.byteCount)
                   .arg(r.body ? QStringLiteral(" (body)") : QString());
        if (r.body) {
            out += QString::fromLatin1(r.bytes.left(64).toPercentEncoding(" !\"#$%&'()*+,-./:;<=>?@[]^_`{|}~"));
            if (r.truncated())
                out += QStringLiteral(" [... %1 more body bytes until %2 ms]")
                           .arg(r.byteCount - qMin<qint64>(64, r.bytes.size()))
                           .arg(double(r.lastNs - originNs) / 1e6, 0, 'f', 3);
            out += QLatin1Char('\n');
        } else {
            out += QString::fromLatin1(r.bytes);
            if (r.truncated())
                out += QStringLiteral("[... %1 bytes not kept: wire log full]\n").arg(r.byteCount - r.bytes.size());
        }
    }
    if (m_droppedRecords > 0) {
        out += QStringLiteral("[... %1 more pieces not kept: wire log full (%2 bytes sent, %3 received)]\n")
                   .arg(m_droppedRecords)
                   .arg(m_droppedSent)
                   .arg(m_droppedReceived);
    }
    return out;
}

} // namespace expectlab
