// What every rwkvt program shares: the default model, the untrained-model note, the streaming chunk
// check, option checks, output paths that would destroy an input, the exit status.
#include <algorithm>
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
    std::snprintf(range, sizeof range, "[%g, %g]", min, max);
    return CLI::Validator(
        [min, max, text_range = std::string(range)](std::string& text) -> std::string {
            // CLI::Range lets NaN through (every comparison with it is false).
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !std::isfinite(value) || value < min || value > max)
                return "value " + text + " is not a finite number in " + text_range;
            return "";
        },
        "NUMBER in " + std::string(range));
}

void refuse_overwriting_input(const std::string& out, const std::string& option, const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
        std::error_code ec;  // set when either file does not exist: nothing to destroy then
        if (std::filesystem::equivalent(input, out, ec) && !ec)
            throw std::runtime_error(option + " " + out + " names the input " + input + ": write it elsewhere");
    }
}

void flush_output() {
    // (A pipe closed by its reader ends the process by SIGPIPE, as for any Unix tool.)
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    const int flush_errno = errno;
    if (!flushed || std::ferror(stdout))
        throw std::runtime_error(std::string("cannot write the output") + (flushed ? "" : std::string(": ") + std::strerror(flush_errno)));
}

int run(CLI::App& app, int argc, char** argv) {
    // CLI11 reports an unknown command as a missing one; name it instead. Walks down the command
    // words (`data synth`) while the command reached has subcommands and no positional arguments.
    const CLI::App* level = &app;
    std::string words = "rwkvt";
    for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {
        const std::vector<const CLI::App*> commands = level->get_subcommands([](const CLI::App*) { return true; });
        const bool takes_positionals = !level->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
        if (commands.empty() || takes_positionals) break;
        const auto named = std::find_if(commands.begin(), commands.end(), [&](const CLI::App* c) { return c->check_name(argv[i]); });
        if (named == commands.end()) {
            std::fprintf(stderr, "rwkvt: error: unknown command \"%s\" (%s --help lists the commands)\n", argv[i], words.c_str());
            return 2;
        }
        level = *named;
        words += " " + level->get_name();
    }
    try {
        app.parse(argc, argv);
        // Output that never reached its file is a failure, not a success.
        flush_output();
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        std::fprintf(stderr, "rwkvt: error: %s (--help lists the options)\n", e.what());
        return e.get_exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        return 1;
    }
    return exit_status;
}

}  // namespace rwkvt::cli
