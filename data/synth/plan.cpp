// The deterministic rendering plan.
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "plan.hpp"
#include "rwkvt/data/augment.hpp"  // Rng: library-independent random numbers

namespace rwkvt::data::synth {

using augment::Rng;

double estimated_seconds(const std::string& text) { return 0.4 + static_cast<double>(text.size()) / 18.5; }

namespace {

// Voice names contain ':' and '+', which are awkward in paths.
std::string folder_name(const std::string& voice) {
    std::string out = voice;
    for (char& c : out)
        if (c == ':' || c == '+') c = '_';
    return out;
}

}  // namespace

std::vector<PlannedUtterance> plan_synthesis(const std::vector<std::string>& sentences, const std::vector<Voice>& voices, double hours,
                                             uint64_t seed, const std::string& out_dir, const std::string& format, double pitch_min,
                                             double pitch_max) {
    if (sentences.empty()) throw std::runtime_error("no sentences to render");
    if (voices.empty()) throw std::runtime_error("no voices to render with");
    std::vector<size_t> order(sentences.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    Rng shuffle_rng(seed);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle_rng.next() % i]);

    double total_weight = 0.0;
    for (const Voice& v : voices) total_weight += v.weight;
    const double target_s = hours * 3600.0;
    std::vector<PlannedUtterance> plan;
    double planned_s = 0.0;
    for (size_t n = 0; hours > 0.0 ? planned_s < target_s : n < sentences.size(); ++n) {
        PlannedUtterance u;
        char id[32];
        std::snprintf(id, sizeof id, "s%07zu", n);
        u.id = id;
        u.text = sentences[order[n % order.size()]];
        // One generator per position (a mixed seed) keeps earlier utterances unchanged when hours grow.
        Rng rng(seed * 0x100000001B3ull + n + 1);
        double pick = rng.uniform(0.0, total_weight);
        u.voice = voices.size() - 1;
        for (size_t v = 0; v < voices.size(); ++v) {
            if (pick < voices[v].weight) {
                u.voice = v;
                break;
            }
            pick -= voices[v].weight;
        }
        u.tempo = rng.uniform(0.85, 1.15);
        u.pitch = rng.uniform(pitch_min, pitch_max);
        u.audio_path = out_dir + "/audio/" + folder_name(voices[u.voice].name) + "/" + u.id + "." + format;
        planned_s += estimated_seconds(u.text);
        plan.push_back(std::move(u));
    }
    return plan;
}

}  // namespace rwkvt::data::synth
