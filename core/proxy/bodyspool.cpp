#include "bodyspool.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryFile>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("BodySpool", text);
}
} // namespace

BodySpool::BodySpool(qint64 memoryBytes)
    : m_memoryBytes(memoryBytes)
{}

BodySpool::~BodySpool() = default; // QTemporaryFile removes its file

QString BodySpool::filePath() const
{
    return m_file ? m_file->fileName() : QString();
}

bool BodySpool::append(QByteArrayView data, QString *error)
{
    if (data.isEmpty())
        return true;
    if (!m_file && m_memory.size() + data.size() <= m_memoryBytes) {
        m_memory.append(data);
        m_size += data.size();
        return true;
    }
    if (!m_file) {
        auto file = std::make_unique<QTemporaryFile>(QDir::tempPath() + QStringLiteral("/expectlab-body-XXXXXX"));
        if (!file->open()) {
            *error =
                tr("cannot create a temporary file for the body in %1: %2").arg(QDir::tempPath(), file->errorString());
            return false;
        }
        m_file = std::move(file);
    }
    if (m_file->write(data.data(), data.size()) != data.size()) {
        *error = tr("cannot write the body to %1: %2").arg(m_file->fileName(), m_file->errorString());
        return false;
    }
    m_size += data.size();
    return true;
}

QByteArray BodySpool::read(qint64 maxBytes, QString *error)
{
    if (maxBytes <= 0 || m_readPos >= m_size)
        return {};
    if (m_readPos < m_memory.size()) {
        const QByteArray part = m_memory.mid(m_readPos, qMin<qint64>(maxBytes, m_memory.size() - m_readPos));
        m_readPos += part.size();
        return part;
    }
    const qint64 filePos = m_readPos - m_memory.size();
    if (m_file->pos() != filePos && !m_file->seek(filePos)) {
        *error = tr("cannot read the body back from %1: %2").arg(m_file->fileName(), m_file->errorString());
        return {};
    }
    const QByteArray part = m_file->read(qMin(maxBytes, m_size - m_readPos));
    if (part.isEmpty()) {
        *error = tr("cannot read the body back from %1: %2").arg(m_file->fileName(), m_file->errorString());
        return {};
    }
    m_readPos += part.size();
    return part;
}

} // namespace expectlab
