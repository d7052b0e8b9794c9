// variant_gate VARIANT PROGRAM [ARGS...]: runs a test program on one kernel variant
// (RWKVT_KERNELS=VARIANT), or exits with 77, ctest's "skipped", when this CPU cannot run it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernel_set.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: variant_gate VARIANT PROGRAM [ARGS...]\n");
        return 2;
    }
    if (!rwkvt::rt::kernels::cpu_can_run(argv[1])) {
        std::printf("kernel variant %s: this CPU cannot run it; skipped\n", argv[1]);
        return 77;
    }
    setenv("RWKVT_KERNELS", argv[1], 1);
    execv(argv[2], argv + 2);
    std::fprintf(stderr, "variant_gate: cannot run %s: %s\n", argv[2], std::strerror(errno));
    return 2;
}
