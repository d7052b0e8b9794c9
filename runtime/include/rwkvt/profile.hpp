// Per-kernel timing for benchmarks: when enabled, every kernel call adds its wall time and its
// floating-point operation count (multiply-adds count two) to a per-kernel total.
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

struct KernelTiming {
    std::string kernel;
    long calls = 0;
    double seconds = 0.0;
    double flops = 0.0;
};

void set_kernel_profiling(bool enabled);
void reset_kernel_timings();
std::vector<KernelTiming> kernel_timings();

}  // namespace rwkvt
