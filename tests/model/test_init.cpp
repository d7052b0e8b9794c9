// Initialisation (model/init.hpp) against spec section 3: the closed-form vectors, orthogonal
// matrices with their gains, exact zeros and ones, PyTorch-default layers, noise and determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include <Eigen/Dense>

#include "init.hpp"
#include "scratch.hpp"

namespace {

rwkvt::ModelConfig config_named(const std::string& name) {
    return rwkvt::ModelConfig::from_yaml_file(RWKVT_SOURCE_DIR "/model/configs/" + name + ".yaml");
}

Eigen::MatrixXd as_matrix(const rwkvt::Tensor& t) {
    REQUIRE(t.shape.size() == 2);
    Eigen::MatrixXd m(t.shape[0], t.shape[1]);
    for (int64_t i = 0; i < t.shape[0]; ++i)
        for (int64_t j = 0; j < t.shape[1]; ++j) m(i, j) = t.data[static_cast<size_t>(i * t.shape[1] + j)];
    return m;
}

// W W^T = gain^2 I when W has no more rows than columns, else W^T W = gain^2 I.
void check_orthogonal(const rwkvt::Tensor& t, double gain) {
    const Eigen::MatrixXd w = as_matrix(t);
    const Eigen::MatrixXd gram = w.rows() <= w.cols() ? Eigen::MatrixXd(w * w.transpose()) : Eigen::MatrixXd(w.transpose() * w);
    const Eigen::MatrixXd expected = gain * gain * Eigen::MatrixXd::Identity(gram.rows(), gram.cols());
    CHECK((gram - expected).cwiseAbs().maxCoeff() < 1e-4 * std::max(1.0, gain * gain));
}

bool all_equal(const rwkvt::Tensor& t, float value) {
    for (float v : t.data)
        if (v != value) return false;
    return true;
}

double mean_of(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    return s / v.size();
}

double std_of(const std::vector<float>& v) {
    const double m = mean_of(v);
    double s = 0;
    for (float x : v) s += (x - m) * (x - m);
    return std::sqrt(s / v.size());
}

}  // namespace

TEST_CASE("init: block vectors follow the spec's formulas") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    // Tiny has two blocks per stack; a four-block variant also covers r01 strictly inside (0, 1).
    rwkvt::ModelConfig config = config_named("tiny");
    config.encoder_blocks = 4;
    const rwkvt::Model model = rwkvt::init_model(config, seed);
    const int C = config.width, N = config.head_size;
    for (const auto& [stack, L] : {std::pair<std::string, int>{"encoder", config.encoder_blocks},
                                   std::pair<std::string, int>{"predictor", config.predictor_blocks}}) {
        for (int l = 0; l < L; ++l) {
            INFO(stack << " block " << l);
            auto at = [&](const std::string& suffix) -> const std::vector<float>& {
                return model.weights.at(rwkvt::block_tensor(stack, l, suffix)).data;
            };
            const double r01 = static_cast<double>(l) / (L - 1), r10 = 1.0 - static_cast<double>(l) / L;
            for (int n = 0; n < C; ++n) {
                const double ddd = static_cast<double>(n) / C;
                const double linear = static_cast<double>(n) / (C - 1) - 0.5;
                const double z = ((n % N) - (N - 1) / 2.0) / ((N - 1) / 2.0);
                const double zigzag = z * std::fabs(z);
                const double www = -6 + 6 * std::pow(static_cast<double>(n) / (C - 1), 1 + std::pow(r01, 0.3));
                CHECK(at("att.x_r")[n] == doctest::Approx(1 - std::pow(ddd, 0.2 * r10)).epsilon(1e-6));
                CHECK(at("att.x_w")[n] == doctest::Approx(1 - std::pow(ddd, 0.9 * r10)).epsilon(1e-6));
                CHECK(at("att.x_k")[n] == doctest::Approx(1 - std::pow(ddd, 0.7 * r10)).epsilon(1e-6));
                CHECK(at("att.x_v")[n] == doctest::Approx(1 - std::pow(ddd, 0.7 * r10)).epsilon(1e-6));
                CHECK(at("att.x_a")[n] == doctest::Approx(1 - std::pow(ddd, 0.9 * r10)).epsilon(1e-6));
                CHECK(at("att.x_g")[n] == doctest::Approx(1 - std::pow(ddd, 0.2 * r10)).epsilon(1e-6));
                CHECK(at("ffn.x_k")[n] == doctest::Approx(1 - std::pow(ddd, std::pow(r10, 4))).epsilon(1e-6));
                CHECK(at("att.w0")[n] == doctest::Approx(www + 0.5 + 2.5 * zigzag).epsilon(1e-6));
                CHECK(at("att.a0")[n] == doctest::Approx(-0.19 + 0.3 * zigzag + 0.4 * linear).epsilon(1e-6));
                if (l > 0) CHECK(at("att.v0")[n] == doctest::Approx(0.73 - 0.4 * linear).epsilon(1e-6));
                CHECK(at("att.k_k")[n] == doctest::Approx(0.71 - 0.1 * linear).epsilon(1e-6));
                CHECK(at("att.k_a")[n] == 1.02f);
                CHECK(at("att.ln_x.weight")[n] == doctest::Approx(std::pow((1.0 + l) / L, 0.7)).epsilon(1e-6));
            }
            CHECK(all_equal(model.weights.at(rwkvt::block_tensor(stack, l, "att.r_k")), -0.04f));
            // Spot values that need no formula: channel 0 mixes fully with the previous token.
            CHECK(at("att.x_r")[0] == 1.0f);
            CHECK(at("ffn.x_k")[0] == 1.0f);
        }
    }
    // Known numbers for tiny's encoder block 0 (C = 64, N = 16): zigzag[0] = -1, www[0] = -6, so
    // w0[0] = -6 + 0.5 - 2.5 = -8.
    CHECK(model.weights.at("encoder.blocks.0.att.w0").data[0] == doctest::Approx(-8.0));
    // w0[63]: www = 0, zigzag = 1 -> 3.0; a0[63] = -0.19 + 0.3 + 0.2 = 0.31.
    CHECK(model.weights.at("encoder.blocks.0.att.w0").data[63] == doctest::Approx(3.0));
    CHECK(model.weights.at("encoder.blocks.0.att.a0").data[63] == doctest::Approx(0.31));
}

