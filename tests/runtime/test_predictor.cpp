// The predictor stepped one token at a time equals the teacher-forced sequence, in the runtime and
// in the reference, and both agree with each other; independent sequences run together (beam
// search's batched steps) equal each run alone.
#include <doctest/doctest.h>

#include <random>

#include "packed_model.hpp"
#include "reference/reference.hpp"
#include "stack.hpp"
#include "support/test_models.hpp"

using namespace rwkvt;

TEST_CASE("predictor: step-wise outputs equal the teacher-forced sequence") {
    for (const char* config : {"tiny", "rwkvt-19m"}) {
        const Model model = test::noisy_model(config, 3, 0.1f);
        const ModelConfig& c = model.config;
        std::mt19937 rng(17);
        std::vector<int> tokens(std::string(config) == "tiny" ? 70 : 9);  // tiny: more than one WKV chunk
        for (int& t : tokens) t = std::uniform_int_distribution<int>(1, c.vocab_size - 1)(rng);

        const ref::Mat ref_sequence = ref::predictor_sequence(model, tokens);
        ref::StackState ref_state = ref::zero_stack_state(c, c.predictor_blocks);
        for (size_t u = 0; u <= tokens.size(); ++u) {
            const ref::Vec step = ref::predictor_step(model, u == 0 ? c.blank_id : tokens[u - 1], ref_state);
            CHECK((step - ref_sequence.row(static_cast<Eigen::Index>(u)).transpose()).cwiseAbs().maxCoeff() < 1e-5);
        }

        Model copy = model;
        const rt::PackedModel packed = rt::PackedModel::from(std::move(copy));
        const int C = c.width, U = static_cast<int>(tokens.size()) + 1;
        std::vector<int> inputs = {c.blank_id};
        inputs.insert(inputs.end(), tokens.begin(), tokens.end());
        rt::Floats sequence(static_cast<size_t>(U) * C);
        for (int u = 0; u < U; ++u)
            std::copy_n(packed.embedding.begin() + static_cast<long>(inputs[u]) * C, C, sequence.begin() + static_cast<long>(u) * C);
        rt::StackState seq_state = rt::StackState::zeros(c, c.predictor_blocks), step_state = seq_state;
        rt::StackWorkspace ws_seq, ws_step;
        rt::run_stack(packed.predictor, c, sequence.data(), U, seq_state, ws_seq);
        CHECK(test::relative_error(sequence, ref_sequence.data(), sequence.size()) < 1e-4);
        for (int u = 0; u < U; ++u) {
            rt::Floats x(packed.embedding.begin() + static_cast<long>(inputs[u]) * C,
                         packed.embedding.begin() + static_cast<long>(inputs[u] + 1) * C);
            rt::run_stack(packed.predictor, c, x.data(), 1, step_state, ws_step);
            CHECK(test::relative_error(x, sequence.data() + static_cast<size_t>(u) * C, x.size()) < 1e-5);
        }
        // Both ways leave the same state behind.
        for (size_t l = 0; l < seq_state.blocks.size(); ++l)
            CHECK(test::relative_error(step_state.blocks[l].wkv, seq_state.blocks[l].wkv, seq_state.blocks[l].wkv.size()) < 1e-5);
    }
}

TEST_CASE("predictor: independent sequences stepped together equal each stepped alone") {
    for (const char* config : {"tiny", "rwkvt-19m"}) {
        CAPTURE(config);
        const Model model = test::noisy_model(config, 5, 0.1f);
        const ModelConfig& c = model.config;
        Model copy = model;
        const rt::PackedModel packed = rt::PackedModel::from(std::move(copy));
        const int C = c.width;
        std::mt19937 rng(23);
        auto token = [&] { return std::uniform_int_distribution<int>(1, c.vocab_size - 1)(rng); };
        for (int length : {1, 3}) {
            CAPTURE(length);
            // Four sequences with different histories, so their states differ.
            const int n = 4;
            std::vector<rt::StackState> alone;
            rt::StackWorkspace ws;
            for (int q = 0; q < n; ++q) {
                alone.push_back(rt::StackState::zeros(c, c.predictor_blocks));
                for (int u = 0; u <= q; ++u) {
                    const long t = token();
                    rt::Floats x(packed.embedding.begin() + t * C, packed.embedding.begin() + (t + 1) * C);
                    rt::run_stack(packed.predictor, c, x.data(), 1, alone.back(), ws);
                }
            }
            std::vector<rt::StackState> together = alone;
            rt::Floats batch(static_cast<size_t>(n) * length * C);
            for (float& v : batch) v = std::normal_distribution<float>(0.0f, 1.0f)(rng);
            rt::Floats each = batch;
            for (int q = 0; q < n; ++q)
                rt::run_stack(packed.predictor, c, each.data() + static_cast<size_t>(q) * length * C, length, alone[q], ws);
            std::vector<rt::StackState*> states;
            for (rt::StackState& s : together) states.push_back(&s);
            rt::StackWorkspace ws_batch;
            rt::run_stacks(packed.predictor, c, batch.data(), n * length, states.data(), n, ws_batch);
            // Within rounding: a batch of rows takes the GEMMs' tiled path, single rows the one-row path.
            CHECK(test::relative_error(batch, each.data(), each.size()) < 1e-5);
            for (int q = 0; q < n; ++q)
                for (size_t l = 0; l < alone[q].blocks.size(); ++l) {
                    const rt::BlockState &a = alone[q].blocks[l], &b = together[q].blocks[l];
                    CHECK(test::relative_error(b.wkv, a.wkv, a.wkv.size()) < 1e-5);
                    CHECK(test::relative_error(b.shift_att, a.shift_att, a.shift_att.size()) < 1e-5);
                    CHECK(test::relative_error(b.shift_ffn, a.shift_ffn, a.shift_ffn.size()) < 1e-5);
                }
        }
    }
}
