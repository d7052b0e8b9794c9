// The token shift and its mixes (spec section 3, step 2; the channel mix's shift of step 15) as a
// LibTorch autograd function whose forward and backward are the Halide kernels of
// generators/token_shift_mix_train.cpp: out_k = x + (x shifted one token later - x) * mu_k, with a
// zero before the first token. One pass over the activations each way instead of the 2K + 2
// forward and ~5K backward passes of the same maths in plain torch ops.
#pragma once

#include <vector>

#include <torch/torch.h>

namespace rwkvt::train {

// x: [B, T, C] (any strides; made contiguous); mus: K = 1 or 6 tensors of C elements (the blocks'
// mix coefficients, any shape of C elements). Returns the K mixes, each [B, T, C]. Gradients flow
// to x and to every mu. float32 CPU tensors run on the kernels; other dtypes or devices take
// token_shift_mix_reference. Throws std::invalid_argument for other shapes or mix counts.
std::vector<torch::Tensor> token_shift_mix(const torch::Tensor& x, const std::vector<torch::Tensor>& mus);

// The same in plain torch ops (any dtype, K, device): the oracle of the op's test.
std::vector<torch::Tensor> token_shift_mix_reference(const torch::Tensor& x, const std::vector<torch::Tensor>& mus);

}  // namespace rwkvt::train
