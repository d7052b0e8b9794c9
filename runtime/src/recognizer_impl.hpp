// What a Recognizer shares with its streams: the packed model, the options, the summary and the
// language model of a fused beam search.
#pragma once

#include <optional>

#include "packed_model.hpp"
#include "rwkvt/recognizer.hpp"
#include "token_ngram_lm.hpp"

namespace rwkvt {

class RecognizerImpl {
public:
    explicit RecognizerImpl(const RecognizerOptions& options);
    RecognizerOptions options;
    rt::PackedModel model;
    ModelSummary summary;
    std::optional<TokenNgramLm> lm;  // options.lm_path's model, for beam search
};

}  // namespace rwkvt
