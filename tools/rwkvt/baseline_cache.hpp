// Baseline transcripts kept between evaluations (`rwkvt eval --baseline-cache FILE`).
//
// pocketsphinx runs at a few times real time here, some ten times slower than rwkvt, and its
// transcripts do not change when the model under test does; evaluating checkpoint after checkpoint
// would otherwise spend most of its time re-running the baseline. An entry is keyed by the baseline's
// name and the audio path, and holds only while the file keeps the size and modification time it
// had when it was transcribed.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace rwkvt::cli {

class BaselineCache {
public:
    struct Entry {
        std::string hypothesis;
        double compute_s = 0.0;  // the time it took when it was made
        double audio_s = 0.0;
    };

    // An empty path is no cache. A missing file is an empty cache; one that is not a cache is an error.
    explicit BaselineCache(std::string path);

    bool enabled() const { return !path_.empty(); }
    std::optional<Entry> find(const std::string& baseline, const std::string& audio_path) const;
    void put(const std::string& baseline, const std::string& audio_path, const Entry& entry);
    // Writes the file atomically (nothing is written when nothing was added).
    void save() const;

private:
    std::string path_;
    nlohmann::json json_;
    bool changed_ = false;
    mutable std::mutex mutex_;
};

}  // namespace rwkvt::cli
