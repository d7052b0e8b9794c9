#include "cpu_features.hpp"

#include <thread>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rwkvt::rt::kernels {

#if defined(__x86_64__)
namespace {

// The AMX tile unit with bf16 products, and the operating system's leave to use it. Linux enables
// the tiles' 8 KB of register state per process on request (arch_prctl ARCH_REQ_XCOMP_PERM for
// XTILEDATA, Linux 5.16 and later); without it the first tile instruction kills the process. The
// request is made once, here, by the first question about the avx512_amx variant, and holds for
// every thread of the process.
bool amx_usable() {
    static const bool usable = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
        const bool amx_bf16 = (edx >> 22) & 1, amx_tile = (edx >> 24) & 1;
        if (!amx_bf16 || !amx_tile) return false;
        constexpr long kArchReqXcompPerm = 0x1023;
        constexpr long kXfeatureXtiledata = 18;
        return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
    }();
    return usable;
}

}  // namespace
#endif

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
    if (variant == "avx512_amx") return sapphire_rapids && amx_usable();
    return false;
#elif defined(__aarch64__)
    return variant == "arm64";
#else
    (void)variant;
    return false;
#endif
}

std::string cpu_description() {
    const std::string threads = std::to_string(std::thread::hardware_concurrency()) + " logical CPUs";
#if defined(__x86_64__)
    unsigned regs[12] = {};
    std::string brand;
    if (__get_cpuid(0x80000000, &regs[0], &regs[1], &regs[2], &regs[3]) && regs[0] >= 0x80000004) {
        for (unsigned leaf = 0; leaf < 3; ++leaf)
            __get_cpuid(0x80000002 + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2], &regs[4 * leaf + 3]);
        brand.assign(reinterpret_cast<const char*>(regs), sizeof regs);
        brand = brand.c_str();  // the string is NUL-padded
        brand.erase(0, brand.find_first_not_of(' '));
        brand.erase(brand.find_last_not_of(' ') + 1);
    }
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return (brand.empty() ? "x86-64" : brand) + ", " + threads;
    // Family and model as Intel's and AMD's manuals define them: the extended fields count only
    // for family 15 (the family) and families 6 and 15 (the model).
    const unsigned base_family = (eax >> 8) & 0xf, base_model = (eax >> 4) & 0xf;
    const unsigned family = base_family == 0xf ? base_family + ((eax >> 20) & 0xff) : base_family;
    const unsigned model = base_family == 0x6 || base_family == 0xf ? base_model + (((eax >> 16) & 0xf) << 4) : base_model;
    return (brand.empty() ? "x86-64" : brand) + ", family " + std::to_string(family) + " model " + std::to_string(model) +
           ", " + threads;
#elif defined(__aarch64__)
    return "AArch64, " + threads;
#else
    return threads;
#endif
}

}  // namespace rwkvt::rt::kernels
