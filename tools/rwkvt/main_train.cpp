// rwkvt-train: `rwkvt train` and `rwkvt export`, the LibTorch half of the command, kept in a program
// of its own so that transcription never loads LibTorch. `rwkvt train ...` runs `rwkvt-train train ...`.
#include <cstdio>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"rwkvt-train: train RWKV-T models and export them as model files"};
    app.name("rwkvt");
    app.require_subcommand(1);
    rwkvt::cli::add_train(app);
    rwkvt::cli::add_export(app);
    return rwkvt::cli::run(app, argc, argv);
}
