// The LibTorch transducer against the reference implementation (model/reference/) on a noisy
// initialisation of the tiny config: encoder (also batched with different lengths), predictor,
// joiner, CTC head; the model round trip; and gradients reaching every parameter.
#include "torch_doctest.hpp"

#include <cstring>
#include <random>
#include <set>

#include "reference/reference.hpp"
#include "schema.hpp"
#include "support/test_models.hpp"
#include "training/rnnt_loss_batch.hpp"
#include "training/transducer.hpp"

using namespace rwkvt;
using train::Transducer;

namespace {

// Random normalised features [T, n_mels].
ref::Mat random_features(int T, int n_mels, uint64_t seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<float> n01(0.0f, 1.0f);
    ref::Mat f(T, n_mels);
    for (int i = 0; i < f.size(); ++i) f.data()[i] = n01(rng);
    return f;
}

torch::Tensor to_torch(const ref::Mat& m) {
    return torch::from_blob(const_cast<float*>(m.data()), {m.rows(), m.cols()}, torch::kFloat32).clone();
}

// max |a - b| / max(1, max |b|), as the kernel tests bound it.
double relative_error(const torch::Tensor& a, const ref::Mat& b) {
    const torch::Tensor t = a.detach().contiguous();
    REQUIRE(t.numel() == b.size());
    return test::relative_error(t.data_ptr<float>(), b.data(), static_cast<size_t>(b.size()));
}
double relative_error(const torch::Tensor& a, const ref::Vec& b) {
    const torch::Tensor t = a.detach().contiguous();
    REQUIRE(t.numel() == b.size());
    return test::relative_error(t.data_ptr<float>(), b.data(), static_cast<size_t>(b.size()));
}

struct Fixture {
    Model model = test::noisy_model("tiny", 7, 0.2f);
    Transducer net{model.config};
    Fixture() {
        at::set_num_threads(1);
        net->load_from(model);
    }
};

}  // namespace

TEST_CASE("transducer: named parameters are the schema's names and shapes") {
    at::set_num_threads(1);
    const ModelConfig config = test::config_named("tiny");
    Transducer net(config);
    std::set<std::string> expected, got;
    for (const TensorSpec& spec : tensor_specs(config)) {
        if (spec.part == ModelPart::Frontend) continue;
        expected.insert(spec.name);
        CAPTURE(spec.name);
        REQUIRE(net->named_parameters().contains(spec.name));
        CHECK(net->named_parameters()[spec.name].sizes().vec() == spec.shape);
    }
    for (const auto& item : net->named_parameters()) got.insert(item.key());
    CHECK(got == expected);
    CHECK(net->named_buffers().contains("frontend.feature_mean"));
    CHECK(net->named_buffers().contains("frontend.feature_std"));
}

