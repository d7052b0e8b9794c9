// Whether this CPU (and its operating system) can run a kernel variant's instructions, by variant
// name (generators/variants.cmake); and which CPU it is, for records of where something was measured.
#pragma once

#include <string>

namespace rwkvt::rt::kernels {

bool cpu_can_run(const std::string& variant);

// The CPU's brand string, family and model (x86: "Intel(R) Xeon(R) Processor, family 6 model 207")
// and the logical CPUs this process sees. A VM may hide the brand's generation, not the model number.
std::string cpu_description();

}  // namespace rwkvt::rt::kernels
