#include "train_config.hpp"

#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace rwkvt::train {

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::Ctc: return "ctc";
        case Mode::Lm: return "lm";
        case Mode::Joint: return "joint";
    }
    return "?";
}

Mode parse_mode(const std::string& text) {
    if (text == "ctc") return Mode::Ctc;
    if (text == "lm") return Mode::Lm;
    if (text == "joint") return Mode::Joint;
    throw std::runtime_error("--mode: expected ctc, lm or joint, got '" + text + "'");
}

namespace {

// Reads one YAML section: every key must be consumed by a reader, else it is reported as unknown.
class Section {
public:
    Section(const std::string& file, const std::string& prefix, const YAML::Node& node) : file_(file), prefix_(prefix), node_(node) {
        if (node && !node.IsMap()) fail(prefix_.empty() ? "(top level)" : prefix_.substr(0, prefix_.size() - 1), "expected a mapping");
    }

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw std::runtime_error(file_ + ": " + key + ": " + problem);
    }

    template <typename T>
    void read(const std::string& key, T& out, const char* expected) {
        known_.insert(key);
        if (!node_ || !node_[key]) return;
        const YAML::Node value = node_[key];
        if (!value.IsScalar()) fail(prefix_ + key, std::string("expected ") + expected);
        try {
            out = value.as<T>();
        } catch (const YAML::Exception&) {
            fail(prefix_ + key, std::string("expected ") + expected + ", got '" + value.Scalar() + "'");
        }
    }
    void mark_known(const std::string& key) { known_.insert(key); }
    void text(const std::string& key, std::string& out) { read(key, out, "a string"); }
    void path(const std::string& key, std::string& out, const std::string& base_dir) {
        read(key, out, "a path");
        if (!out.empty() && out[0] != '/') out = (std::filesystem::path(base_dir) / out).lexically_normal().string();
    }
    template <typename T>
    void number(const std::string& key, T& out, double min_value) {
        read(key, out, "a number");
        if (node_ && node_[key] && static_cast<double>(out) < min_value)
            fail(prefix_ + key, "expected a number >= " + format(min_value) + ", got " + node_[key].Scalar());
    }
    void number_between(const std::string& key, double& out, double min_value, double max_value) {
        read(key, out, "a number");
        if (node_ && node_[key] && !(out >= min_value && out <= max_value))
            fail(prefix_ + key, "expected a number in [" + format(min_value) + ", " + format(max_value) + "], got " + node_[key].Scalar());
    }
    void flag(const std::string& key, bool& out) { read(key, out, "true or false"); }
    void pair(const std::string& key, double& first, double& second) {
        known_.insert(key);
        if (!node_ || !node_[key]) return;
        const YAML::Node value = node_[key];
        if (!value.IsSequence() || value.size() != 2) fail(prefix_ + key, "expected a list of two numbers, e.g. [0.9, 0.99]");
        try {
            first = value[0].as<double>();
            second = value[1].as<double>();
        } catch (const YAML::Exception&) {
            fail(prefix_ + key, "expected a list of two numbers, e.g. [0.9, 0.99]");
        }
    }
    // After all reads: any key nobody asked for is a mistake (a typo would otherwise be ignored).
    void reject_unknown() const {
        if (!node_) return;
        for (const auto& entry : node_) {
            const std::string key = entry.first.as<std::string>();
            if (!known_.count(key)) fail(prefix_ + key, "unknown key");
        }
    }

private:
    static std::string format(double v) {
        std::string s = std::to_string(v);
        while (s.size() > 1 && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    }
    std::string file_, prefix_;
    YAML::Node node_;
    std::set<std::string> known_;
};

}  // namespace

void TrainConfig::require_inputs_for(Mode mode) const {
    auto need = [&](const std::string& value, const std::string& key) {
        if (value.empty()) throw std::runtime_error(source_path + ": " + key + ": required for --mode " + mode_name(mode));
    };
    if (mode == Mode::Lm) {
        need(text_corpus, "data.text");
    } else {
        need(train_manifest, "data.train");
    }
    need(out_dir, "run.out_dir");
    const int sources = (!model_config.empty()) + (!init_from.empty()) + (!encoder_from.empty() || !predictor_from.empty());
    if (sources != 1)
        throw std::runtime_error(source_path + ": model: expected exactly one of config, init_from, or encoder_from + predictor_from");
    if (encoder_from.empty() != predictor_from.empty())
        throw std::runtime_error(source_path + ": model: encoder_from and predictor_from go together");
}

