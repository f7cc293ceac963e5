#pragma once

#include <QString>

namespace expectlab::platform {

// Precise timing has two halves, both what cyclictest does, both opt-in (--precise-timing, View >
// Precise Timing) because they cost power and fairness, and both Linux-only and root-only by default:
//
// PreciseTiming keeps CPUs out of deep idle states while it lives (PM QoS, /dev/cpu_dma_latency),
// so that a thread waiting for a 100 Continue wakes within microseconds of its arrival rather than
// after an idle core (in a virtual machine, a halted vCPU) has come back.
//
// setThreadRealtime() gives the calling thread a low real-time priority (SCHED_FIFO), so that a
// busy machine does not keep it waiting for a time slice while it holds a timestamp to take.
// Threads it starts afterwards inherit the priority; the kernel's real-time throttling still leaves
// other programs 5 % of each core should it spin.
//
// bench_fidelity on a 2-core VM: recorded times vs a packet capture at p99 0.6 ms -> 0.2 ms idle,
// 4 ms -> 0.2 ms with both cores busy elsewhere.
class PreciseTiming
{
public:
    PreciseTiming() = default;
    // Another PM QoS device than the system's (tests: a path that cannot be opened).
    explicit PreciseTiming(QString device)
        : m_device(std::move(device))
    {}
    ~PreciseTiming();
    PreciseTiming(const PreciseTiming &) = delete;
    PreciseTiming &operator=(const PreciseTiming &) = delete;

    // True when the request is in force; otherwise false and why in error.
    bool acquire(QString *error);
    void release();
    bool isActive() const { return m_handle >= 0; }

private:
    QString m_device = QStringLiteral("/dev/cpu_dma_latency");
    int m_handle = -1;
};

// Real-time priority for the calling thread (on) or back to normal scheduling (off). False, with
// why in error, when not allowed.
bool setThreadRealtime(bool on, QString *error);

} // namespace expectlab::platform
