// Checks of the reference implementation itself, against brute-force scalar loops written straight
// from the spec's equations and against properties the spec guarantees.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>

#include "frontend_tables.hpp"
#include "reference/reference.hpp"
#include "support/test_models.hpp"

using namespace rwkvt;

TEST_CASE("reference WKV-7 step equals scalar loops over the spec's equations") {
    const Model model = test::noisy_model("tiny", 61, 0.2f);
    const ModelConfig& c = model.config;
    const int N = c.head_size, H = c.heads();
    std::mt19937 rng(62);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    auto random_vec = [&](float lo, float hi) {
        ref::Vec v(c.width);
        std::uniform_real_distribution<float> u(lo, hi);
        for (int i = 0; i < c.width; ++i) v[i] = u(rng);
        return v;
    };
    ref::TimeMixTerms t;
    t.r = random_vec(-1, 1);
    t.w = random_vec(0.55f, 1.0f);
    t.k = random_vec(-1, 1);
    t.v = random_vec(-1, 1);
    t.a = random_vec(0, 1);
    t.kk = random_vec(-1, 1);
    std::vector<ref::Mat> S(H, ref::Mat(N, N));
    for (auto& s : S)
        for (int i = 0; i < N * N; ++i) s.data()[i] = n01(rng);
    std::vector<ref::Mat> old = S;

    const ref::Vec y = ref::wkv7_step(model, "encoder", 1, t, S);

    const auto& ln_w = model.weights.at("encoder.blocks.1.att.ln_x.weight").data;
    const auto& ln_b = model.weights.at("encoder.blocks.1.att.ln_x.bias").data;
    const auto& r_k = model.weights.at("encoder.blocks.1.att.r_k").data;
    for (int h = 0; h < H; ++h) {
        std::vector<double> sa(N, 0.0), out(N, 0.0);
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) sa[i] += old[h](i, j) * -t.kk[h * N + j];
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                const int cj = h * N + j;
                const double s_new = old[h](i, j) * t.w[cj] + sa[i] * t.kk[cj] * t.a[cj] + t.v[h * N + i] * t.k[cj];
                CHECK(S[h](i, j) == doctest::Approx(s_new).epsilon(1e-4));
                out[i] += s_new * t.r[cj];
            }
        double mean = 0.0, var = 0.0, bonus = 0.0;
        for (double o : out) mean += o / N;
        for (double o : out) var += (o - mean) * (o - mean) / N;
        for (int j = 0; j < N; ++j) bonus += t.r[h * N + j] * t.k[h * N + j] * r_k[h * N + j];
        for (int i = 0; i < N; ++i) {
            const int ci = h * N + i;
            const double want = (out[i] - mean) / std::sqrt(var + 64e-5) * ln_w[ci] + ln_b[ci] + bonus * t.v[ci];
            CHECK(y[ci] == doctest::Approx(want).epsilon(1e-3));
        }
    }
}

TEST_CASE("reference decay stays in (0.545, 1) and kk is unit-norm per head") {
    const Model model = test::noisy_model("tiny", 63, 0.5f);
    const ModelConfig& c = model.config;
    ref::StackState state = ref::zero_stack_state(c, c.encoder_blocks);
    std::mt19937 rng(64);
    std::normal_distribution<float> n01(0.0f, 3.0f);
    ref::Vec x(c.width), v_first;
    for (int i = 0; i < c.width; ++i) x[i] = n01(rng);
    for (int l = 0; l < c.encoder_blocks; ++l) {
        const ref::TimeMixTerms t = ref::time_mix_terms(model, "encoder", l, x, state.blocks[l], v_first);
        CHECK(t.w.minCoeff() > 0.545f);
        CHECK(t.w.maxCoeff() < 1.0f);
        for (int h = 0; h < c.heads(); ++h) CHECK(t.kk.segment(h * c.head_size, c.head_size).norm() == doctest::Approx(1.0f).epsilon(1e-5));
    }
}

TEST_CASE("a freshly initialised block is the identity on its residual stream") {
    // W_o and W_value start at zero (spec section 3), so blocks 1.. pass x through unchanged.
    const Model model = test::noisy_model("tiny", 65, 0.0f);
    const ModelConfig& c = model.config;
    ref::StackState state = ref::zero_stack_state(c, c.encoder_blocks);
    std::mt19937 rng(66);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    ref::Vec x(c.width), v_first;
    for (int i = 0; i < c.width; ++i) x[i] = n01(rng);
    ref::block_step(model, "encoder", 0, x, state.blocks[0], v_first);
    const ref::Vec y = ref::block_step(model, "encoder", 1, x, state.blocks[1], v_first);
    CHECK((y - x).cwiseAbs().maxCoeff() == doctest::Approx(0.0f));
}

