// JSON Lines manifests: reading with per-line errors, writing atomically.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "model_file.hpp"  // write_file_atomically
#include "rwkvt/data/manifest.hpp"

namespace rwkvt::data {

namespace fs = std::filesystem;

std::string to_jsonl_line(const Utterance& u) {
    // ordered_json keeps the documented key order, which makes manifests easy to read and diff.
    nlohmann::ordered_json j;
    j["audio_filepath"] = u.audio_filepath;
    j["duration"] = u.duration;
    j["text"] = u.text;
    j["speaker"] = u.speaker;
    if (!u.flag.empty()) j["flag"] = u.flag;
    return j.dump();
}

Utterance parse_jsonl_line(const std::string& line, const std::string& where) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message starts with "[json.exception.parse_error.101] "; keep the reason only.
        std::string reason = e.what();
        if (auto pos = reason.find("] "); pos != std::string::npos) reason = reason.substr(pos + 2);
        throw std::runtime_error(where + ": not valid JSON: " + reason);
    }
    if (!j.is_object()) throw std::runtime_error(where + ": expected a JSON object");
    auto string_field = [&](const char* key, bool required) -> std::string {
        auto it = j.find(key);
        if (it == j.end()) {
            if (required) throw std::runtime_error(where + ": missing \"" + key + "\"");
            return {};
        }
        if (it->is_number_integer()) return std::to_string(it->get<long long>());  // numeric speaker ids
        if (!it->is_string()) throw std::runtime_error(where + ": \"" + key + "\" is not a string");
        return it->get<std::string>();
    };
    Utterance u;
    u.audio_filepath = string_field("audio_filepath", true);
    if (u.audio_filepath.empty()) throw std::runtime_error(where + ": \"audio_filepath\" is empty");
    u.text = string_field("text", true);
    u.speaker = string_field("speaker", false);
    u.flag = string_field("flag", false);
    auto d = j.find("duration");
    if (d == j.end()) throw std::runtime_error(where + ": missing \"duration\"");
    if (!d->is_number()) throw std::runtime_error(where + ": \"duration\" is not a number");
    u.duration = d->get<double>();
    if (!(u.duration >= 0.0) || u.duration > 1e6)
        throw std::runtime_error(where + ": \"duration\" " + std::to_string(u.duration) + " is not a sane number of seconds");
    return u;
}

std::vector<Utterance> read_jsonl_manifest(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open manifest " + path);
    const fs::path folder = fs::absolute(fs::path(path)).parent_path();
    std::vector<Utterance> utterances;
    std::string line;
    for (long number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines are harmless
        Utterance u = parse_jsonl_line(line, path + ":" + std::to_string(number));
        if (fs::path(u.audio_filepath).is_relative()) u.audio_filepath = (folder / u.audio_filepath).lexically_normal().string();
        utterances.push_back(std::move(u));
    }
    if (in.bad()) throw std::runtime_error("read error in manifest " + path);
    return utterances;
}

void write_jsonl_manifest(const std::string& path, const std::vector<Utterance>& utterances) {
    std::string text;
    for (const Utterance& u : utterances) text += to_jsonl_line(u) + "\n";
    write_file_atomically(path, {{text.data(), text.size()}});
}

std::vector<Utterance> read_manifest(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".tsv" || ext == ".TSV") return read_tsv_manifest(path);
    return read_jsonl_manifest(path);
}

}  // namespace rwkvt::data
