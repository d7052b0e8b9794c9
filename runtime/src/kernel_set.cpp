#include "kernel_set.hpp"

#include <cstdlib>
#include <stdexcept>

#include "rwkvt/kernel_variants.hpp"

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

namespace {

std::string built_names() {
    std::string names;
    for (const KernelSet* set : built_variants()) names += std::string(names.empty() ? "" : ", ") + set->variant;
    return names;
}

const KernelSet& choose() {
    if (const char* forced = std::getenv("RWKVT_KERNELS"); forced && *forced) {
        for (const KernelSet* set : built_variants()) {
            if (set->variant != std::string(forced)) continue;
            if (!cpu_can_run(forced))
                throw std::runtime_error(std::string("RWKVT_KERNELS=") + forced + ": this CPU cannot run that kernel variant");
            return *set;
        }
        throw std::runtime_error(std::string("RWKVT_KERNELS=") + forced + ": no such kernel variant in this build (built: " +
                                 built_names() + ")");
    }
    for (const KernelSet* set : built_variants())
        if (cpu_can_run(set->variant)) return *set;
    throw std::runtime_error("this CPU can run none of the kernel variants built (" + built_names() + ")");
}

}  // namespace

const KernelSet& active() {
    static const KernelSet& chosen = choose();
    return chosen;
}

}  // namespace rwkvt::rt::kernels

namespace rwkvt {

std::vector<KernelVariantInfo> kernel_variants() {
    const rt::kernels::KernelSet& chosen = rt::kernels::active();
    std::vector<KernelVariantInfo> out;
    for (const rt::kernels::KernelSet* set : rt::kernels::built_variants())
        out.push_back({set->variant, set->halide_target, rt::kernels::cpu_can_run(set->variant), set == &chosen});
    return out;
}

}  // namespace rwkvt
