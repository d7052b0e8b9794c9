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
    bool cpu_can_run = false;
    bool active = false;        // the variant this process uses
};

// The variants built, best first. Choosing the active one can throw (a bad RWKVT_KERNELS).
std::vector<KernelVariantInfo> kernel_variants();

}  // namespace rwkvt
