// One predictor step, as both transducer decoders take it: the token's embedding through the
// predictor stack, then the joiner's projection W_p g of the output.
#pragma once

#include <vector>

#include "packed_model.hpp"
#include "stack.hpp"

namespace rwkvt::rt {

// Advances `state` by `token` and writes W_p g (width floats) into `pred_proj`.
void predictor_step(const PackedModel& model, int token, StackState& state, Floats& pred_proj, StackWorkspace& workspace);

// One step of each of n = tokens.size() independent predictors at once (beam search's extended
// hypotheses): tokens[i] advances *states[i] and writes its projection into *pred_projs[i]. Equal to
// n single steps; the GEMMs read each weight matrix once for all n.
void predictor_steps(const PackedModel& model, const std::vector<int>& tokens, const std::vector<StackState*>& states,
                     const std::vector<Floats*>& pred_projs, StackWorkspace& workspace);

}  // namespace rwkvt::rt
