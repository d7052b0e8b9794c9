// What every rwkvt program shares: the default model, the untrained-model note, the streaming chunk
// check, the exit status.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#include "commands.hpp"

namespace rwkvt::cli {

int exit_status = 0;

std::string default_model_path() {
    if (const char* env = std::getenv("RWKVT_MODEL"); env && *env) return env;
    return RWKVT_DEFAULT_MODEL;
}

void warn_if_untrained(const std::string& origin, const std::string& path, bool ctc_head_decodes) {
    if (origin == "initialised")
        std::fprintf(stderr, "rwkvt: note: %s is a randomly initialised, untrained model: its output is not a transcription\n",
                     path.c_str());
    // A pre-training stage's export (rwkvt train --mode ctc or lm) has a trained encoder or predictor
    // beside an untrained rest. The CTC stage's encoder and CTC head do transcribe, with --decoder ctc.
    if (origin.find("--mode lm") != std::string::npos)
        std::fprintf(stderr, "rwkvt: note: %s comes from a pre-training stage (%s): its encoder is not trained yet, so its output is not a transcription\n",
                     path.c_str(), origin.c_str());
    if (origin.find("--mode ctc") != std::string::npos && !ctc_head_decodes)
        std::fprintf(stderr, "rwkvt: note: %s comes from a pre-training stage (%s): its transducer is not trained yet, so its output is not a transcription (its CTC head transcribes: --decoder ctc)\n",
                     path.c_str(), origin.c_str());
}

int chunk_frames_of(int chunk_ms, const std::string& option) {
    if (chunk_ms <= 0 || chunk_ms % 40 != 0)
        throw std::runtime_error(option + " " + std::to_string(chunk_ms) + ": expected a multiple of 40 ms (the encoder frame)");
    return chunk_ms / 40;
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
