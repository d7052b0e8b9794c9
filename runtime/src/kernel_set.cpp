#include "kernel_set.hpp"

#include <cstdlib>
#include <stdexcept>

#include "rwkvt/kernel_variants.hpp"

namespace rwkvt::rt::kernels {

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
        out.push_back({set->variant, set->halide_target, set->bf16_products, rt::kernels::cpu_can_run(set->variant),
                       set == &chosen});
    return out;
}

KernelVariantInfo active_kernel_variant() {
    for (KernelVariantInfo& v : kernel_variants())
        if (v.active) return v;
    throw std::logic_error("no active kernel variant");  // kernel_variants() marks the one active() chose
}

}  // namespace rwkvt
