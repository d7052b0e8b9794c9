// A freshly initialised model: the starting point of training (spec section 3, "Initialisation").
#pragma once

#include <cstdint>

#include "weights.hpp"

namespace rwkvt {

// Every tensor of tensor_specs(config), initialised as the spec says for the RWKV-7 blocks and with
// PyTorch's default initialisation for the rest (see init.cpp for each choice). Deterministic for a
// given seed: the random numbers come from std::mt19937_64 (whose output the C++ standard fixes)
// through our own uniform/normal transforms (std::normal_distribution is implementation-defined),
// one generator per tensor seeded from (seed, tensor name).
//
// noise > 0 adds noise * N(0, 1) to every value of every tensor (also those that start at zero), so
// tests exercise every weight; frontend.feature_std gets |noise * N(0, 1)| added so it stays positive.
// origin is "initialised"; char configs get Tokenizer::characters, SentencePiece configs (bpe,
// unigram) get placeholder pieces "<pieceN>" until a SentencePiece model is trained.
Model init_model(const ModelConfig& config, uint64_t seed, float noise = 0.0f);

}  // namespace rwkvt
