// platform::PreciseTiming: the PM QoS request is in force exactly while it is held.
#include "platformlatency.h"

#include <QFile>
#include <QTest>

#include <cstdint>
#include <optional>

using namespace expectlab;

namespace {
// The system-wide wake-up latency in force, in microseconds (Linux reports it on read).
std::optional<std::int32_t> latencyInForce()
{
    QFile f(QStringLiteral("/dev/cpu_dma_latency"));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return std::nullopt;
    std::int32_t value = -1;
    if (f.read(reinterpret_cast<char *>(&value), sizeof value) != sizeof value)
        return std::nullopt;
    return value;
}
} // namespace

class TestPreciseTiming : public QObject
{
    Q_OBJECT
private slots:
    void heldWhileAlive();
    void failureSaysWhy();
};

void TestPreciseTiming::heldWhileAlive()
{
    const auto before = latencyInForce();
    if (!before)
        QSKIP("/dev/cpu_dma_latency is not readable here (not Linux, or not root)");
    {
        platform::PreciseTiming timing;
        QString error;
        QVERIFY2(timing.acquire(&error), qPrintable(error));
        QVERIFY(timing.isActive());
        QVERIFY(timing.acquire(&error)); // a second call keeps the one request
        QCOMPARE(latencyInForce().value_or(-1), 0);
    }
    // Released with the object: back to what was in force before (another holder may remain).
    QCOMPARE(latencyInForce().value_or(-1), *before);
}

void TestPreciseTiming::failureSaysWhy()
{
    platform::PreciseTiming timing;
    QString error;
    if (timing.acquire(&error)) {
        timing.release();
        QVERIFY(!timing.isActive());
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY(!timing.isActive());
        QVERIFY2(error.contains(QLatin1String("cpu_dma_latency")) || error.contains(QLatin1String("platform")), qPrintable(error));
    }
}

QTEST_GUILESS_MAIN(TestPreciseTiming)
#include "tst_precisetiming.moc"
