// Exact resume, checkpoint safety and the one-line errors of bad input.
#include <doctest/doctest.h>
// LibTorch brings glog, whose CHECK macro shadows doctest's: these tests spell DOCTEST_CHECK.

#include <sys/resource.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "checkpoint.hpp"
#include "init.hpp"
#include "model_file.hpp"
#include "trainer.hpp"
#include "training_fixture.hpp"

using namespace rwkvt;
using rwkvt::test::RunSettings;
using rwkvt::test::ScratchDir;

namespace {

train::RunOptions options_for(const std::string& config, bool resume = false, int64_t stop_after = 0) {
    train::RunOptions o;
    o.mode = train::Mode::Joint;
    o.config_path = config;
    o.resume = resume;
    o.stop_after_step = stop_after;
    o.quiet = true;
    return o;
}

Model exported(const std::string& checkpoint, const std::string& out) {
    train::export_checkpoint(checkpoint, out, false);
    return load_model(out);
}

double max_difference(const Model& a, const Model& b) {
    double worst = 0;
    for (const auto& [name, t] : a.weights.all()) {
        const Tensor& u = b.weights.at(name);
        for (size_t i = 0; i < t.data.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(t.data[i] - u.data[i])));
    }
    return worst;
}

std::string bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string error_of(const train::RunOptions& o) {
    try {
        train::run_training(o);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("resume: 3 steps, checkpoint, 3 more steps == 6 steps straight") {
    ScratchDir dir;
    test::make_speech_set(dir);
    // Batches of about two utterances, so the steps walk through the epoch's plan and into the next.
    RunSettings straight;
    straight.out_dir = "straight";
    straight.batch_seconds = 4.0;
    const auto summary = train::run_training(options_for(test::write_train_config(dir, straight, "straight.yaml")));
    DOCTEST_CHECK(summary.steps == 6);
    RunSettings split = straight;
    split.out_dir = "split";
    const std::string config = test::write_train_config(dir, split, "split.yaml");
    DOCTEST_CHECK(train::run_training(options_for(config, false, 3)).steps == 3);
    DOCTEST_CHECK(train::read_checkpoint_info(dir.file("split/checkpoint.ckpt")).progress.step == 3);
    DOCTEST_CHECK(train::run_training(options_for(config, true)).steps == 6);

    const Model a = exported(dir.file("straight/checkpoint.ckpt"), dir.file("a.safetensors"));
    const Model b = exported(dir.file("split/checkpoint.ckpt"), dir.file("b.safetensors"));
    const Model start = init_model(a.config, 1);
    DOCTEST_CHECK(max_difference(a, start) > 1e-3);  // training did move the weights
    DOCTEST_CHECK(max_difference(a, b) <= 1e-6);
    // The metrics of the resumed run continue the first part's: one train record per step.
    std::ifstream metrics(dir.file("split/metrics.jsonl"));
    int lines = 0;
    for (std::string line; std::getline(metrics, line);) lines += line.find("\"train\"") != std::string::npos;
    DOCTEST_CHECK(lines == 6);
}

TEST_CASE("bad input: empty manifest, missing key inputs, checkpoint of another config, NaN loss, disk full") {
    ScratchDir dir;
    test::make_speech_set(dir);

    SUBCASE("empty manifest") {
        std::ofstream(dir.file("empty.jsonl")).close();
        RunSettings s;
        s.manifest = "empty.jsonl";
        const std::string e = error_of(options_for(test::write_train_config(dir, s)));
        DOCTEST_CHECK(e.find("empty.jsonl") != std::string::npos);
        DOCTEST_CHECK(e.find("empty") != std::string::npos);
        DOCTEST_CHECK(e.find('\n') == std::string::npos);
    }
    SUBCASE("malformed config value") {
        std::ofstream(dir.file("bad.yaml")) << "optim: {grad_clip: lots}\n";
        DOCTEST_CHECK(error_of(options_for(dir.file("bad.yaml"))).find("optim.grad_clip: expected a number, got 'lots'") != std::string::npos);
    }
    SUBCASE("checkpoint from another config") {
        RunSettings s;
        s.max_steps = 1;
        train::run_training(options_for(test::write_train_config(dir, s)));
        // Resume the run with a wider model: the checkpoint does not fit.
        ModelConfig other = ModelConfig::from_yaml_file(RWKVT_SOURCE_DIR "/model/configs/tiny.yaml");
        other.name = "tiny-wide";
        other.width = 96;
        other.ffn_width = 384;
        std::ofstream(dir.file("wide.yaml")) << "name: tiny-wide\nsubsample_channels: 8\nwidth: 96\nhead_size: 16\nffn_width: 384\n"
                                                "encoder_blocks: 2\npredictor_blocks: 2\nvocab_size: 30\nblank_id: 0\ntokenizer: char\n";
        RunSettings wide = s;
        wide.extra_model = "  config: " + dir.file("wide.yaml") + "\n";
        const std::string e = error_of(options_for(test::write_train_config(dir, wide, "wide-train.yaml"), true));
        DOCTEST_CHECK(e.find("checkpoint") != std::string::npos);
        DOCTEST_CHECK(e.find("'tiny'") != std::string::npos);
        DOCTEST_CHECK(e.find("'tiny-wide'") != std::string::npos);
        DOCTEST_CHECK(e.find('\n') == std::string::npos);
    }
    SUBCASE("NaN loss stops with the step and the utterance, keeping the last checkpoint") {
        RunSettings s;
        s.max_steps = 1;
        const std::string config = test::write_train_config(dir, s);
        train::run_training(options_for(config));
        const std::string before = bytes_of(dir.file("out/checkpoint.ckpt"));
        // (Audio with NaN samples is refused by the audio loader already.) An absurd learning rate
        // blows the weights up after one update, so the next forward pass is no longer finite.
        RunSettings poisoned = s;
        poisoned.lr = 1e30;
        poisoned.final_lr = 1e30;
        poisoned.warmup = 0;
        poisoned.max_steps = 4;
        const std::string e = error_of(options_for(test::write_train_config(dir, poisoned, "blowup.yaml"), true));
        MESSAGE(e);
        DOCTEST_CHECK((e.find("step 3:") != std::string::npos || e.find("step 4:") != std::string::npos));
        DOCTEST_CHECK(e.find("utt") != std::string::npos);  // the batch's utterances are named
        DOCTEST_CHECK(e.find("checkpoint") != std::string::npos);
        DOCTEST_CHECK(bytes_of(dir.file("out/checkpoint.ckpt")) == before);
    }
    SUBCASE("disk full while saving leaves the previous checkpoint intact") {
        RunSettings s;
        s.max_steps = 1;
        train::run_training(options_for(test::write_train_config(dir, s)));
        const std::string path = dir.file("out/checkpoint.ckpt");
        const std::string before = bytes_of(path);
        const auto info = train::read_checkpoint_info(path);
        train::Transducer model(info.config);
        train::load_checkpoint_weights(path, model);
        // RLIMIT_FSIZE makes write() fail with EFBIG, as a full disk fails with ENOSPC.
        std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit old_limit {};
        getrlimit(RLIMIT_FSIZE, &old_limit);
        struct rlimit small = old_limit;
        small.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &small);
        std::string error;
        try {
            train::save_checkpoint(path, info, model, nullptr);
        } catch (const std::runtime_error& e) {
            error = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old_limit);
        DOCTEST_CHECK(error.find("checkpoint.ckpt") != std::string::npos);
        DOCTEST_CHECK(bytes_of(path) == before);
        // No temporary file left behind (the run folder holds checkpoint.ckpt, metrics.jsonl, model.safetensors).
        for (const auto& entry : std::filesystem::directory_iterator(dir.file("out")))
            DOCTEST_CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
    }
}
