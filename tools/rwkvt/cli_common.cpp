// What every rwkvt program shares: the default model, the untrained-model note, the exit status.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "commands.hpp"

namespace rwkvt::cli {

int exit_status = 0;

std::string default_model_path() {
    if (const char* env = std::getenv("RWKVT_MODEL"); env && *env) return env;
    return RWKVT_DEFAULT_MODEL;
}

void warn_if_untrained(const std::string& origin, const std::string& path) {
    if (origin == "initialised")
        std::fprintf(stderr, "rwkvt: note: %s is a randomly initialised, untrained model: its output is not a transcription\n",
                     path.c_str());
}

int run(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        return 1;
    }
    return exit_status;
}

}  // namespace rwkvt::cli
