#include "checkpoint.hpp"

#include <fstream>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>

#include "model_file.hpp"

namespace rwkvt::train {

namespace {

constexpr const char* kFormat = "rwkvt-checkpoint-1";

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Opens a checkpoint archive, turning torch's multi-line errors into one line naming the file.
torch::serialize::InputArchive open_archive(const std::string& path) {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw std::runtime_error("checkpoint '" + path + "': cannot open");
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const std::exception& e) {
        throw std::runtime_error("checkpoint '" + path + "': not a readable checkpoint (" + first_line(e.what()) + ")");
    }
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw std::runtime_error("checkpoint '" + path + "': not an rwkvt checkpoint (format tag missing or different)");
    return archive;
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
    c10::IValue value;
    if (!archive.try_read(key, value) || !value.isString()) throw std::runtime_error("checkpoint '" + path + "': lacks '" + key + "'");
    return value.toStringRef();
}

torch::Tensor read_tensor(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
    torch::Tensor t;
    if (!archive.try_read(key, t)) throw std::runtime_error("checkpoint '" + path + "': lacks '" + key + "'");
    return t;
}

}  // namespace

bool is_model_file(const std::string& path) {
    // A safetensors file starts with a little-endian header length and then '{'; a torch archive is a zip.
    std::ifstream in(path, std::ios::binary);
    char head[9] = {};
    in.read(head, 9);
    return in.gcount() == 9 && head[8] == '{';
}

void save_checkpoint(const std::string& path, const CheckpointInfo& info, Transducer& model, const torch::optim::Optimizer* optimizer) {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("config", c10::IValue(info.config.to_json()));
    archive.write("tokenizer", c10::IValue(info.tokenizer.to_json()));
    archive.write("mode", c10::IValue(info.mode));
    archive.write("progress", torch::tensor({info.progress.step, info.progress.epoch, info.progress.batch_in_epoch}, torch::kInt64));
    archive.write("audio_seconds", torch::tensor({info.progress.audio_seconds}, torch::kFloat64));
    archive.write("feature_mean", info.feature_mean);
    archive.write("feature_std", info.feature_std);
    archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
    torch::serialize::OutputArchive model_archive;
    model->save(model_archive);
    archive.write("model", model_archive);
    if (optimizer) {
        torch::serialize::OutputArchive optimizer_archive;
        optimizer->save(optimizer_archive);
        archive.write("optimizer", optimizer_archive);
    }
    // Serialise to memory, then one atomic write: the previous checkpoint survives any failure.
    std::string bytes;
    archive.save_to([&](const void* data, size_t size) -> size_t {
        bytes.append(static_cast<const char*>(data), size);
        return size;
    });
    write_file_atomically(path, {{bytes.data(), bytes.size()}});
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
    auto archive = open_archive(path);
    CheckpointInfo info;
    info.config_json = read_string(archive, "config", path);
    info.config = ModelConfig::from_json(info.config_json);
    info.tokenizer = Tokenizer::from_json(read_string(archive, "tokenizer", path));
    info.mode = read_string(archive, "mode", path);
    const torch::Tensor progress = read_tensor(archive, "progress", path);
    if (progress.numel() != 3) throw std::runtime_error("checkpoint '" + path + "': bad progress record");
    info.progress.step = progress[0].item<int64_t>();
    info.progress.epoch = progress[1].item<int64_t>();
    info.progress.batch_in_epoch = progress[2].item<int64_t>();
    info.progress.audio_seconds = read_tensor(archive, "audio_seconds", path)[0].item<double>();
    info.feature_mean = read_tensor(archive, "feature_mean", path);
    info.feature_std = read_tensor(archive, "feature_std", path);
    return info;
}

void load_checkpoint_weights(const std::string& path, Transducer& model) {
    auto archive = open_archive(path);
    const ModelConfig theirs = ModelConfig::from_json(read_string(archive, "config", path));
    if (theirs.to_json() != model->config().to_json())
        throw std::runtime_error("checkpoint '" + path + "' is for model config '" + theirs.name + "' (" + theirs.to_json() +
                                 "), not this run's '" + model->config().name + "' (" + model->config().to_json() + ")");
    torch::serialize::InputArchive model_archive;
    if (!archive.try_read("model", model_archive)) throw std::runtime_error("checkpoint '" + path + "': lacks the model");
    try {
        model->load(model_archive);
    } catch (const std::exception& e) {
        throw std::runtime_error("checkpoint '" + path + "': weights do not fit this model (" + first_line(e.what()) + ")");
    }
}

void load_checkpoint_optimizer(const std::string& path, torch::optim::Optimizer& optimizer) {
    auto archive = open_archive(path);
    torch::serialize::InputArchive optimizer_archive;
    if (!archive.try_read("optimizer", optimizer_archive)) throw std::runtime_error("checkpoint '" + path + "': lacks the optimizer state");
    try {
        optimizer.load(optimizer_archive);
    } catch (const std::exception& e) {
        throw std::runtime_error("checkpoint '" + path + "': optimizer state does not fit (" + first_line(e.what()) + ")");
    }
}

void restore_checkpoint_rng(const std::string& path) {
    auto archive = open_archive(path);
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle sharing the global state
    generator.set_state(read_tensor(archive, "rng", path));
}

}  // namespace rwkvt::train