TEST_CASE("init: orthogonal matrices have the spec's gains, zeros and ones are exact") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    const rwkvt::ModelConfig config = config_named("tiny");
    const rwkvt::Model model = rwkvt::init_model(config, seed);
    for (const auto& [stack, L] : {std::pair<std::string, int>{"encoder", config.encoder_blocks},
                                   std::pair<std::string, int>{"predictor", config.predictor_blocks}}) {
        for (int l = 0; l < L; ++l) {
            INFO(stack << " block " << l);
            auto t = [&](const std::string& suffix) -> const rwkvt::Tensor& {
                return model.weights.at(rwkvt::block_tensor(stack, l, suffix));
            };
            for (const char* lora : {"att.w2", "att.a2", "att.g2"}) check_orthogonal(t(lora), 0.1);
            check_orthogonal(t("att.receptance.weight"), 1.0);
            check_orthogonal(t("att.value.weight"), 1.0);
            check_orthogonal(t("att.key.weight"), 0.1);
            check_orthogonal(t("ffn.key.weight"), 1.0);  // [F, C]: orthonormal columns
            for (const char* zero : {"att.w1", "att.a1", "att.g1", "att.output.weight", "ffn.value.weight",
                                     "ln1.bias", "ln2.bias", "att.ln_x.bias"})
                CHECK_MESSAGE(all_equal(t(zero), 0.0f), zero);
            for (const char* one : {"ln1.weight", "ln2.weight"}) CHECK_MESSAGE(all_equal(t(one), 1.0f), one);
            if (l == 0) {
                CHECK(all_equal(t("ln0.weight"), 1.0f));
                CHECK(all_equal(t("ln0.bias"), 0.0f));
            } else {
                check_orthogonal(t("att.v2"), 0.1);
                CHECK(all_equal(t("att.v1"), 0.0f));
            }
        }
        CHECK(all_equal(model.weights.at(stack + ".ln_out.weight"), 1.0f));
        CHECK(all_equal(model.weights.at(stack + ".ln_out.bias"), 0.0f));
    }
    CHECK(all_equal(model.weights.at("frontend.feature_mean"), 0.0f));
    CHECK(all_equal(model.weights.at("frontend.feature_std"), 1.0f));
}

