// platform::PreciseTiming: the PM QoS request is in force exactly while it is held.
#include "platformlatency.h"

#include <QFile>
#include <QTest>
#include <QThread>

#ifdef Q_OS_LINUX
#include <sched.h>
#endif

#include <cstdint>
#include <memory>
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
    void threadRealtimeAndBack();
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
    // A device that cannot be opened stands for any refusal (as root the real one opens).
    const QString missing = QStringLiteral("/nonexistent/cpu_dma_latency");
    platform::PreciseTiming timing(missing);
    QString error;
    QVERIFY(!timing.acquire(&error));
    QVERIFY(!timing.isActive());
#ifdef Q_OS_LINUX
    QVERIFY2(error.contains(missing) && error.contains(QLatin1String("No such file")), qPrintable(error));
#else
    QVERIFY2(error.contains(QLatin1String("not supported")), qPrintable(error));
#endif
    timing.release(); // harmless when nothing is held
    QVERIFY(!timing.isActive());
}

void TestPreciseTiming::threadRealtimeAndBack()
{
#ifdef Q_OS_LINUX
    QString error;
    if (!platform::setThreadRealtime(true, &error)) {
        QVERIFY2(error.contains(QLatin1String("real-time")), qPrintable(error));
        QCOMPARE(sched_getscheduler(0), SCHED_OTHER);
        QSKIP("real-time priority is not allowed here (not root)");
    }
    QCOMPARE(sched_getscheduler(0), SCHED_FIFO);
    // A thread started now inherits it: the CLI relies on that for threads Qt starts later.
    int inherited = -1;
    std::unique_ptr<QThread> thread(QThread::create([&] { inherited = sched_getscheduler(0); }));
    thread->start();
    QVERIFY(thread->wait(10000));
    QCOMPARE(inherited, SCHED_FIFO);
    QVERIFY(platform::setThreadRealtime(false, &error));
    QCOMPARE(sched_getscheduler(0), SCHED_OTHER);
#else
    QVERIFY(!platform::setThreadRealtime(true, nullptr));
#endif
}

QTEST_GUILESS_MAIN(TestPreciseTiming)
#include "tst_precisetiming.moc"
