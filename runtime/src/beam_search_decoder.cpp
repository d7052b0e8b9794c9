#include "beam_search_decoder.hpp"

#include <algorithm>
#include <cmath>

#include "kernels.hpp"
#include "predictor_step.hpp"

namespace rwkvt::rt {

using kernels::dense;

namespace {

struct Candidate {
    double score;
    int hyp, token;
};

// Best first; equal scores in (hypothesis, token) order, so the choice does not depend on the sort.
bool ranks_before(const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.hyp != b.hyp ? a.hyp < b.hyp : a.token < b.token;
}

double log_add_exp(double a, double b) {
    const double hi = std::max(a, b), lo = std::min(a, b);
    return hi + std::log1p(std::exp(lo - hi));
}

}  // namespace

const BeamHypothesis& BeamState::best() const {
    size_t best = 0;
    double best_score = 0.0;
    for (size_t i = 0; i < hyps.size(); ++i) {
        const double score = hyps[i].log_prob / static_cast<double>(hyps[i].tokens.size() + 1);
        if (i == 0 || score > best_score) best = i, best_score = score;
    }
    return hyps[best];
}

BeamState BeamSearchDecoder::start(StackWorkspace& ws) const {
    BeamState s;
    s.hyps.resize(1);
    s.hyps[0].predictor = StackState::zeros(model_.config, model_.config.predictor_blocks);
    predictor_step(model_, model_.config.blank_id, s.hyps[0].predictor, s.hyps[0].pred_proj, ws);  // the start symbol is blank
    return s;
}

void BeamSearchDecoder::advance(BeamState& s, const float* encoder_rows, int frames, StackWorkspace& ws) const {
    const int C = model_.config.width, V = model_.config.vocab_size, blank = model_.config.blank_id;
    Floats enc_proj(static_cast<size_t>(frames) * C);
    kernels::gemm(kernels::Epilogue::Bias, dense(const_cast<float*>(encoder_rows), C, frames), model_.joiner_enc, {},
                  dense(enc_proj.data(), C, frames));
    Floats pred_rows, logits;
    std::vector<Candidate> candidates;
    std::vector<size_t> stepped;  // the survivors that extend their hypothesis by a token
    std::vector<int> step_tokens, lm_tokens;
    std::vector<StackState*> step_states;
    std::vector<Floats*> step_projs;
    for (int t = 0; t < frames; ++t) {
        const int n = static_cast<int>(s.hyps.size());
        // Every hypothesis against this frame in one joiner call (the frame's row broadcast).
        pred_rows.resize(static_cast<size_t>(n) * C);
        for (int h = 0; h < n; ++h) std::copy(s.hyps[h].pred_proj.begin(), s.hyps[h].pred_proj.end(), pred_rows.begin() + static_cast<long>(h) * C);
        logits.resize(static_cast<size_t>(n) * V);
        kernels::joiner(kernels::Rows{enc_proj.data() + static_cast<size_t>(t) * C, C, n, 0}, dense(pred_rows.data(), C, n), model_,
                        dense(logits.data(), V, n));
        candidates.clear();
        for (int h = 0; h < n; ++h) {
            float* row = logits.data() + static_cast<size_t>(h) * V;
            row[blank] -= blank_penalty_;
            double top = row[0];
            for (int k = 1; k < V; ++k) top = std::max(top, static_cast<double>(row[k]));
            double sum = 0.0;
            for (int k = 0; k < V; ++k) sum += std::exp(static_cast<double>(row[k]) - top);
            const double base = s.hyps[h].log_prob - top - std::log(sum);  // log_prob + log_softmax = base + logit
            if (!lm_) {
                for (int k = 0; k < V; ++k) candidates.push_back({base + static_cast<double>(row[k]), h, k});
                continue;
            }
            // Fused: blank, and the likeliest tokens with their language-model scores.
            candidates.push_back({base + static_cast<double>(row[blank]), h, blank});
            lm_tokens.clear();
            for (int k = 0; k < V; ++k)
                if (k != blank) lm_tokens.push_back(k);
            const size_t scored = std::min(lm_tokens.size(), static_cast<size_t>(lm_tokens_));
            std::partial_sort(lm_tokens.begin(), lm_tokens.begin() + static_cast<long>(scored), lm_tokens.end(),
                              [&](int a, int b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
            const std::vector<int>& history = s.hyps[h].tokens;
            for (size_t i = 0; i < scored; ++i) {
                const int k = lm_tokens[i];
                const double lm = lm_->log_prob(history.data(), history.size(), k);
                candidates.push_back({base + static_cast<double>(row[k]) + static_cast<double>(lm_weight_) * lm, h, k});
            }
        }
        const size_t keep = std::min(candidates.size(), static_cast<size_t>(beam_));
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<long>(keep), candidates.end(), ranks_before);

        // How many survivors still extend each hypothesis: the last one takes its predictor state
        // (about 150 KB for rwkvt-19m) instead of copying it.
        std::vector<int> extensions_left(static_cast<size_t>(n), 0);
        for (size_t i = 0; i < keep; ++i) ++extensions_left[static_cast<size_t>(candidates[i].hyp)];
        std::vector<BeamHypothesis> next;
        next.reserve(keep);
        stepped.clear();
        for (size_t i = 0; i < keep; ++i) {
            const Candidate& c = candidates[i];
            BeamHypothesis& from = s.hyps[static_cast<size_t>(c.hyp)];
            const bool last_user = --extensions_left[static_cast<size_t>(c.hyp)] == 0;
            const bool extends = c.token != blank;
            auto same = std::find_if(next.begin(), next.end(), [&](const BeamHypothesis& h) {
                return h.tokens.size() == from.tokens.size() + (extends ? 1 : 0) &&
                       std::equal(from.tokens.begin(), from.tokens.end(), h.tokens.begin()) && (!extends || h.tokens.back() == c.token);
            });
            if (same != next.end()) {
                same->log_prob = log_add_exp(same->log_prob, c.score);
                continue;
            }
            BeamHypothesis h = last_user ? std::move(from) : from;
            h.log_prob = c.score;
            if (extends) {
                h.tokens.push_back(c.token);
                h.token_frames.push_back(static_cast<int>(s.frames_done + t));
                stepped.push_back(next.size());
            }
            next.push_back(std::move(h));
        }
        // The extended hypotheses' predictor steps, batched.
        step_tokens.clear();
        step_states.clear();
        step_projs.clear();
        for (size_t i : stepped) {
            step_tokens.push_back(next[i].tokens.back());
            step_states.push_back(&next[i].predictor);
            step_projs.push_back(&next[i].pred_proj);
        }
        predictor_steps(model_, step_tokens, step_states, step_projs, ws);
        s.hyps = std::move(next);
    }
    s.frames_done += frames;
}

}  // namespace rwkvt::rt