TEST_CASE("init: PyTorch-default layers and the embedding") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    const rwkvt::ModelConfig config = config_named("tiny");
    const rwkvt::Model model = rwkvt::init_model(config, seed);
    const double C = config.width, F1 = config.subsample_channels;
    const std::pair<std::string, double> layers[] = {
        {"encoder.subsample.conv1", 1.0 / 3.0},  // fan_in 9
        {"encoder.subsample.conv2", 1.0 / std::sqrt(9 * F1)},
        {"encoder.subsample.out", 1.0 / std::sqrt(static_cast<double>(config.subsample_flat()))},
        {"joiner.enc_proj", 1.0 / std::sqrt(C)},
        {"joiner.pred_proj", 1.0 / std::sqrt(C)},
        {"joiner.hidden", 1.0 / std::sqrt(C)},
        {"joiner.out", 1.0 / std::sqrt(C)},
        {"ctc_head", 1.0 / std::sqrt(C)}};
    for (const auto& [prefix, bound] : layers) {
        INFO(prefix);
        for (const std::string suffix : {".weight", ".bias"}) {
            if (!model.weights.contains(prefix + suffix)) continue;
            const auto& v = model.weights.at(prefix + suffix).data;
            float largest = 0;
            for (float x : v) largest = std::max(largest, std::fabs(x));
            CHECK(largest <= bound);
            if (v.size() >= 500) {  // uniform(-b, b): mean 0, std b / sqrt(3)
                CHECK(std::fabs(mean_of(v)) < 0.1 * bound);
                CHECK(std_of(v) == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.1));
                CHECK(largest > 0.95 * bound);
            }
        }
    }
    const auto& emb = model.weights.at("predictor.emb.weight").data;
    CHECK(std::fabs(mean_of(emb)) < 1e-5);
    CHECK(std_of(emb) == doctest::Approx(1e-4).epsilon(0.1));
}

TEST_CASE("init: deterministic per seed, and noise reaches every tensor") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    const rwkvt::ModelConfig config = config_named("tiny");
    const rwkvt::Model a = rwkvt::init_model(config, seed), b = rwkvt::init_model(config, seed);
    const rwkvt::Model other = rwkvt::init_model(config, seed + 1);
    const rwkvt::Model noisy = rwkvt::init_model(config, seed, 0.1f);
    const rwkvt::Model noisy_again = rwkvt::init_model(config, seed, 0.1f);
    CHECK(a.origin == "initialised");
    for (const auto& spec : rwkvt::tensor_specs(config)) {
        INFO(spec.name);
        const auto& x = a.weights.at(spec.name).data;
        CHECK(std::memcmp(x.data(), b.weights.at(spec.name).data.data(), x.size() * 4) == 0);
        const auto& n = noisy.weights.at(spec.name).data;
        CHECK(std::memcmp(n.data(), noisy_again.weights.at(spec.name).data.data(), n.size() * 4) == 0);
        std::vector<float> delta(x.size());
        size_t changed = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            delta[i] = n[i] - x[i];
            changed += delta[i] != 0.0f;
        }
        // Noise below half an ulp of a large weight (w0 is about -6) rounds away: allow the rare one.
        CHECK(x.size() - changed <= 1 + x.size() / 1000);
        if (spec.name == "frontend.feature_std") {
            for (float s : n) CHECK(s >= 1.0f);
        } else if (delta.size() >= 1000) {
            CHECK(std_of(delta) == doctest::Approx(0.1).epsilon(0.1));
            CHECK(std::fabs(mean_of(delta)) < 0.02);
        }
    }
    // A different seed changes every random tensor.
    CHECK(a.weights.at("encoder.blocks.0.att.receptance.weight").data !=
          other.weights.at("encoder.blocks.0.att.receptance.weight").data);
    CHECK(a.weights.at("joiner.out.weight").data != other.weights.at("joiner.out.weight").data);
    CHECK_THROWS_AS(rwkvt::init_model(config, seed, -1.0f), std::runtime_error);
}

TEST_CASE("init: the 19M config, SentencePiece placeholders and one-block stacks") {
    const rwkvt::ModelConfig config = config_named("rwkvt-19m");
    const double total = static_cast<double>(rwkvt::count_parameters(config).total());
    CHECK(std::fabs(total - 19.3e6) / 19.3e6 < 0.03);
    const rwkvt::Model model = rwkvt::init_model(config, rwkvt::test::fresh_seed());
    CHECK_NOTHROW(model.validate());
    CHECK(model.tokenizer.kind() == "bpe");
    CHECK(model.tokenizer.vocab_size() == config.vocab_size);
    CHECK(model.tokenizer.pieces()[config.blank_id] == "<blank>");
    CHECK(model.tokenizer.pieces()[5] == "<piece5>");
    check_orthogonal(model.weights.at("encoder.blocks.11.ffn.key.weight"), 1.0);
    check_orthogonal(model.weights.at("predictor.blocks.3.att.g2"), 0.1);

    rwkvt::ModelConfig single = config_named("tiny");
    single.encoder_blocks = 1;
    single.predictor_blocks = 1;
    const rwkvt::Model one = rwkvt::init_model(single, 7);
    for (float v : one.weights.at("encoder.blocks.0.att.w0").data) CHECK(std::isfinite(v));
    CHECK(one.tokenizer.kind() == "char");
    CHECK(one.tokenizer.decode(one.tokenizer.encode("hello world")) == "hello world");
}
