// What every rwkvt program shares: the default model, the untrained-model note, the streaming chunk
// check, option checks, output paths that would destroy an input, the exit status.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

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

CLI::Validator finite_range(double min, double max) {
    char range[96];
    std::snprintf(range, sizeof range, "%g to %g", min, max);
    return CLI::Validator(
        [min, max, text_range = std::string(range)](std::string& text) -> std::string {
            // CLI::Range lets NaN through (every comparison with it is false).
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !std::isfinite(value) || value < min || value > max)
                return "value " + text + " is not a number from " + text_range;
            return "";
        },
        "NUMBER in " + std::string(range));
}

void refuse_overwriting_input(const std::string& out, const std::string& option, const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
        std::error_code ec;  // equivalent() is false, not an error, when either file does not exist
        if (std::filesystem::equivalent(input, out, ec) && !ec)
            throw std::runtime_error(option + " " + out + " names the input " + input + ": write it elsewhere");
    }
}

int run(CLI::App& app, int argc, char** argv) {
    // CLI11 reports an unknown command as a missing one; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        const CLI::App& commands = app;
        for (const CLI::App* command : commands.get_subcommands([](const CLI::App*) { return true; }))
            known = known || command->check_name(argv[1]);
        if (!known) {
            std::fprintf(stderr, "rwkvt: error: unknown command \"%s\" (rwkvt --help lists the commands)\n", argv[1]);
            return 2;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        std::fprintf(stderr, "rwkvt: error: %s (--help lists the options)\n", e.what());
        return e.get_exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        return 1;
    }
    // Output that never reached its file (a full disk, a closed pipe) is a failure, not a success.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "rwkvt: error: cannot write the output: %s\n", errno != 0 ? std::strerror(errno) : "write error");
        return 1;
    }
    return exit_status;
}

}  // namespace rwkvt::cli
