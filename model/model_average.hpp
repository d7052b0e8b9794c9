// Weight averaging: one model whose every tensor is the element-wise mean of several models'.
//
// Models fine-tuned from one starting point (for example several training sittings from the same
// model file, each on other audio) lie in one basin of the loss, and their mean is usually better
// than any of them: it averages out what each learnt from its own sample of voices and sentences.
// Only such models may be averaged; the mean of unrelated models is meaningless, which this
// function cannot see, but everything it can check is checked: the same config, tokenizer and
// tensors.
#pragma once

#include <string>
#include <vector>

#include "weights.hpp"

namespace rwkvt {

// The element-wise mean (summed in double) of `models`, with the first model's config and
// tokenizer. Throws std::runtime_error naming the first model that differs from the first in config,
// tokenizer or tensor shapes (`names`, one per model, say which), and when `models` is empty. The
// means are not marked from_bf16 (the mean of bfloat16 values is generally not one; save_model
// rounds them again when asked for BF16), unless there is only one model.
Model average_models(const std::vector<Model>& models, const std::vector<std::string>& names);

}  // namespace rwkvt
