#pragma once

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <memory>

namespace expectlab {

// Where a request body comes from. Bodies are streamed in slices: a 4 GiB file or generated body is
// never held in memory.
struct BodySpec
{
    enum class Kind { None, Text, File, Generated };
    Kind kind = Kind::None;
    QByteArray text;
    QString filePath;
    qint64 generatedSize = 0;

    bool hasBody() const { return kind != Kind::None; }
    QString describe() const;
};

class BodySource
{
public:
    virtual ~BodySource() = default;
    virtual qint64 size() const = 0;
    // Up to maxBytes of the body from the current position; empty at the end or on a read error.
    virtual QByteArray read(qint64 maxBytes) = 0;
    // Back to the first byte, for a retry. False with a message when that is impossible.
    virtual bool rewind(QString *error) = 0;
    virtual QString errorString() const { return {}; }
};

// Opens the source a spec describes; nullptr with a message in error when it cannot (unreadable file).
std::unique_ptr<BodySource> openBodySource(const BodySpec &spec, QString *error);

class BytesBodySource : public BodySource
{
public:
    explicit BytesBodySource(QByteArray bytes)
        : m_bytes(std::move(bytes))
    {}
    qint64 size() const override { return m_bytes.size(); }
    QByteArray read(qint64 maxBytes) override;
    bool rewind(QString *) override
    {
        m_pos = 0;
        return true;
    }

private:
    QByteArray m_bytes;
    qint64 m_pos = 0;
};

// N bytes of a repeating printable pattern, served from one shared block without copying.
class GeneratedBodySource : public BodySource
{
public:
    explicit GeneratedBodySource(qint64 size);
    qint64 size() const override { return m_size; }
    QByteArray read(qint64 maxBytes) override;
    bool rewind(QString *) override
    {
        m_pos = 0;
        return true;
    }

private:
    qint64 m_size;
    qint64 m_pos = 0;
};

class FileBodySource : public BodySource
{
public:
    explicit FileBodySource(const QString &path);
    bool open(QString *error);
    qint64 size() const override { return m_size; }
    QByteArray read(qint64 maxBytes) override;
    bool rewind(QString *error) override;
    QString errorString() const override { return m_error; }

private:
    QFile m_file;
    qint64 m_size = 0;
    QString m_error;
    // Slices handed out earlier; one the socket has let go of is read into again, so a long upload
    // does not allocate (and fault in) a fresh buffer per slice.
    QList<QByteArray> m_buffers;
};

} // namespace expectlab
