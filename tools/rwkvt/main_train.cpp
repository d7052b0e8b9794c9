// rwkvt-train: `rwkvt train` and `rwkvt export`, the LibTorch half of the command, kept in a program
// of its own so that transcription never loads LibTorch. `rwkvt train ...` runs `rwkvt-train train ...`.
#include <cstdio>
#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"rwkvt-train: train RWKV-T models and export them as model files"};
    app.name("rwkvt");
    app.require_subcommand(1);
    rwkvt::cli::add_train(app);
    rwkvt::cli::add_export(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        return 1;
    }
    return rwkvt::cli::exit_status;
}
