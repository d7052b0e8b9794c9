// rwkvt: transcribe audio with an RWKV-T model, inspect and create model files, make data, evaluate
// and benchmark. `rwkvt train` and `rwkvt export` run the separate rwkvt-train program, so this
// process never loads LibTorch (it would cost ~150 MB of memory before the first sample); `rwkvt
// tune` runs rwkvt-tune, which alone links libHalide.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "commands.hpp"

namespace {

// The path of a program installed beside this one.
std::filesystem::path sibling(char** argv, const char* name) {
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return (ec ? std::filesystem::path(argv[0]) : self).parent_path() / name;
}

// Replaces this process with `program`: args[0] becomes its path, the rest pass on unchanged.
int exec_program(const std::filesystem::path& program, char** args) {
    args[0] = const_cast<char*>(program.c_str());
    execv(program.c_str(), args);
    std::fprintf(stderr, "rwkvt: error: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    return 1;
}

// Replaces this process with rwkvt-train from the same folder, passing the arguments on.
int run_training_program(char** argv) {
    const std::filesystem::path trainer = sibling(argv, "rwkvt-train");
    if (!std::filesystem::exists(trainer)) {
        std::fprintf(stderr, "rwkvt: error: '%s' needs %s, which this build lacks (LibTorch was not found: run tools/setup.sh and rebuild)\n",
                     argv[1], trainer.c_str());
        return 1;
    }
    // LibTorch's OpenMP threads and OpenBLAS's own threads share the cores; OpenMP threads that spin
    // while waiting starve OpenBLAS. Sleeping waits made a 19M training step 1.4x faster (8.3 s
    // against 12.0 s by default and 13.1 s spinning) on 2 cores. libgomp reads this when it loads,
    // before main, hence here; a user's own setting wins.
    setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
    return exec_program(trainer, argv);  // rwkvt-train takes the subcommand as its first argument
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && (std::string(argv[1]) == "train" || std::string(argv[1]) == "export"))
        return run_training_program(argv);
    if (argc > 1 && std::string(argv[1]) == "tune") return exec_program(sibling(argv, "rwkvt-tune"), argv + 1);
    CLI::App app{"rwkvt: a streaming RWKV-7 transducer speech recognizer"};
    app.footer("Training: `rwkvt train ...` and `rwkvt export ...` (see `rwkvt train --help`) run rwkvt-train.\n"
               "Tuning: `rwkvt tune ...` (see `rwkvt tune --help`) runs rwkvt-tune.");
    app.require_subcommand(1);
    rwkvt::cli::add_transcribe(app);
    rwkvt::cli::add_info(app);
    rwkvt::cli::add_init(app);
    rwkvt::cli::add_convert(app);
    rwkvt::cli::add_average(app);
    rwkvt::cli::add_dump(app);
    rwkvt::cli::add_bench(app);
    rwkvt::cli::add_plot(app);
    rwkvt::cli::add_data(app);
    rwkvt::cli::add_eval(app);
    return rwkvt::cli::run(app, argc, argv);
}
