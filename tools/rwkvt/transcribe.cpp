// rwkvt transcribe: audio files -> text (one line per file) or JSON Lines.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

void add_transcribe(CLI::App& app) {
    struct Options {
        RecognizerOptions recognizer;
        std::string format = "text";
        std::vector<std::string> files;
    };
    auto opt = std::make_shared<Options>();
    opt->recognizer.model_path = default_model_path();
    CLI::App* cmd = app.add_subcommand("transcribe", "Transcribe audio files (any format libsndfile reads, any rate)");
    cmd->add_option("--model", opt->recognizer.model_path, "Model file")->capture_default_str();
    cmd->add_option("--threads", opt->recognizer.threads, "Kernel threads (0 = all cores)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-symbols", opt->recognizer.max_symbols_per_frame, "Tokens per encoder frame at most")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--format", opt->format, "Output: text or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
    cmd->add_option("files", opt->files, "Audio files")->required();
    cmd->callback([opt]() {
        Recognizer recognizer(opt->recognizer);
        warn_if_untrained(recognizer.summary().origin, opt->recognizer.model_path);
        for (const std::string& file : opt->files) {
            try {
                const std::vector<float> samples = load_audio_16k_mono(file);
                const auto start = std::chrono::steady_clock::now();
                const Result result = recognizer.transcribe(samples);
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                if (opt->format == "jsonl") {
                    nlohmann::json j;
                    j["file"] = file;
                    j["text"] = result.text;
                    j["duration_s"] = result.duration_s;
                    j["compute_s"] = seconds;
                    j["tokens"] = nlohmann::json::array();
                    for (const Token& t : result.tokens) j["tokens"].push_back({{"id", t.id}, {"piece", t.piece}, {"time_s", t.time_s}});
                    std::printf("%s\n", j.dump().c_str());
                } else if (opt->files.size() > 1) {
                    std::printf("%s\t%s\n", file.c_str(), result.text.c_str());
                } else {
                    std::printf("%s\n", result.text.c_str());
                }
                std::fflush(stdout);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
                exit_status = 1;
            }
        }
    });
}

}  // namespace rwkvt::cli
