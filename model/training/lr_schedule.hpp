// Learning rate per optimizer step: linear warm-up from lr/warmup to lr over `warmup_steps`, then
// cosine decay to `final_lr` at `total_steps`. A pure function of the step, so a resumed run
// continues on exactly the same curve without storing scheduler state.
#pragma once

#include <cstdint>

namespace rwkvt::train {

double learning_rate(int64_t step, double lr, double final_lr, int64_t warmup_steps, int64_t total_steps);

}  // namespace rwkvt::train
