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
    // Halide 14 compiles its avx512_sapphirerapids feature for LLVM's "sapphirerapids" CPU, whose
    // instruction set also has AVX512-FP16 and AVX-VNNI, which AMD's Zen 4 lacks. The kernels are
    // written so that LLVM emits neither (tests/kernels/check_isa.py disassembles every
    // avx512_bf16 kernel to make sure), so the variant runs wherever AVX512-BF16 and the Cannon
    // Lake and VNNI sets are: Sapphire Rapids and later, Zen 4 and Zen 5.
    const bool sapphire_rapids = skylake && __builtin_cpu_supports("avx512ifma") && __builtin_cpu_supports("avx512vbmi") &&
                                 __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bf16");
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
