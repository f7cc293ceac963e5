#pragma once

#include <QString>
#include <QtGlobal>

namespace expectlab {

// "512 B", "1.5 KiB", "1.00 GiB": binary units, as the composer's size units are.
QString formatBytes(qint64 bytes);
// "850 MiB/s"
QString formatRate(double bytesPerSecond);

// "123", "64K", "64KiB", "10M", "1G", "2T" (binary units, as the command line's sizes); false for
// anything else, overflow included.
bool parseByteSize(const QString &text, qint64 *bytes);

enum class SizeUnit { B, KiB, MiB, GiB };
qint64 unitFactor(SizeUnit unit);

// Body upload rate over a sliding window, fed with (time, bytes sent so far).
class RateMeter
{
public:
    void reset();
    void add(qint64 nowNs, qint64 totalBytes);
    // Bytes per second over the last window; 0 until two samples are a few ms apart.
    double bytesPerSecond() const { return m_rate; }

private:
    static constexpr qint64 kWindowNs = 500'000'000;
    qint64 m_anchorNs = -1;
    qint64 m_anchorBytes = 0;
    qint64 m_lastNs = -1;
    qint64 m_lastBytes = 0;
    double m_rate = 0;
};

} // namespace expectlab
