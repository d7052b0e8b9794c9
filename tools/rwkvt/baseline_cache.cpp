#include "baseline_cache.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "model_file.hpp"

namespace rwkvt::cli {

namespace fs = std::filesystem;

namespace {

// What identifies the audio's content cheaply: its size and modification time.
nlohmann::json file_identity(const std::string& audio_path) {
    struct stat st {};
    if (::stat(audio_path.c_str(), &st) != 0) return nullptr;
    const long long modified_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return {{"size", static_cast<long long>(st.st_size)}, {"modified_ns", modified_ns}};
}

}  // namespace

constexpr const char* kFormat = "rwkvt baseline cache 1";

BaselineCache::BaselineCache(std::string path)
    : path_(std::move(path)), json_({{"format", kFormat}, {"baselines", nlohmann::json::object()}}) {
    if (path_.empty() || !fs::exists(path_)) return;
    std::ifstream in(path_);
    try {
        json_ = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path_ + ": not a baseline cache (" + e.what() + ")");
    }
    if (!json_.is_object() || !json_.contains("format") || json_["format"] != kFormat || !json_.contains("baselines") ||
        !json_["baselines"].is_object())
        throw std::runtime_error(path_ + ": not a baseline cache (expected an object with \"format\": \"" + kFormat + "\")");
}

std::optional<BaselineCache::Entry> BaselineCache::find(const std::string& baseline, const std::string& audio_path) const {
    if (!enabled()) return std::nullopt;
    const nlohmann::json identity = file_identity(audio_path);
    std::lock_guard<std::mutex> lock(mutex_);
    const nlohmann::json& baselines = json_.at("baselines");
    if (!baselines.contains(baseline) || !baselines.at(baseline).is_object() || !baselines.at(baseline).contains(audio_path)) return std::nullopt;
    const nlohmann::json& e = baselines.at(baseline).at(audio_path);
    try {
        if (identity.is_null() || e.at("file") != identity) return std::nullopt;
        return Entry{e.at("hypothesis").get<std::string>(), e.at("compute_s").get<double>(), e.at("audio_s").get<double>()};
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path_ + ": entry for " + audio_path + " is malformed (" + error.what() + ")");
    }
}

void BaselineCache::put(const std::string& baseline, const std::string& audio_path, const Entry& entry) {
    if (!enabled()) return;
    nlohmann::json identity = file_identity(audio_path);
    if (identity.is_null()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    json_["baselines"][baseline][audio_path] = {
        {"file", std::move(identity)}, {"hypothesis", entry.hypothesis}, {"compute_s", entry.compute_s}, {"audio_s", entry.audio_s}};
    changed_ = true;
}

void BaselineCache::save() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!enabled() || !changed_) return;
    // Strict, unlike displayed JSON: the audio paths are the cache's keys, and a path whose bytes
    // were replaced would never match again.
    std::string text;
    try {
        text = json_.dump(1) + "\n";
    } catch (const nlohmann::json::type_error&) {
        throw std::runtime_error(path_ + ": cannot save the baseline cache: an audio path or transcript is not UTF-8");
    }
    write_file_atomically(path_, {{text.data(), text.size()}});
}

}  // namespace rwkvt::cli