TrainConfig load_train_config(const std::string& path) {
    std::error_code ec;  // a folder would reach yaml-cpp as an obscure read error
    if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + ": a folder, not a training config file");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(path + ": cannot read the training config");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(path + ": not valid YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
    }
    TrainConfig c;
    c.source_path = path;
    const std::string base = std::filesystem::path(path).parent_path().string().empty()
                                 ? std::string(".")
                                 : std::filesystem::path(path).parent_path().string();

    Section top(path, "", root);
    top.path("tokenizer", c.tokenizer, base);
    // The sections are read through their own Section objects below.
    for (const char* section : {"model", "data", "optim", "run"}) top.mark_known(section);

    Section model(path, "model.", root["model"]);
    model.path("config", c.model_config, base);
    model.path("init_from", c.init_from, base);
    model.path("encoder_from", c.encoder_from, base);
    model.path("predictor_from", c.predictor_from, base);
    model.number("init_seed", c.init_seed, 0);
    model.reject_unknown();

    Section data(path, "data.", root["data"]);
    data.path("train", c.train_manifest, base);
    data.path("valid", c.valid_manifest, base);
    data.path("text", c.text_corpus, base);
    data.number("batch_seconds", c.batch_seconds, 0.1);
    data.number("lm_batch_tokens", c.lm_batch_tokens, 1);
    data.number("buckets", c.buckets, 1);
    data.number("max_duration", c.max_duration, 0.1);
    data.number("feature_stats_utterances", c.feature_stats_utterances, 1);
    data.flag("augment", c.augment);
    data.flag("spec_augment", c.spec_augment);
    data.number("spec_augment_frequency_masks", c.spec_augment_frequency_masks, 0);
    data.number("spec_augment_time_masks", c.spec_augment_time_masks, 0);
    data.number_between("augment_fraction", c.augment_fraction, 0, 1);
    data.number_between("formant_probability", c.formant_probability, 0, 1);
    data.pair("formant_range", c.formant_min, c.formant_max);
    data.reject_unknown();
    if (!(c.formant_min >= 0.7 && c.formant_min <= c.formant_max && c.formant_max <= 1.4))
        data.fail("data.formant_range", "expected [LOW, HIGH] with 0.7 <= LOW <= HIGH <= 1.4");

    Section optim(path, "optim.", root["optim"]);
    optim.number("lr", c.lr, 0);
    optim.number("final_lr", c.final_lr, 0);
    optim.number("warmup_steps", c.warmup_steps, 0);
    optim.number("weight_decay", c.weight_decay, 0);
    optim.pair("betas", c.beta1, c.beta2);
    optim.number("eps", c.eps, 0);
    optim.number("grad_clip", c.grad_clip, 0);
    optim.number("ctc_lambda", c.ctc_lambda, 0);
    optim.number("prune_range", c.prune_range, 0);
    std::string matmul_precision = matmul_precision_name(c.matmul_precision);
    optim.text("matmul_precision", matmul_precision);
    optim.reject_unknown();
    if (c.beta1 < 0 || c.beta1 >= 1 || c.beta2 < 0 || c.beta2 >= 1)
        optim.fail("optim.betas", "expected two numbers in [0, 1)");
    if (c.prune_range == 1) optim.fail("optim.prune_range", "expected 0 (the full lattice) or at least 2 label positions");
    if (const auto precision = parse_matmul_precision(matmul_precision)) {
        c.matmul_precision = *precision;
    } else {
        optim.fail("optim.matmul_precision",
                   fmt::format("expected {}, got '{}'", fmt::join(matmul_precision_names(), " or "), matmul_precision));
    }

    Section run(path, "run.", root["run"]);
    run.path("out_dir", c.out_dir, base);
    run.number("epochs", c.epochs, 1);
    run.number("max_steps", c.max_steps, 0);
    run.number("seed", c.seed, 0);
    run.number("threads", c.threads, 0);
    run.number("log_every", c.log_every, 1);
    run.number("valid_every", c.valid_every, 0);
    run.number("valid_max_utterances", c.valid_max_utterances, 0);
    run.number("checkpoint_every", c.checkpoint_every, 1);
    run.text("valid_decoder", c.valid_decoder);
    if (c.valid_decoder != "torch" && c.valid_decoder != "runtime")
        run.fail("run.valid_decoder", "expected torch or runtime, got '" + c.valid_decoder + "'");
    run.reject_unknown();

    top.reject_unknown();
    return c;
}

}  // namespace rwkvt::train
