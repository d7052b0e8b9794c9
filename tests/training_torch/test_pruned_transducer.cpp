// The pruned RNN-T path of the LibTorch transducer: joint_pruned against the full joiner, the
// batched pruned loss against the full one where the windows hold every label position (values and
// gradients reaching the encoder and predictor), and pruning_bounds_batch against pruning_bounds on
// each utterance's own simple lattice.
#include "torch_doctest.hpp"

#include <vector>

#include "model/scratch.hpp"
#include "support/test_models.hpp"
#include "training/pruned_rnnt.hpp"
#include "training/rnnt_loss_batch.hpp"
#include "training/transducer.hpp"

using namespace rwkvt;
using train::Transducer;

namespace {

struct PrunedFixture {
    Model model = test::noisy_model("tiny", 5, 0.3f);
    Transducer net{model.config};
    int64_t B = 3, T = 9, U = 4;
    int64_t C, V;
    torch::Tensor enc, pred, labels, t_len, u_len;
    explicit PrunedFixture(uint64_t seed) {
        at::set_num_threads(1);
        net->load_from(model);
        torch::manual_seed(seed);
        C = model.config.width;
        V = model.config.vocab_size;
        enc = torch::randn({B, T, C}).requires_grad_(true);
        pred = torch::randn({B, U + 1, C}).requires_grad_(true);
        labels = torch::randint(1, V, {B, U}, torch::kInt64);  // blank is id 0 in the tiny config
        t_len = torch::tensor(std::vector<int64_t>{T, T - 3, 4});
        u_len = torch::tensor(std::vector<int64_t>{U, U - 1, 2});
    }
};

}  // namespace

TEST_CASE("joint_pruned is the full joiner at each window's label positions") {
    const uint64_t seed = test::fresh_seed();
    INFO("seed " << seed);
    PrunedFixture f(seed);
    const int S = 3;
    const torch::Tensor s_begin = torch::randint(0, f.U + 1, {f.B, f.T}, torch::kInt64);
    const torch::Tensor full = f.net->joint(f.enc, f.pred).detach();  // [B, T, U+1, V]
    const torch::Tensor pruned = f.net->joint_pruned(f.enc, f.pred, s_begin, S).detach();
    REQUIRE(pruned.sizes() == torch::IntArrayRef({f.B, f.T, S, f.V}));
    for (int64_t b = 0; b < f.B; ++b)
        for (int64_t t = 0; t < f.T; ++t)
            for (int k = 0; k < S; ++k) {
                const int64_t u = std::min(s_begin[b][t].item<int64_t>() + k, f.U);
                CHECK(torch::allclose(pruned[b][t][k], full[b][t][u], 1e-5, 1e-5));
            }
}

TEST_CASE("pruned batch loss with windows covering every label equals the full loss, gradients too") {
    const uint64_t seed = test::fresh_seed();
    INFO("seed " << seed);
    PrunedFixture f(seed);
    const int S = static_cast<int>(f.U) + 2;  // taller than any utterance's U + 1
    const int blank = f.model.config.blank_id;

    const torch::Tensor full = train::rnnt_loss_batch(f.net->joint(f.enc, f.pred), f.labels, f.t_len, f.u_len, blank);
    full.backward();
    const torch::Tensor enc_grad = f.enc.grad().clone(), pred_grad = f.pred.grad().clone();
    f.enc.grad().zero_();
    f.pred.grad().zero_();

    const torch::Tensor s_begin = torch::zeros({f.B, f.T}, torch::kInt64);
    const torch::Tensor pruned =
        train::pruned_rnnt_loss_batch(f.net->joint_pruned(f.enc, f.pred, s_begin, S), f.labels, s_begin, f.t_len, f.u_len, blank);
    pruned.backward();
    CHECK(pruned.item<double>() == doctest::Approx(full.item<double>()).epsilon(1e-5));
    // The two losses sum the same terms in different orders: compare to float rounding of the largest.
    auto relative_difference = [](const torch::Tensor& got, const torch::Tensor& want) {
        return (got - want).abs().max().item<double>() / std::max(1e-30, want.abs().max().item<double>());
    };
    CHECK(relative_difference(f.enc.grad(), enc_grad) < 1e-5);
    CHECK(relative_difference(f.pred.grad(), pred_grad) < 1e-5);
    CHECK(enc_grad.abs().sum().item<double>() > 0.0);
}

TEST_CASE("pruning_bounds_batch gives each utterance the windows of its own simple lattice") {
    const uint64_t seed = test::fresh_seed();
    INFO("seed " << seed);
    PrunedFixture f(seed);
    const int S = 2, blank = f.model.config.blank_id;
    const torch::Tensor am = torch::randn({f.B, f.T, f.V}).mul(2).log_softmax(-1);
    const torch::Tensor lm = torch::randn({f.B, f.U + 1, f.V}).mul(2).log_softmax(-1);
    const torch::Tensor s_begin = train::pruning_bounds_batch(am, lm, f.labels, f.t_len, f.u_len, S, blank);
    for (int64_t b = 0; b < f.B; ++b) {
        const int Tb = static_cast<int>(f.t_len[b].item<int64_t>()), Ub = static_cast<int>(f.u_len[b].item<int64_t>());
        // The utterance's simple lattice, node by node: log-softmax of am[t] + lm[u].
        std::vector<float> simple_blank(static_cast<size_t>(Tb) * (Ub + 1)), simple_label(static_cast<size_t>(Tb) * Ub);
        for (int t = 0; t < Tb; ++t)
            for (int u = 0; u <= Ub; ++u) {
                const torch::Tensor node = (am[b][t] + lm[b][u]).log_softmax(-1);
                simple_blank[static_cast<size_t>(t) * (Ub + 1) + u] = node[blank].item<float>();
                if (u < Ub) simple_label[static_cast<size_t>(t) * Ub + u] = node[f.labels[b][u]].item<float>();
            }
        std::vector<int> want(static_cast<size_t>(Tb));
        train::pruning_bounds(simple_blank.data(), simple_label.data(), Tb, Ub, S, want.data());
        for (int t = 0; t < Tb; ++t) CHECK(s_begin[b][t].item<int64_t>() == want[static_cast<size_t>(t)]);
        for (int64_t t = Tb; t < f.T; ++t) CHECK(s_begin[b][t].item<int64_t>() == 0);
    }
}
