// The machine's measured peaks: independent FMA (or bf16 dot-product) chains on every thread, at
// the widest vector width the CPU has. GEMM efficiency in `rwkvt bench` is reported against them.
#pragma once

namespace rwkvt::cli {

// GFLOP/s (a fused multiply-add counts two) of `threads` threads running FMAs for about `seconds`.
double measure_peak_gflops(int threads, double seconds);

// The same with vdpbf16ps chains (each lane's pair is two multiply-adds: four flops): the peak of
// the bf16 GEMMs of the variants whose bf16 products are "vdpbf16ps" (or "amx", for one token).
// Only where such a variant runs.
double measure_peak_bf16_gflops(int threads, double seconds);
// The AMX tile unit's bf16 peak (full 16 x 16 x 32 tile products, operands in tile registers): the
// physical limit of the avx512_amx variant's GEMMs of several tokens. Only where that variant runs
// (the process then has the operating system's leave to use the tiles).
double measure_peak_amx_gflops(int threads, double seconds);

}  // namespace rwkvt::cli
