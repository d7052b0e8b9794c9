// Weight averaging (model/model_average.hpp): the mean of fresh random models element by element,
// against a plain loop, and models that cannot be averaged refused with the offending file named.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "init.hpp"
#include "model_average.hpp"
#include "model_file.hpp"
#include "scratch.hpp"

namespace {

rwkvt::ModelConfig tiny_config() { return rwkvt::ModelConfig::from_yaml_file(RWKVT_SOURCE_DIR "/model/configs/tiny.yaml"); }

uint64_t fresh_seed() { return std::random_device{}(); }

}  // namespace

TEST_CASE("the average of three models is their element-wise mean, with the config and tokenizer kept") {
    const uint64_t seed = fresh_seed();
    CAPTURE(seed);
    std::vector<rwkvt::Model> models;
    for (uint64_t m = 0; m < 3; ++m) models.push_back(rwkvt::init_model(tiny_config(), seed + m, 0.5f));
    const rwkvt::Model mean = rwkvt::average_models(models, {"a", "b", "c"});
    CHECK(mean.config.to_json() == models[0].config.to_json());
    CHECK(mean.tokenizer.to_json() == models[0].tokenizer.to_json());
    CHECK(mean.origin.find("average of 3 models") != std::string::npos);
    REQUIRE(mean.weights.all().size() == models[0].weights.all().size());
    size_t differing_inputs = 0;
    for (const auto& [name, tensor] : mean.weights.all()) {
        INFO(name);
        const std::vector<float>&a = models[0].weights.at(name).data, &b = models[1].weights.at(name).data, &c = models[2].weights.at(name).data;
        REQUIRE(tensor.data.size() == a.size());
        CHECK_FALSE(tensor.from_bf16);
        for (size_t i = 0; i < a.size(); ++i) {
            const double expected = (static_cast<double>(a[i]) + b[i] + c[i]) / 3.0;
            if (std::fabs(expected - tensor.data[i]) > 1e-6 * (1.0 + std::fabs(expected))) FAIL("element " << i << ": " << tensor.data[i] << " != " << expected);
            differing_inputs += a[i] != b[i];
        }
    }
    CHECK(differing_inputs > 1000);  // the seeds gave different models, so the test compared means
}

TEST_CASE("averaging one model gives it back, bf16 marks included") {
    rwkvt::test::ScratchDir dir;
    const std::string path = dir.path() + "/model.safetensors";
    rwkvt::save_model(rwkvt::init_model(tiny_config(), fresh_seed(), 0.5f), path, rwkvt::StorageDtype::BF16);
    const rwkvt::Model model = rwkvt::load_model(path);
    const rwkvt::Model same = rwkvt::average_models({model}, {path});
    for (const auto& [name, tensor] : model.weights.all()) {
        INFO(name);
        CHECK(same.weights.at(name).data == tensor.data);
        CHECK(same.weights.at(name).from_bf16 == tensor.from_bf16);
    }
}

TEST_CASE("models of other configs are refused, naming the file") {
    rwkvt::ModelConfig wider = tiny_config();
    wider.vocab_size += 4;
    const std::vector<rwkvt::Model> models = {rwkvt::init_model(tiny_config(), 1), rwkvt::init_model(wider, 1)};
    CHECK_THROWS_WITH_AS(rwkvt::average_models(models, {"first.safetensors", "second.safetensors"}),
                         doctest::Contains("second.safetensors: its config differs from first.safetensors's"), std::runtime_error);
    CHECK_THROWS_WITH_AS(rwkvt::average_models({}, {}), "no models to average", std::runtime_error);
}
