// Reference modified beam search (spec algorithms.md): plain and unbatched, one joiner call per
// hypothesis and frame, to be read against the spec. The runtime's BeamSearchDecoder must choose the
// same hypotheses.
#include <algorithm>
#include <cmath>

#include "reference.hpp"

namespace rwkvt::ref {

namespace {

struct Hypothesis {
    BeamHypothesis result;
    StackState state;  // the predictor after the start symbol and result.tokens
    Vec g;             // the predictor's output for that prefix
};

double log_add_exp(double a, double b) {
    const double hi = std::max(a, b), lo = std::min(a, b);
    return hi + std::log1p(std::exp(lo - hi));
}

// log_softmax in double: the beam compares sums of many of these.
std::vector<double> log_softmax(const Vec& logits) {
    const double top = logits.maxCoeff();
    double sum = 0.0;
    for (Eigen::Index k = 0; k < logits.size(); ++k) sum += std::exp(static_cast<double>(logits[k]) - top);
    const double log_sum = std::log(sum);
    std::vector<double> out(static_cast<size_t>(logits.size()));
    for (Eigen::Index k = 0; k < logits.size(); ++k) out[static_cast<size_t>(k)] = static_cast<double>(logits[k]) - top - log_sum;
    return out;
}

}  // namespace

std::vector<BeamHypothesis> modified_beam_search_beam(const Model& m, const Mat& encoder_out, int beam, float blank_penalty,
                                                      const LmFusion& fusion) {
    const int blank = m.config.blank_id, V = m.config.vocab_size;
    std::vector<Hypothesis> hyps(1);
    hyps[0].state = zero_stack_state(m.config, m.config.predictor_blocks);
    hyps[0].g = predictor_step(m, blank, hyps[0].state);
    for (Eigen::Index t = 0; t < encoder_out.rows(); ++t) {
        const Vec e = encoder_out.row(t).transpose();
        struct Candidate {
            double score;
            int hyp, token;
        };
        std::vector<Candidate> candidates;
        for (size_t h = 0; h < hyps.size(); ++h) {
            Vec logits = joiner_logits(m, e, hyps[h].g);
            logits[blank] -= blank_penalty;
            const std::vector<double> lp = log_softmax(logits);
            const double before = hyps[h].result.log_prob;
            if (!fusion.lm) {
                for (int k = 0; k < V; ++k) candidates.push_back({before + lp[static_cast<size_t>(k)], static_cast<int>(h), k});
                continue;
            }
            candidates.push_back({before + lp[static_cast<size_t>(blank)], static_cast<int>(h), blank});
            std::vector<int> tokens;
            for (int k = 0; k < V; ++k)
                if (k != blank) tokens.push_back(k);
            std::stable_sort(tokens.begin(), tokens.end(), [&](int a, int b) { return lp[static_cast<size_t>(a)] > lp[static_cast<size_t>(b)]; });
            tokens.resize(std::min(tokens.size(), static_cast<size_t>(fusion.tokens_per_hypothesis)));
            const std::vector<int>& history = hyps[h].result.tokens;
            for (int k : tokens)
                candidates.push_back({before + lp[static_cast<size_t>(k)] + fusion.weight * fusion.lm->log_prob(history.data(), history.size(), k),
                                      static_cast<int>(h), k});
        }
        // Best first; equal scores in (hypothesis, token) order. A full sort: this is the reference.
        std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
        candidates.resize(std::min(candidates.size(), static_cast<size_t>(beam)));

        std::vector<Hypothesis> next;
        for (const Candidate& c : candidates) {
            const Hypothesis& from = hyps[static_cast<size_t>(c.hyp)];
            std::vector<int> tokens = from.result.tokens;
            if (c.token != blank) tokens.push_back(c.token);
            auto same = std::find_if(next.begin(), next.end(), [&](const Hypothesis& h) { return h.result.tokens == tokens; });
            if (same != next.end()) {
                same->result.log_prob = log_add_exp(same->result.log_prob, c.score);
                continue;
            }
            Hypothesis h = from;
            h.result.log_prob = c.score;
            if (c.token != blank) {
                h.result.tokens = tokens;
                h.result.frames.push_back(static_cast<int>(t));
                h.g = predictor_step(m, c.token, h.state);
            }
            next.push_back(std::move(h));
        }
        hyps = std::move(next);
    }
    std::vector<BeamHypothesis> out;
    for (Hypothesis& h : hyps) out.push_back(std::move(h.result));
    return out;
}

DecodeResult modified_beam_search(const Model& m, const Mat& encoder_out, int beam, float blank_penalty, const LmFusion& fusion) {
    const std::vector<BeamHypothesis> final_beam = modified_beam_search_beam(m, encoder_out, beam, blank_penalty, fusion);
    const BeamHypothesis* best = nullptr;
    double best_score = 0.0;
    for (const BeamHypothesis& h : final_beam) {
        const double score = h.log_prob / static_cast<double>(h.tokens.size() + 1);
        if (!best || score > best_score) best = &h, best_score = score;
    }
    return {best->tokens, best->frames};
}

}  // namespace rwkvt::ref
