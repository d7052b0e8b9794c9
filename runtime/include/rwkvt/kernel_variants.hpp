// Which kernel variant (CPU target build of the Halide kernels) this process runs. The runtime
// takes the best variant built that the CPU can run; the environment variable RWKVT_KERNELS=<name>
// forces one (an error if it was not built or the CPU cannot run it).
#pragma once

#include <string>
#include <vector>

namespace rwkvt {

struct KernelVariantInfo {
    std::string name;           // e.g. "avx2"
    std::string halide_target;  // the full Halide target it was compiled for
    // How its GEMMs multiply bf16 weights: "amx" (the AMX tile unit; one token at a time on
    // vdpbf16ps), "vdpbf16ps" (bf16 pairs: activations are rounded to bf16 too) or "f32" (the
    // weights are widened to f32 and multiply f32 activations).
    std::string bf16_products;
    bool cpu_can_run = false;
    bool active = false;        // the variant this process uses
};

// The variants built, best first. Choosing the active one can throw (a bad RWKVT_KERNELS).
std::vector<KernelVariantInfo> kernel_variants();

// The variant this process runs (the active one of kernel_variants()); throws as kernel_variants() does.
KernelVariantInfo active_kernel_variant();

}  // namespace rwkvt
