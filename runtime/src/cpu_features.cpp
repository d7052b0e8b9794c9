#include "cpu_features.hpp"

namespace rwkvt::rt::kernels {

bool cpu_can_run(const std::string& variant) {
#if defined(__x86_64__)
    // __builtin_cpu_supports also checks that the operating system saves the AVX and AVX-512
    // registers (XCR0), not only that the CPU has the instructions.
    __builtin_cpu_init();
    const bool sse41 = __builtin_cpu_supports("sse4.1");
    const bool avx2 = sse41 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                      __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    const bool skylake = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512dq");
    // Halide 14 compiles its avx512_sapphirerapids feature for LLVM's "sapphirerapids" CPU, which
    // includes AVX512-FP16: the generated code uses FP16 instructions (vmovw to build vectors of
    // 16-bit values, for one). AMD's Zen 4 and Zen 5 have AVX512-BF16 but not FP16, and die there
    // with SIGILL, so the variant needs FP16 too.
    const bool sapphire_rapids = skylake && __builtin_cpu_supports("avx512ifma") && __builtin_cpu_supports("avx512vbmi") &&
                                 __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bf16") &&
                                 __builtin_cpu_supports("avx512fp16");
    if (variant == "sse41") return sse41;
    if (variant == "avx2") return avx2;
    if (variant == "avx512") return skylake;
    if (variant == "avx512_bf16") return sapphire_rapids;
    return false;
#elif defined(__aarch64__)
    return variant == "arm64";
#else
    (void)variant;
    return false;
#endif
}

}  // namespace rwkvt::rt::kernels