TEST_CASE("transducer: to_model(load_from(m)) round-trips every tensor bit-exactly") {
    Fixture f;
    const Model back = f.net->to_model(f.model.tokenizer, "round trip");
    CHECK(back.origin == "round trip");
    CHECK(back.config.to_json() == f.model.config.to_json());
    for (const TensorSpec& spec : tensor_specs(f.model.config)) {
        CAPTURE(spec.name);
        const Tensor& a = f.model.weights.at(spec.name);
        const Tensor& b = back.weights.at(spec.name);
        REQUIRE(a.shape == b.shape);
        CHECK(std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("transducer: set_feature_stats reaches the model's frontend tensors") {
    Fixture f;
    const int M = f.model.config.n_mels;
    f.net->set_feature_stats(torch::arange(M, torch::kFloat32), torch::full({M}, 2.0f));
    const Model m = f.net->to_model(f.model.tokenizer, "stats");
    CHECK(m.weights.at("frontend.feature_mean").data[5] == 5.0f);
    CHECK(m.weights.at("frontend.feature_std").data[7] == 2.0f);
}

TEST_CASE("transducer: encoder equals ref::encoder_forward, also batched with different lengths") {
    Fixture f;
    const int M = f.model.config.n_mels;
    const std::vector<int> lengths = {23, 17, 9, 4, 1};
    const int T_max = 23;
    // Padding holds random values, not zeros: nothing of it may reach a valid frame.
    torch::Tensor batch = torch::randn({static_cast<int64_t>(lengths.size()), T_max, M});
    std::vector<ref::Mat> features;
    for (size_t b = 0; b < lengths.size(); ++b) {
        features.push_back(random_features(lengths[b], M, 100 + b));
        batch[static_cast<int64_t>(b)].narrow(0, 0, lengths[b]).copy_(to_torch(features.back()));
    }
    torch::NoGradGuard no_grad;
    const auto [enc, enc_lengths] = f.net->encode(batch, torch::tensor(std::vector<int64_t>(lengths.begin(), lengths.end())));
    CHECK(enc.size(1) == (T_max + 3) / 4);
    for (size_t b = 0; b < lengths.size(); ++b) {
        CAPTURE(b);
        const ref::Mat expected = ref::encoder_forward(f.model, features[b]);
        const int64_t frames = enc_lengths[static_cast<int64_t>(b)].item<int64_t>();
        REQUIRE(frames == expected.rows());
        // Unbatched and batched both equal the reference on the valid frames.
        const auto single = f.net->encode(to_torch(features[b]).unsqueeze(0), torch::tensor({lengths[b]}));
        CHECK(relative_error(single.first[0], expected) < 1e-4);
        CHECK(relative_error(enc[static_cast<int64_t>(b)].narrow(0, 0, frames), expected) < 1e-4);
        // Padding that leaked into a valid frame would move it by far more than this; f32 rounding
        // does differ between the two, because the products block a 5-row and a 1-row batch
        // differently.
        CHECK((enc[static_cast<int64_t>(b)].narrow(0, 0, frames) - single.first[0]).abs().max().item<float>() < 5e-5f);
    }
}

TEST_CASE("transducer: predictor, joiner, LM logits and CTC head equal the reference") {
    Fixture f;
    const ModelConfig& c = f.model.config;
    torch::NoGradGuard no_grad;
    const std::vector<std::vector<int>> labels = {{3, 7, 1, 29, 12, 5, 5}, {9, 2, 20}};
    const int64_t U = 7;
    torch::Tensor tokens = torch::full({2, U + 1}, c.blank_id, torch::kInt64);
    for (size_t b = 0; b < labels.size(); ++b)
        for (size_t u = 0; u < labels[b].size(); ++u) tokens[static_cast<int64_t>(b)][static_cast<int64_t>(u + 1)] = labels[b][u];
    const torch::Tensor pred = f.net->predict(tokens);
    const ref::Mat features = random_features(30, c.n_mels, 5);
    const torch::Tensor enc = f.net->encode(to_torch(features).unsqueeze(0), torch::tensor({30})).first.expand({2, -1, -1});
    const ref::Mat enc_ref = ref::encoder_forward(f.model, features);
    const torch::Tensor logits = f.net->joint(enc, pred);
    const torch::Tensor lm = f.net->lm_logits(pred);
    const torch::Tensor ctc = f.net->ctc_logits(enc);
    REQUIRE(logits.sizes().vec() == std::vector<int64_t>{2, enc.size(1), U + 1, c.vocab_size});
    for (size_t b = 0; b < labels.size(); ++b) {
        CAPTURE(b);
        const ref::Mat pred_ref = ref::predictor_sequence(f.model, labels[b]);
        const int64_t bi = static_cast<int64_t>(b);
        CHECK(relative_error(pred[bi].narrow(0, 0, pred_ref.rows()), pred_ref) < 1e-4);
        for (int64_t u = 0; u < pred_ref.rows(); u += 2)
            for (int64_t t = 0; t < enc_ref.rows(); t += 3) {
                CAPTURE(t);
                CAPTURE(u);
                const ref::Vec expected = ref::joiner_logits(f.model, enc_ref.row(t).transpose(), pred_ref.row(u).transpose());
                CHECK(relative_error(logits[bi][t][u], expected) < 1e-4);
            }
        for (int64_t u = 0; u < pred_ref.rows(); ++u) {
            const ref::Vec expected = ref::joiner_logits(f.model, ref::Vec::Zero(c.width), pred_ref.row(u).transpose());
            CHECK(relative_error(lm[bi][u], expected) < 1e-4);
        }
    }
    for (int64_t t = 0; t < enc_ref.rows(); ++t)
        CHECK(relative_error(ctc[0][t], ref::Vec(ref::ctc_logits(f.model, enc_ref.row(t).transpose()))) < 1e-4);
}

TEST_CASE("transducer: one joint RNN-T + CTC loss backward reaches every parameter") {
    Fixture f;
    const ModelConfig& c = f.model.config;
    const int64_t B = 2, T = 40, U = 5;
    torch::manual_seed(3);
    const torch::Tensor features = torch::randn({B, T, c.n_mels});
    const torch::Tensor lengths = torch::tensor({T, T - 11});
    const torch::Tensor labels = torch::randint(1, c.vocab_size, {B, U}, torch::kInt64);
    const torch::Tensor label_lengths = torch::tensor({U, U - 2});
    const auto [enc, enc_lengths] = f.net->encode(features, lengths);
    const torch::Tensor tokens = torch::cat({torch::full({B, 1}, c.blank_id, torch::kInt64), labels}, 1);
    const torch::Tensor logits = f.net->joint(enc, f.net->predict(tokens));
    const torch::Tensor rnnt = train::rnnt_loss_batch(logits, labels, enc_lengths, label_lengths, c.blank_id);
    const torch::Tensor log_probs = f.net->ctc_logits(enc).log_softmax(-1).transpose(0, 1);
    const torch::Tensor ctc = torch::ctc_loss(log_probs, labels, enc_lengths, label_lengths, c.blank_id);
    const torch::Tensor loss = rnnt + 0.3 * ctc;
    REQUIRE(std::isfinite(loss.item<float>()));
    loss.backward();
    for (const auto& item : f.net->named_parameters()) {
        CAPTURE(item.key());
        REQUIRE(item.value().grad().defined());
        CHECK(item.value().grad().abs().sum().item<double>() > 0.0);
        CHECK(torch::isfinite(item.value().grad()).all().item<bool>());
    }
}

TEST_CASE("rnnt_loss_batch: the mean of per-utterance losses; gradient matches finite differences") {
    at::set_num_threads(1);
    torch::manual_seed(11);
    const int64_t B = 3, T = 5, U = 3, V = 6;
    torch::Tensor logits = torch::randn({B, T, U + 1, V}).requires_grad_(true);
    const torch::Tensor labels = torch::randint(1, V, {B, U}, torch::kInt32);
    const torch::Tensor t_len = torch::tensor({5, 3, 1}), u_len = torch::tensor({3, 1, 0});
    torch::Tensor loss = train::rnnt_loss_batch(logits, labels, t_len, u_len, 0);
    // The mean of the single-utterance losses (each on its unpadded slice).
    double sum = 0.0;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t Tb = t_len[b].item<int64_t>(), Ub = u_len[b].item<int64_t>();
        sum += train::rnnt_loss_batch(logits.detach()[b].narrow(0, 0, Tb).narrow(1, 0, Ub + 1).unsqueeze(0),
                                      labels[b].narrow(0, 0, Ub).unsqueeze(0), torch::tensor({Tb}),
                                      torch::tensor({Ub}), 0)
                   .item<double>();
    }
    CHECK(loss.item<double>() == doctest::Approx(sum / B).epsilon(1e-6));
    loss.backward();
    const torch::Tensor grad = logits.grad();
    // Padding gets no gradient; a few entries against central differences.
    CHECK(grad[2].narrow(0, 1, T - 1).abs().sum().item<float>() == 0.0f);
    const double h = 1e-2;
    for (const auto& idx : std::vector<std::array<int64_t, 4>>{{0, 0, 0, 0}, {0, 4, 3, 0}, {1, 2, 1, 3}, {2, 0, 0, 5}}) {
        torch::Tensor plus = logits.detach().clone(), minus = logits.detach().clone();
        plus[idx[0]][idx[1]][idx[2]][idx[3]] += h;
        minus[idx[0]][idx[1]][idx[2]][idx[3]] -= h;
        const double numeric = (train::rnnt_loss_batch(plus, labels, t_len, u_len, 0).item<double>() -
                                train::rnnt_loss_batch(minus, labels, t_len, u_len, 0).item<double>()) /
                               (2 * h);
        CHECK(grad[idx[0]][idx[1]][idx[2]][idx[3]].item<double>() == doctest::Approx(numeric).epsilon(2e-2));
    }
    CHECK_THROWS_AS(train::rnnt_loss_batch(logits.detach(), labels, torch::tensor({6, 1, 1}), u_len, 0),
                    std::invalid_argument);
}
