// What a Recognizer shares with its streams: the packed model, the options and the summary.
#pragma once

#include "packed_model.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt {

class RecognizerImpl {
public:
    explicit RecognizerImpl(const RecognizerOptions& options);
    RecognizerOptions options;
    rt::PackedModel model;
    ModelSummary summary;
};

}  // namespace rwkvt
