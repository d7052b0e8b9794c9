// Whether this CPU (and its operating system) can run a kernel variant's instructions, by variant
// name (generators/variants.cmake).
#pragma once

#include <string>

namespace rwkvt::rt::kernels {

bool cpu_can_run(const std::string& variant);

}  // namespace rwkvt::rt::kernels
