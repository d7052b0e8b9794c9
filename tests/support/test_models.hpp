// Models and audio for tests: configs from model/configs, models from init_model with noise on
// every tensor (so every weight takes part), saved to a temporary file when a path is needed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "config.hpp"
#include "init.hpp"
#include "model_file.hpp"

namespace rwkvt::test {

inline ModelConfig config_named(const std::string& name) {
    return ModelConfig::from_yaml_file(std::string(RWKVT_SOURCE_DIR) + "/model/configs/" + name + ".yaml");
}

// A model with every tensor perturbed, so that zero-initialised paths are exercised too.
inline Model noisy_model(const std::string& config, uint64_t seed, float noise = 0.1f) {
    return init_model(config_named(config), seed, noise);
}

// A file that is removed when the object goes out of scope.
struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& suffix) {
        static std::mt19937_64 rng{std::random_device{}()};
        path = std::filesystem::temp_directory_path() / ("rwkvt-test-" + std::to_string(rng()) + suffix);
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    std::string str() const { return path.string(); }
};

// Speech-like test audio: a few random tones with a random envelope plus noise, in [-1, 1].
inline std::vector<float> random_audio(double seconds, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const size_t n = static_cast<size_t>(seconds * 16000);
    std::vector<float> out(n);
    float f1 = 100 + 300 * u(rng), f2 = 500 + 2000 * u(rng), f3 = 2500 + 4000 * u(rng);
    for (size_t i = 0; i < n; ++i) {
        const float t = static_cast<float>(i) / 16000.0f;
        const float envelope = 0.5f + 0.5f * std::sin(2.0f * 3.14159265f * 3.0f * t + f1);
        out[i] = 0.3f * envelope * (std::sin(2 * 3.14159265f * f1 * t) + 0.5f * std::sin(2 * 3.14159265f * f2 * t) +
                                    0.25f * std::sin(2 * 3.14159265f * f3 * t)) +
                 0.05f * (2.0f * u(rng) - 1.0f);
    }
    return out;
}

// max |a - b| / max(1, max |b|): the relative error the kernel and runtime tests bound.
template <typename A, typename B>
double relative_error(const A& a, const B& b, size_t n) {
    double diff = 0.0, scale = 1.0;
    for (size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
        scale = std::max(scale, std::abs(static_cast<double>(b[i])));
    }
    return diff / scale;
}

}  // namespace rwkvt::test
