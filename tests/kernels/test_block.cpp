// Block kernels (layer norm, token shift mixes, LoRA paths, WKV-7) against the reference block of
// model/reference (ref::layer_norm, ref::time_mix_terms, ref::wkv7_step) on random models and
// random token sequences, for both configs and several chunk lengths.
#include <doctest/doctest.h>

#include "kernel_test_util.hpp"

using namespace rwkvt;
using namespace rwkvt::kernel_test;

namespace {

const int kChunkLengths[] = {1, 3, 17, 64};

// The reference time-mix terms of T tokens of block l, starting from shift_in, with a given
// v_first per token (read for l > 0).
struct ReferenceChunk {
    std::vector<ref::TimeMixTerms> terms;
    Mat v_first;
};
ReferenceChunk reference_chunk(const Model& m, const std::string& stack, int l, const Mat& x, const Vec& shift_in,
                               Mat v_first) {
    ReferenceChunk chunk;
    ref::BlockState state = ref::zero_stack_state(m.config, 1).blocks[0];
    state.shift_att = shift_in;
    for (Eigen::Index t = 0; t < x.rows(); ++t) {
        Vec vf = v_first.row(t).transpose();
        chunk.terms.push_back(ref::time_mix_terms(m, stack, l, x.row(t).transpose(), state, vf));
        v_first.row(t) = vf.transpose();
        state.shift_att = chunk.terms.back().xa;
    }
    chunk.v_first = v_first;
    return chunk;
}

// Stacks one member of every token's terms into a [T][C] matrix.
Mat stacked(const ReferenceChunk& chunk, Vec ref::TimeMixTerms::*member) {
    Mat out(static_cast<Eigen::Index>(chunk.terms.size()), chunk.terms[0].xa.size());
    for (size_t t = 0; t < chunk.terms.size(); ++t) out.row(static_cast<Eigen::Index>(t)) = (chunk.terms[t].*member).transpose();
    return out;
}

std::string name(const std::string& stack, int l, const std::string& suffix) { return block_tensor(stack, l, suffix); }

}  // namespace

TEST_CASE("layer_norm kernel equals ref::layer_norm (relative error <= 1e-4)") {
    int seed = 400;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width;
        for (int T : kChunkLengths) {
            CAPTURE(config);
            CAPTURE(T);
            std::mt19937 rng(seed++);
            const Mat x = random_mat(rng, T, C, -3.0f, 5.0f);
            const Vec w = vector(m, "encoder.blocks.0.ln0.weight"), b = vector(m, "encoder.blocks.0.ln0.bias");
            Mat want(T, C), got(T, C);
            for (int t = 0; t < T; ++t) want.row(t) = ref::layer_norm(x.row(t).transpose(), w, b).transpose();
            REQUIRE(kernels().layer_norm(rows(x), dense(w.data(), {C}), dense(b.data(), {C}), rows(got)) == 0);
            CHECK(relative_error(got, want) <= kTolerance);
        }
    }
}

