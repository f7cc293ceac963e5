#include "byteformat.h"

#include <QRegularExpression>

#include <limits>

namespace expectlab {

bool parseByteSize(const QString &text, qint64 *bytes)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d+)\\s*([kKmMgGtT]?)(i?[bB])?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    bool ok = false;
    qint64 n = m.captured(1).toLongLong(&ok);
    if (!ok)
        return false;
    const QString unit = m.captured(2).toUpper();
    int shift = 0;
    if (unit == QLatin1String("K"))
        shift = 10;
    else if (unit == QLatin1String("M"))
        shift = 20;
    else if (unit == QLatin1String("G"))
        shift = 30;
    else if (unit == QLatin1String("T"))
        shift = 40;
    if (shift > 0 && n > (std::numeric_limits<qint64>::max() >> shift))
        return false;
    *bytes = n << shift;
    return true;
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    const int decimals = value < 10 ? 2 : (value < 100 ? 1 : 0);
    return QStringLiteral("%1 %2").arg(value, 0, 'f', decimals).arg(QLatin1String(units[unit]));
}

QString formatRate(double bytesPerSecond)
{
    return formatBytes(qint64(bytesPerSecond)) + QStringLiteral("/s");
}

qint64 unitFactor(SizeUnit unit)
{
    switch (unit) {
    case SizeUnit::B: return 1;
    case SizeUnit::KiB: return 1024;
    case SizeUnit::MiB: return 1024 * 1024;
    case SizeUnit::GiB: return qint64(1024) * 1024 * 1024;
    }
    return 1;
}

void RateMeter::reset()
{
    *this = RateMeter();
}

void RateMeter::add(qint64 nowNs, qint64 totalBytes)
{
    if (m_anchorNs < 0 || totalBytes < m_lastBytes) {
        m_anchorNs = m_lastNs = nowNs;
        m_anchorBytes = m_lastBytes = totalBytes;
        m_rate = 0;
        return;
    }
    m_lastNs = nowNs;
    m_lastBytes = totalBytes;
    const qint64 spanNs = m_lastNs - m_anchorNs;
    if (spanNs >= 5'000'000)
        m_rate = double(m_lastBytes - m_anchorBytes) * 1e9 / double(spanNs);
    // Slide the window so the rate follows changes instead of averaging the whole upload.
    if (spanNs > kWindowNs) {
        m_anchorNs = m_lastNs - kWindowNs / 2;
        m_anchorBytes = m_lastBytes - qint64(m_rate * double(kWindowNs / 2) / 1e9);
    }
}

} // namespace expectlab
