// The WKV-7 recurrence (spec section 3, steps 10-11) as a LibTorch autograd function whose forward
// and backward are the Halide kernels of generators/wkv7_train.cpp.
//
// Inside the op: S_t = S_{t-1} diag(w) + (S_{t-1} (-kk)) (kk a)^T + v k^T per head, from S = 0, and
// the readout y_t = S_t r_t (before GroupNorm). Outside it, in plain torch ops that autograd
// differentiates: the kk normalisation (step 8), the replacement key (step 9), GroupNorm, bonus and
// gate (steps 12-14). The forward keeps only the inputs and a state checkpoint every 16 tokens; the
// backward recomputes the states from the checkpoints.
#pragma once

#include <torch/torch.h>

namespace rwkvt::train {

// r, w, k, v, kk, a: float32 CPU tensors [B, T, C] with C = H * head_size (any strides; made
// contiguous), w the decay in (0, 1), kk the normalised removal key, k the replacement key.
// Returns y [B, T, C]. head_size must be 16 or 32 (one kernel library per head size).
// Throws std::invalid_argument for other shapes, dtypes or head sizes.
torch::Tensor wkv7(const torch::Tensor& r, const torch::Tensor& w, const torch::Tensor& k, const torch::Tensor& v,
                   const torch::Tensor& kk, const torch::Tensor& a, int head_size);

// The same recurrence as a plain loop of torch ops over t (autograd records every step): the
// oracle of the op's gradient test and the baseline of its benchmark. Any dtype (double in tests).
torch::Tensor wkv7_autograd_loop(const torch::Tensor& r, const torch::Tensor& w, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& kk, const torch::Tensor& a,
                                 int head_size);

}  // namespace rwkvt::train
