// Writing BF16 model files (`rwkvt export --dtype bf16`): matrices shrink to two bytes per value,
// vectors stay F32, and loading widens everything back within bf16's precision.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "init.hpp"
#include "model_file.hpp"
#include "scratch.hpp"

TEST_CASE("model file: BF16 writing keeps vectors exact and matrices within bf16 rounding") {
    rwkvt::test::ScratchDir dir;
    const rwkvt::ModelConfig config = rwkvt::ModelConfig::from_yaml_file(RWKVT_SOURCE_DIR "/model/configs/tiny.yaml");
    const rwkvt::Model model = rwkvt::init_model(config, 7, 0.05f);
    rwkvt::save_model(model, dir.file("f32.safetensors"));
    rwkvt::save_model(model, dir.file("bf16.safetensors"), rwkvt::StorageDtype::BF16);
    const auto f32_size = std::filesystem::file_size(dir.file("f32.safetensors"));
    const auto bf16_size = std::filesystem::file_size(dir.file("bf16.safetensors"));
    CHECK(bf16_size < f32_size * 0.6);

    const rwkvt::Model loaded = rwkvt::load_model(dir.file("bf16.safetensors"));
    for (const auto& [name, t] : model.weights.all()) {
        INFO(name);
        const rwkvt::Tensor& u = loaded.weights.at(name);
        REQUIRE(u.data.size() == t.data.size());
        for (size_t i = 0; i < t.data.size(); ++i) {
            if (t.shape.size() < 2) {
                REQUIRE(u.data[i] == t.data[i]);
            } else {
                // Round to nearest with 8 significant bits: relative error at most 2^-8.
                REQUIRE(std::fabs(u.data[i] - t.data[i]) <= std::fabs(t.data[i]) * (1.0f / 256.0f) + 1e-30f);
            }
        }
    }
}
