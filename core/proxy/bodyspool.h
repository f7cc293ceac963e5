#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

class QTemporaryFile;

namespace expectlab {

// A request body the proxy reads whole before it sends anything upstream (mode buffer, or a chunked
// body for an HTTP/1.0 hop): the first bytes stay in memory, the rest goes to a temporary file that
// is removed with the spool, so that a 1 GiB upload never sits in memory. Written once, then read
// back once from the start.
class BodySpool
{
public:
    explicit BodySpool(qint64 memoryBytes);
    ~BodySpool();
    BodySpool(const BodySpool &) = delete;
    BodySpool &operator=(const BodySpool &) = delete;

    // False, with a sentence in error, when the temporary file cannot take the bytes.
    bool append(QByteArrayView data, QString *error);
    qint64 size() const { return m_size; }
    bool onDisk() const { return m_file != nullptr; }
    QString filePath() const;

    // Reading back, from the first byte: up to maxBytes; empty at the end or on a read error (error
    // says which).
    QByteArray read(qint64 maxBytes, QString *error);
    qint64 remaining() const { return m_size - m_readPos; }

private:
    qint64 m_memoryBytes;
    QByteArray m_memory;
    std::unique_ptr<QTemporaryFile> m_file;
    qint64 m_size = 0;
    qint64 m_readPos = 0;
};

} // namespace expectlab
