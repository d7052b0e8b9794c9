// rwkvt: transcribe audio with an RWKV-T model, inspect and create model files, and benchmark.
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

}  // namespace rwkvt::cli

int main(int argc, char** argv) {
    CLI::App app{"rwkvt: a streaming RWKV-7 transducer speech recognizer"};
    app.require_subcommand(1);
    rwkvt::cli::add_transcribe(app);
    rwkvt::cli::add_info(app);
    rwkvt::cli::add_init(app);
    rwkvt::cli::add_dump(app);
    rwkvt::cli::add_bench(app);
    rwkvt::cli::add_plot(app);
#ifdef RWKVT_WITH_TRAINING
    rwkvt::cli::add_train(app);
    rwkvt::cli::add_export(app);
#endif
    rwkvt::cli::add_data(app);
    rwkvt::cli::add_eval(app);
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
