// The training config: defaults, relative paths, and one-line errors that name the key.
#include <doctest/doctest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/scratch.hpp"
#include "train_config.hpp"

using rwkvt::train::load_train_config;

namespace {

std::string write(const rwkvt::test::ScratchDir& dir, const std::string& text) {
    const std::string path = dir.file("train.yaml");
    std::ofstream(path) << text;
    return path;
}

std::string error_of(const std::string& path) {
    try {
        load_train_config(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("train config: values, defaults and paths relative to the file") {
    rwkvt::test::ScratchDir dir;
    const auto c = load_train_config(write(dir, "model: {config: m.yaml}\ndata: {train: t.jsonl, batch_seconds: 30, spec_augment_time_masks: 0}\n"
                                                "optim: {lr: 2.0e-3, betas: [0.8, 0.95]}\nrun: {out_dir: out, seed: 7}\n"));
    CHECK(c.model_config == dir.path() + "/m.yaml");
    CHECK(c.train_manifest == dir.path() + "/t.jsonl");
    CHECK(c.out_dir == dir.path() + "/out");
    CHECK(c.batch_seconds == 30.0);
    CHECK(c.lr == 2.0e-3);
    CHECK(c.beta1 == 0.8);
    CHECK(c.beta2 == 0.95);
    CHECK(c.seed == 7);
    CHECK(c.warmup_steps == 500);  // default
    CHECK(c.spec_augment_frequency_masks == 2);  // default
    CHECK(c.spec_augment_time_masks == 0);
    CHECK(c.matmul_precision == rwkvt::train::MatmulPrecision::F32);  // default
    CHECK_NOTHROW(c.require_inputs_for(rwkvt::train::Mode::Joint));
    CHECK_THROWS_WITH(c.require_inputs_for(rwkvt::train::Mode::Lm), doctest::Contains("data.text"));
}

TEST_CASE("matmul precision: every listed spelling parses back to the precision it names") {
    const std::vector<std::string> names = rwkvt::train::matmul_precision_names();
    CHECK(names == std::vector<std::string>{"f32", "bf16"});
    for (const std::string& name : names) {
        const auto precision = rwkvt::train::parse_matmul_precision(name);
        REQUIRE(precision.has_value());
        CHECK(rwkvt::train::matmul_precision_name(*precision) == name);
    }
    CHECK_FALSE(rwkvt::train::parse_matmul_precision("fp16").has_value());
    CHECK_FALSE(rwkvt::train::parse_matmul_precision("F32").has_value());
}

TEST_CASE("train config: optim.matmul_precision reads f32 and bf16") {
    rwkvt::test::ScratchDir dir;
    CHECK(load_train_config(write(dir, "optim: {matmul_precision: bf16}\n")).matmul_precision == rwkvt::train::MatmulPrecision::BF16);
    CHECK(load_train_config(write(dir, "optim: {matmul_precision: f32}\n")).matmul_precision == rwkvt::train::MatmulPrecision::F32);
}

TEST_CASE("train config: malformed values say which key and what was expected") {
    rwkvt::test::ScratchDir dir;
    CHECK(error_of(write(dir, "optim: {lr: fast}\n")).find("optim.lr: expected a number, got 'fast'") != std::string::npos);
    CHECK(error_of(write(dir, "optim: {betas: 0.9}\n")).find("optim.betas: expected a list of two numbers") != std::string::npos);
    CHECK(error_of(write(dir, "run: {epochs: 0}\n")).find("run.epochs: expected a number >= 1") != std::string::npos);
    CHECK(error_of(write(dir, "data: {spec_augment: maybe}\n")).find("data.spec_augment: expected true or false") != std::string::npos);
    CHECK(error_of(write(dir, "data: {spec_augment_time_masks: -1}\n")).find("data.spec_augment_time_masks: expected a number >= 0") !=
          std::string::npos);
    CHECK(error_of(write(dir, "data: {augment_fraction: 1.5}\n")).find("data.augment_fraction: expected a number in [0, 1], got 1.5") != std::string::npos);
    CHECK(error_of(write(dir, "data: {formant_range: [1.2, 0.9]}\n")).find("data.formant_range: expected [LOW, HIGH]") != std::string::npos);
    CHECK(error_of(write(dir, "data: {formant_range: 1.1}\n")).find("data.formant_range: expected a list of two numbers") != std::string::npos);
    CHECK(error_of(write(dir, "optim: {matmul_precision: fp16}\n")).find("optim.matmul_precision: expected f32 or bf16, got 'fp16'") != std::string::npos);
    CHECK(error_of(write(dir, "optim: {learning_rate: 1}\n")).find("optim.learning_rate: unknown key") != std::string::npos);
    CHECK(error_of(write(dir, "modle: {config: x}\n")).find("modle: unknown key") != std::string::npos);
    CHECK(error_of(write(dir, "data: [1, 2]\n")).find("data: expected a mapping") != std::string::npos);
    CHECK(error_of(write(dir, "optim: {lr: [1\n")).find("not valid YAML") != std::string::npos);
    CHECK(error_of(dir.file("missing.yaml")).find("cannot read") != std::string::npos);
}

TEST_CASE("train config: the example configs of the three stages parse and name their inputs") {
    using rwkvt::train::Mode;
    const std::string dir = RWKVT_SOURCE_DIR "/model/training/examples/";
    CHECK_NOTHROW(load_train_config(dir + "stage1-ctc.yaml").require_inputs_for(Mode::Ctc));
    CHECK_NOTHROW(load_train_config(dir + "stage2-lm.yaml").require_inputs_for(Mode::Lm));
    const auto joint = load_train_config(dir + "stage3-joint.yaml");
    CHECK_NOTHROW(joint.require_inputs_for(Mode::Joint));
    CHECK(joint.encoder_from.find("stage1-ctc/checkpoint.ckpt") != std::string::npos);
}
