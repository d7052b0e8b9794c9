#include "config.hpp"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace rwkvt {

namespace {

int lora_rank(int width, double factor) {
    const int r = static_cast<int>(std::lround(factor * std::sqrt(static_cast<double>(width)) / 32.0)) * 32;
    return r > 32 ? r : 32;
}

// One table of fields keeps YAML, JSON and validation in step.
template <typename Visitor>
void visit_fields(ModelConfig& c, Visitor&& v) {
    v("name", c.name);
    v("n_mels", c.n_mels);
    v("subsample_channels", c.subsample_channels);
    v("width", c.width);
    v("head_size", c.head_size);
    v("ffn_width", c.ffn_width);
    v("encoder_blocks", c.encoder_blocks);
    v("predictor_blocks", c.predictor_blocks);
    v("vocab_size", c.vocab_size);
    v("blank_id", c.blank_id);
    v("tokenizer", c.tokenizer);
}

}  // namespace

int ModelConfig::lora_decay_rank() const { return lora_rank(width, 2.5); }
int ModelConfig::lora_iclr_rank() const { return lora_rank(width, 2.5); }
int ModelConfig::lora_value_rank() const { return lora_rank(width, 1.7); }
int ModelConfig::lora_gate_rank() const { return lora_rank(width, 5.0); }

void ModelConfig::validate() const {
    auto require = [](bool ok, const std::string& what) {
        if (!ok) throw std::runtime_error("invalid model config: " + what);
    };
    require(n_mels >= 8 && n_mels <= 512, "n_mels must be in [8, 512]");
    require(subsample_channels >= 1 && subsample_channels <= 1024, "subsample_channels must be in [1, 1024]");
    require(head_size >= 4 && head_size <= 256, "head_size must be in [4, 256]");
    require(width >= head_size && width <= 8192 && width % head_size == 0,
            "width must be a positive multiple of head_size (at most 8192)");
    require(ffn_width >= 1 && ffn_width <= 65536, "ffn_width must be in [1, 65536]");
    require(encoder_blocks >= 1 && encoder_blocks <= 128, "encoder_blocks must be in [1, 128]");
    require(predictor_blocks >= 1 && predictor_blocks <= 128, "predictor_blocks must be in [1, 128]");
    require(vocab_size >= 2 && vocab_size <= 1 << 20, "vocab_size must be in [2, 2^20]");
    require(blank_id >= 0 && blank_id < vocab_size, "blank_id must be a valid token id");
    require(tokenizer == "char" || tokenizer == "bpe" || tokenizer == "unigram",
            "tokenizer must be char, bpe or unigram");
}

std::string ModelConfig::to_json() const {
    nlohmann::json j;
    ModelConfig copy = *this;
    visit_fields(copy, [&](const char* key, auto& value) { j[key] = value; });
    return j.dump();
}

ModelConfig ModelConfig::from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("model config is not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw std::runtime_error("model config must be a JSON object");
    ModelConfig c;
    visit_fields(c, [&](const char* key, auto& value) {
        if (!j.contains(key)) throw std::runtime_error(std::string("model config lacks '") + key + "'");
        try {
            j.at(key).get_to(value);
        } catch (const std::exception&) {
            throw std::runtime_error(std::string("model config field '") + key + "' has the wrong type");
        }
    });
    c.validate();
    return c;
}

ModelConfig ModelConfig::from_yaml_file(const std::string& path) {
    std::error_code ec;  // a folder would reach yaml-cpp as an obscure read error
    if (std::filesystem::is_directory(path, ec)) throw std::runtime_error("config " + path + " is a folder, not a file");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw std::runtime_error("cannot read config file " + path);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error("config " + path + " is not valid YAML: " + e.what());
    }
    if (!root.IsMap()) throw std::runtime_error("config " + path + " must be a YAML mapping");
    ModelConfig c;
    int known = 0;
    visit_fields(c, [&](const char* key, auto& value) {
        const YAML::Node node = root[key];
        if (!node) return;  // absent keys keep their defaults
        ++known;
        try {
            value = node.as<std::decay_t<decltype(value)>>();
        } catch (const YAML::Exception&) {
            throw std::runtime_error("config " + path + ": field '" + key + "' has the wrong type");
        }
    });
    for (const auto& kv : root) {
        const std::string key = kv.first.as<std::string>();
        bool found = false;
        visit_fields(c, [&](const char* k, auto&) { found = found || key == k; });
        if (!found) throw std::runtime_error("config " + path + ": unknown field '" + key + "'");
    }
    try {
        c.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error("config " + path + ": " + e.what());
    }
    return c;
}

}  // namespace rwkvt
