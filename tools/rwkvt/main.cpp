// rwkvt: transcribe audio with an RWKV-T model, inspect and create model files, make data, evaluate
// and benchmark. `rwkvt train` and `rwkvt export` run the separate rwkvt-train program, so this
// process never loads LibTorch (it would cost ~150 MB of memory before the first sample).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "commands.hpp"

namespace {

// Replaces this process with rwkvt-train from the same folder, passing the arguments on.
int run_training_program(char** argv) {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path trainer = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "rwkvt-train";
    if (!std::filesystem::exists(trainer)) {
        std::fprintf(stderr, "rwkvt: error: '%s' needs %s, which this build lacks (LibTorch was not found: run tools/setup.sh and rebuild)\n",
                     argv[1], trainer.c_str());
        return 1;
    }
    argv[0] = const_cast<char*>(trainer.c_str());
    // LibTorch's OpenMP threads and OpenBLAS's own threads share the cores; OpenMP threads that spin
    // while waiting starve OpenBLAS. Sleeping waits made a 19M training step 1.4x faster (8.3 s
    // against 12.0 s by default and 13.1 s spinning) on 2 cores. libgomp reads this when it loads,
    // before main, hence here; a user's own setting wins.
    setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
    execv(trainer.c_str(), argv);
    std::fprintf(stderr, "rwkvt: error: cannot run %s: %s\n", trainer.c_str(), std::strerror(errno));
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && (std::string(argv[1]) == "train" || std::string(argv[1]) == "export"))
        return run_training_program(argv);
    CLI::App app{"rwkvt: a streaming RWKV-7 transducer speech recognizer"};
    app.footer("Training: `rwkvt train ...` and `rwkvt export ...` (see `rwkvt train --help`) run rwkvt-train.");
    app.require_subcommand(1);
    rwkvt::cli::add_transcribe(app);
    rwkvt::cli::add_info(app);
    rwkvt::cli::add_init(app);
    rwkvt::cli::add_dump(app);
    rwkvt::cli::add_bench(app);
    rwkvt::cli::add_plot(app);
    rwkvt::cli::add_data(app);
    rwkvt::cli::add_eval(app);
    return rwkvt::cli::run(app, argc, argv);
}