TEST_CASE("time mix kernels (shift, LoRA paths, WKV-7) equal the reference block (relative error <= 1e-4)") {
    int seed = 500;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const ModelConfig& c = m.config;
        const int C = c.width, N = c.head_size, H = c.heads();
        for (const char* stack : {"encoder", "predictor"})
            for (int l : {0, 1})
                for (int T : kChunkLengths) {
                    CAPTURE(config);
                    CAPTURE(stack);
                    CAPTURE(l);
                    CAPTURE(T);
                    std::mt19937 rng(seed++);
                    const Mat x = random_mat(rng, T, C, -2.0f, 2.0f);
                    const Vec shift_in = random_mat(rng, C, 1).col(0);
                    const ReferenceChunk want = reference_chunk(m, stack, l, x, shift_in, random_mat(rng, T, C));
                    auto p = [&](const std::string& suffix) { return name(stack, l, suffix); };

                    // LN1, token shift and the six mixes: mixed is [T][6][C] in the order r w k v a g.
                    Mat mu(6, C);
                    const char* mixes[] = {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g"};
                    for (int i = 0; i < 6; ++i) mu.row(i) = vector(m, p(mixes[i])).transpose();
                    std::vector<float> mixed(static_cast<size_t>(T) * 6 * C);
                    Vec shift_out(C);
                    REQUIRE(kernels().time_mix_shift(rows(x), dense(tensor(m, p("ln1.weight")).data, {C}),
                                                 dense(tensor(m, p("ln1.bias")).data, {C}), dense(shift_in.data(), {C}),
                                                 rows(mu), dense(mixed, {C, 6, T}), dense(shift_out.data(), {C})) == 0);
                    Vec ref::TimeMixTerms::*members[] = {&ref::TimeMixTerms::x_r, &ref::TimeMixTerms::x_w,
                                                         &ref::TimeMixTerms::x_k, &ref::TimeMixTerms::x_v,
                                                         &ref::TimeMixTerms::x_a, &ref::TimeMixTerms::x_g};
                    auto mix = [&](int i) { return rows(mixed.data() + static_cast<size_t>(i) * C, C, T, 6 * C); };
                    for (int i = 0; i < 6; ++i) {
                        const Mat want_mix = stacked(want, members[i]);
                        Mat got(T, C);
                        for (int t = 0; t < T; ++t)
                            for (int ch = 0; ch < C; ++ch) got(t, ch) = mixed[(static_cast<size_t>(t) * 6 + i) * C + ch];
                        CHECK_MESSAGE(relative_error(got, want_mix) <= kTolerance, "mix ", mixes[i]);
                    }
                    const Vec last_xa = want.terms.back().xa;
                    CHECK(relative_error(shift_out.data(), last_xa.data(), C) <= kTolerance);

                    // The LoRA paths read the mixes in place (row stride 6 C).
                    auto lora_in = [&](const std::string& w1, const std::string& w2, int& D) {
                        const Tensor& down = tensor(m, p(w1));
                        D = static_cast<int>(down.shape[1]);
                        return std::make_pair(dense(down.data, {D, C}), dense(tensor(m, p(w2)).data, {C, D}));
                    };
                    int D = 0;
                    Mat got(T, C);
                    {
                        auto [down, up] = lora_in("att.w1", "att.w2", D);
                        REQUIRE(kernels().lora_decay(mix(1), down, up, dense(tensor(m, p("att.w0")).data, {C}), rows(got)) == 0);
                        CHECK_MESSAGE(relative_error(got, stacked(want, &ref::TimeMixTerms::w)) <= kTolerance, "decay");
                    }
                    {
                        auto [down, up] = lora_in("att.a1", "att.a2", D);
                        REQUIRE(kernels().lora_iclr(mix(4), down, up, dense(tensor(m, p("att.a0")).data, {C}), rows(got)) == 0);
                        CHECK_MESSAGE(relative_error(got, stacked(want, &ref::TimeMixTerms::a)) <= kTolerance, "iclr");
                    }
                    {
                        auto [down, up] = lora_in("att.g1", "att.g2", D);
                        REQUIRE(kernels().lora_gate(mix(5), down, up, rows(got)) == 0);
                        CHECK_MESSAGE(relative_error(got, stacked(want, &ref::TimeMixTerms::g)) <= kTolerance, "gate");
                    }
                    // Raw key and value (the GEMMs of step 3 are tested in test_gemm.cpp).
                    const Mat k_raw = stacked(want, &ref::TimeMixTerms::x_k) * matrix(m, p("att.key.weight")).transpose();
                    const Mat v_raw = stacked(want, &ref::TimeMixTerms::x_v) * matrix(m, p("att.value.weight")).transpose();
                    if (l > 0) {
                        auto [down, up] = lora_in("att.v1", "att.v2", D);
                        REQUIRE(kernels().lora_value_residual(mix(3), down, up, dense(tensor(m, p("att.v0")).data, {C}),
                                                          rows(v_raw), rows(want.v_first), rows(got)) == 0);
                        CHECK_MESSAGE(relative_error(got, stacked(want, &ref::TimeMixTerms::v)) <= kTolerance, "value residual");
                    }

                    // WKV-7 from a random state: y * g and the state after the chunk.
                    std::vector<ref::Mat> state(H);
                    for (auto& s : state) s = random_mat(rng, N, N, -0.5f, 0.5f);
                    std::vector<float> state_in(static_cast<size_t>(H) * N * N), state_out(state_in.size());
                    // The kernel's state is S[i][j] with the value index i innermost: column-major S.
                    auto column_major = [&](const ref::Mat& s, float* to) {
                        for (int j = 0; j < N; ++j)
                            for (int i = 0; i < N; ++i) to[j * N + i] = s(i, j);
                    };
                    for (int h = 0; h < H; ++h) column_major(state[h], state_in.data() + h * N * N);
                    Mat want_out(T, C);
                    for (int t = 0; t < T; ++t) {
                        const Vec y = ref::wkv7_step(m, stack, l, want.terms[t], state);
                        want_out.row(t) = y.cwiseProduct(want.terms[t].g).transpose();
                    }
                    std::vector<float> want_state(state_in.size());
                    for (int h = 0; h < H; ++h) column_major(state[h], want_state.data() + h * N * N);
                    // r w k v a g as one [T][6][C] buffer, as the runtime lays them out.
                    Mat terms(T, 6 * C);
                    const Mat parts[] = {stacked(want, &ref::TimeMixTerms::r), stacked(want, &ref::TimeMixTerms::w), k_raw,
                                         stacked(want, &ref::TimeMixTerms::v), stacked(want, &ref::TimeMixTerms::a),
                                         stacked(want, &ref::TimeMixTerms::g)};
                    for (int i = 0; i < 6; ++i) terms.middleCols(i * C, C) = parts[i];
                    auto term = [&](int i) { return rows(terms.data() + i * C, C, T, 6 * C); };
                    auto wkv = N == 16 ? kernels().wkv7_n16 : kernels().wkv7_n32;
                    REQUIRE((N == 16 || N == 32));
                    REQUIRE(wkv(term(0), term(1), term(2), term(3), term(4), term(5), dense(tensor(m, p("att.k_k")).data, {C}),
                                dense(tensor(m, p("att.k_a")).data, {C}), dense(tensor(m, p("att.r_k")).data, {N, H}),
                                dense(tensor(m, p("att.ln_x.weight")).data, {C}),
                                dense(tensor(m, p("att.ln_x.bias")).data, {C}), dense(state_in, {N, N, H}), rows(got),
                                dense(state_out, {N, N, H})) == 0);
                    CHECK_MESSAGE(relative_error(got, want_out) <= kTolerance, "wkv7 output");
                    CHECK_MESSAGE(relative_error(state_out, want_state) <= kTolerance, "wkv7 state");
                }
    }
}

