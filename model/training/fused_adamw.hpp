// AdamW whose step is one pass over each parameter (decay, both moments, the update) instead of
// LibTorch's nine element-wise ops and two temporaries per parameter. The same optimiser as
// torch::optim::AdamW in every other respect: its options, param groups, per-parameter state
// (AdamWParamState: step, exp_avg, exp_avg_sq) and serialization, so checkpoints move freely
// between the two. Dense contiguous float32 CPU parameters take the fused pass; anything else
// (and amsgrad) takes torch's own step for that parameter's arithmetic.
#pragma once

#include <torch/torch.h>

namespace rwkvt::train {

class FusedAdamW : public torch::optim::AdamW {
public:
    using torch::optim::AdamW::AdamW;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace rwkvt::train