TEST_CASE("reference log-mel puts a pure tone in the mel band of its frequency") {
    const std::vector<float> fb = mel_filterbank(80);
    for (double freq : {250.0, 1000.0, 3150.0, 6000.0}) {
        std::vector<float> tone(16000);
        for (size_t i = 0; i < tone.size(); ++i) tone[i] = 0.5f * static_cast<float>(std::sin(2 * M_PI * freq * i / 16000.0));
        const ref::Mat mel = ref::log_mel(tone, 80);
        REQUIRE(mel.rows() == frame_count(16000));
        Eigen::Index loudest = 0;
        mel.row(mel.rows() / 2).maxCoeff(&loudest);
        const int bin = static_cast<int>(std::lround(freq * kFftSize / kSampleRate));
        float best = 0.0f;
        int best_band = -1;  // the band whose filter weighs the tone's DFT bin most
        for (int m = 0; m < 80; ++m)
            if (fb[static_cast<size_t>(bin) * 80 + m] > best) best = fb[static_cast<size_t>(bin) * 80 + m], best_band = m;
        CHECK(std::abs(static_cast<int>(loudest) - best_band) <= 1);
    }
}

TEST_CASE("frame and encoder-frame counts follow causal framing and 4x subsampling") {
    CHECK(frame_count(0) == 0);
    CHECK(frame_count(399) == 0);
    CHECK(frame_count(400) == 1);
    CHECK(frame_count(559) == 1);
    CHECK(frame_count(560) == 2);
    CHECK(frame_count(16000) == 98);
    CHECK(encoder_frame_count(1) == 1);
    CHECK(encoder_frame_count(4) == 1);
    CHECK(encoder_frame_count(5) == 2);
    const Model model = test::noisy_model("tiny", 67, 0.1f);
    for (int frames : {1, 2, 5, 13}) {
        ref::Mat features = ref::Mat::Random(frames, 80);
        CHECK(ref::subsample(model, features).rows() == encoder_frame_count(frames));
    }
}

TEST_CASE("subsampling is causal: later frames never change earlier outputs") {
    const Model model = test::noisy_model("tiny", 68, 0.2f);
    ref::Mat features = ref::Mat::Random(23, 80);
    const ref::Mat full = ref::subsample(model, features);
    for (int cut : {1, 4, 9, 14}) {
        const ref::Mat part = ref::subsample(model, features.topRows(cut));
        CHECK((part - full.topRows(part.rows())).cwiseAbs().maxCoeff() < 1e-5f);
    }
}

TEST_CASE("reference modified beam search with an unpruned beam sums every alignment of each token sequence") {
    // Two frames, so every alignment (blank or one token per frame) can be enumerated: with a beam
    // wider than all V^2 extensions nothing is pruned, and each hypothesis's probability must be the
    // sum over the alignments that spell its tokens: [a] is (a, blank) or (blank, a).
    const Model model = test::noisy_model("tiny", 63, 0.3f);
    const int V = model.config.vocab_size, blank = model.config.blank_id;
    std::mt19937 rng(64);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    ref::Mat encoded(2, model.config.width);
    for (Eigen::Index i = 0; i < encoded.size(); ++i) encoded.data()[i] = n01(rng);
    const float penalty = 0.7f;

    auto log_softmax = [&](ref::Vec logits) {
        logits[blank] -= penalty;
        std::vector<double> out(static_cast<size_t>(V));
        double sum = 0.0;
        for (int k = 0; k < V; ++k) sum += std::exp(static_cast<double>(logits[k]));
        for (int k = 0; k < V; ++k) out[static_cast<size_t>(k)] = logits[k] - std::log(sum);
        return out;
    };
    ref::StackState start = ref::zero_stack_state(model.config, model.config.predictor_blocks);
    const ref::Vec g0 = ref::predictor_step(model, blank, start);
    const std::vector<double> first = log_softmax(ref::joiner_logits(model, encoded.row(0).transpose(), g0));
    std::map<std::vector<int>, double> want;  // token sequence -> probability summed over its alignments
    for (int a = 0; a < V; ++a) {
        ref::StackState state = start;
        const ref::Vec g = a == blank ? g0 : ref::predictor_step(model, a, state);
        const std::vector<double> second = log_softmax(ref::joiner_logits(model, encoded.row(1).transpose(), g));
        for (int b = 0; b < V; ++b) {
            std::vector<int> tokens;
            for (int k : {a, b})
                if (k != blank) tokens.push_back(k);
            want[tokens] += std::exp(first[static_cast<size_t>(a)] + second[static_cast<size_t>(b)]);
        }
    }
    const std::vector<ref::BeamHypothesis> got = ref::modified_beam_search_beam(model, encoded, V * V, penalty);
    REQUIRE(got.size() == want.size());  // 1 + (V-1) + (V-1)^2 sequences: the merges happened
    double total = 0.0;
    for (const ref::BeamHypothesis& h : got) {
        REQUIRE(want.count(h.tokens) == 1);
        CHECK(h.log_prob == doctest::Approx(std::log(want[h.tokens])).epsilon(1e-9));
        total += std::exp(h.log_prob);
    }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-9));  // the probabilities of all sequences
}
