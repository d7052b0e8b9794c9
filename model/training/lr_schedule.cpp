#include "lr_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace rwkvt::train {

double learning_rate(int64_t step, double lr, double final_lr, int64_t warmup_steps, int64_t total_steps) {
    if (step < warmup_steps) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    const int64_t decay_steps = std::max<int64_t>(1, total_steps - warmup_steps);
    const double progress = std::clamp(static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps), 0.0, 1.0);
    return final_lr + (lr - final_lr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace rwkvt::train
