// One predictor step, as both transducer decoders take it: the token's embedding through the
// predictor stack, then the joiner's projection W_p g of the output.
#pragma once

#include "packed_model.hpp"
#include "stack.hpp"

namespace rwkvt::rt {

// Advances `state` by `token` and writes W_p g (width floats) into `pred_proj`.
void predictor_step(const PackedModel& model, int token, StackState& state, Floats& pred_proj, StackWorkspace& workspace);

}  // namespace rwkvt::rt
