#pragma once

#include <QString>

namespace expectlab::platform {

// Asks the operating system to keep CPUs out of deep idle states while this object lives, so that
// a thread waiting for a 100 Continue wakes within microseconds of its arrival rather than after
// the CPU (or, in a virtual machine, the host) has brought an idle core back. This is what
// cyclictest does; on an idle 2-core VM it took the p99 gap between our recorded times and a
// packet capture from 0.6 ms to 0.1 ms (bench_fidelity). It costs power: a CPU with nothing to do
// spins instead of sleeping, hence opt-in (--precise-timing). Linux: PM QoS via
// /dev/cpu_dma_latency, which only root may write by default; elsewhere: not supported.
class PreciseTiming
{
public:
    PreciseTiming() = default;
    ~PreciseTiming();
    PreciseTiming(const PreciseTiming &) = delete;
    PreciseTiming &operator=(const PreciseTiming &) = delete;

    // True when the request is in force; otherwise false and why in error.
    bool acquire(QString *error);
    void release();
    bool isActive() const { return m_handle >= 0; }

private:
    int m_handle = -1;
};

} // namespace expectlab::platform
