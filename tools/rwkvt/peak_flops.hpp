// The machine's measured f32 peak: independent FMA chains on every thread, at the widest vector
// width the CPU has. GEMM efficiency in `rwkvt bench` is reported against this figure.
#pragma once

namespace rwkvt::cli {

// GFLOP/s (a fused multiply-add counts two) of `threads` threads running FMAs for about `seconds`.
double measure_peak_gflops(int threads, double seconds);

}  // namespace rwkvt::cli