TEST_CASE("channel mix shift kernel equals LN2 + token shift of the reference (relative error <= 1e-4)") {
    int seed = 600;
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        const int C = m.config.width;
        for (int T : kChunkLengths) {
            CAPTURE(config);
            CAPTURE(T);
            std::mt19937 rng(seed++);
            const Mat x = random_mat(rng, T, C, -2.0f, 2.0f);
            const Vec shift_in = random_mat(rng, C, 1).col(0);
            const Vec w = vector(m, "predictor.blocks.1.ln2.weight"), b = vector(m, "predictor.blocks.1.ln2.bias");
            const Vec mu = vector(m, "predictor.blocks.1.ffn.x_k");
            Mat want(T, C);
            Vec shift = shift_in;
            for (int t = 0; t < T; ++t) {
                const Vec xf = ref::layer_norm(x.row(t).transpose(), w, b);
                want.row(t) = (xf + (shift - xf).cwiseProduct(mu)).transpose();
                shift = xf;
            }
            Mat got(T, C);
            Vec shift_out(C);
            REQUIRE(kernels().channel_mix_shift(rows(x), dense(w.data(), {C}), dense(b.data(), {C}), dense(shift_in.data(), {C}),
                                            dense(mu.data(), {C, 1}), dense(got.data(), {C, 1, T}),
                                            dense(shift_out.data(), {C})) == 0);
            CHECK(relative_error(got, want) <= kTolerance);
            CHECK(relative_error(shift_out.data(), shift.data(), C) <= kTolerance);
        }
    }
}
