// Shared by the trainer tests: a handful of sentences rendered with espeak-ng, a JSONL manifest of
// them, and training configs for the tiny model (model/configs/tiny.yaml, char tokenizer).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/scratch.hpp"
#include "rwkvt/audio.hpp"

namespace rwkvt::test {

inline const std::vector<std::string>& sentences() {
    static const std::vector<std::string> s = {"the cat sat on the mat", "a big red dog ran home", "she sells sea shells",
                                               "we like to read books", "it is a sunny day"};
    return s;
}

// Runs a program with arguments (no shell); returns its exit status.
inline int run_program(const std::vector<std::string>& argv) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Renders the sentences (espeak-ng, one voice) into `dir` and writes dir/data.jsonl.
inline std::string make_speech_set(const ScratchDir& dir) {
    std::ofstream manifest(dir.file("data.jsonl"));
    for (size_t i = 0; i < sentences().size(); ++i) {
        const std::string wav = dir.file("utt" + std::to_string(i) + ".wav");
        if (run_program({"espeak-ng", "-v", "en-us", "-s", "160", "-w", wav, sentences()[i]}) != 0)
            throw std::runtime_error("espeak-ng failed (install it: bash tools/setup.sh)");
        const double seconds = static_cast<double>(load_audio_16k_mono(wav).size()) / 16000.0;
        manifest << nlohmann::json{{"audio_filepath", wav}, {"duration", seconds}, {"text", sentences()[i]}, {"speaker", "espeak-ng:en-us"}}.dump()
                 << "\n";
    }
    return dir.file("data.jsonl");
}

struct RunSettings {
    std::string out_dir = "out";
    std::string manifest = "data.jsonl", valid = "";
    double lr = 3e-3, final_lr = -1.0;  // final_lr < 0: lr / 10
    double eps = 1e-8, weight_decay = 0.01;
    int warmup = 10;
    int max_steps = 6;
    int checkpoint_every = 1000, valid_every = 0;
    double batch_seconds = 6.0;
    int threads = 2;
    std::string extra_model;  // replaces the model section when set
    std::string extra_optim;  // more lines of the optim section
};

inline std::string write_train_config(const ScratchDir& dir, const RunSettings& s, const std::string& name = "train.yaml") {
    std::ofstream out(dir.file(name));
    out << "model:\n"
        << (s.extra_model.empty() ? "  config: " RWKVT_SOURCE_DIR "/model/configs/tiny.yaml\n" : s.extra_model) << "data:\n"
        << "  train: " << s.manifest << "\n"
        << (s.valid.empty() ? "" : "  valid: " + s.valid + "\n") << "  batch_seconds: " << s.batch_seconds << "\n"
        << "  buckets: 1\n"
        << "optim:\n  lr: " << s.lr << "\n  final_lr: " << (s.final_lr < 0 ? s.lr / 10 : s.final_lr) << "\n  warmup_steps: " << s.warmup
        << "\n  ctc_lambda: 0.3\n  weight_decay: " << s.weight_decay << "\n  eps: " << s.eps << "\n" << s.extra_optim
        << "run:\n  out_dir: " << s.out_dir << "\n  max_steps: " << s.max_steps << "\n  seed: 3\n  threads: " << s.threads << "\n"
        << "  log_every: 1\n  checkpoint_every: " << s.checkpoint_every << "\n  valid_every: " << s.valid_every << "\n";
    return dir.file(name);
}

}  // namespace rwkvt::test
