#pragma once

#include <QByteArray>
#include <QList>

namespace expectlab {

// A bounded record of the bytes one connection carried each way, with timestamps. Heads are kept
// whole; consecutive body bytes in one direction fold into one summarised record, so a 4 GiB upload
// costs a few hundred bytes here.
class WireLog
{
public:
    enum class Direction { Sent, Received };
    struct Record
    {
        Direction direction = Direction::Sent;
        qint64 firstNs = 0;
        qint64 lastNs = 0;
        qint64 byteCount = 0; // bytes this record stands for
        QByteArray bytes;     // the bytes kept: all of a head, a prefix of a body
        bool body = false;

        bool truncated() const { return byteCount > bytes.size(); }
    };

    static constexpr qsizetype kBodyPreview = 256;
    static constexpr qsizetype kDefaultCapacity = 256 * 1024;
    // Records at most: a keep-alive connection can carry millions of small messages.
    static constexpr qsizetype kMaxRecords = 4096;

    explicit WireLog(qsizetype capacity = kDefaultCapacity)
        : m_capacity(capacity)
    {}

    // byteCount: the bytes data stands for, when data is only their beginning (a body's preview).
    void add(Direction direction, qint64 tNs, QByteArrayView data, bool body, qint64 byteCount = -1);
    // Rebuilds a log from saved records (sessions): the records are taken as they are.
    static WireLog fromRecords(QList<Record> records, qsizetype capacity = kDefaultCapacity, qint64 droppedRecords = 0,
                               qint64 droppedSent = 0, qint64 droppedReceived = 0);
    qsizetype capacity() const { return m_capacity; }

    const QList<Record> &records() const { return m_records; }
    // Everything that went each way, kept or not.
    qint64 totalBytes(Direction direction) const;
    // What the full log no longer recorded: how many pieces, and their bytes each way.
    qint64 droppedRecords() const { return m_droppedRecords; }
    qint64 droppedBytes(Direction direction) const
    {
        return direction == Direction::Sent ? m_droppedSent : m_droppedReceived;
    }
    bool isFull() const { return m_kept >= m_capacity || m_records.size() >= kMaxRecords; }
    // A readable dump: one block per record, timestamps in ms relative to originNs.
    QString toText(qint64 originNs) const;

private:
    QList<Record> m_records;
    qsizetype m_capacity;
    qsizetype m_kept = 0;
    qint64 m_droppedRecords = 0;
    qint64 m_droppedSent = 0;
    qint64 m_droppedReceived = 0;
};

} // namespace expectlab
