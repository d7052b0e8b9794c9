// Dense torch tensors as Halide buffers for the training kernels (no copy), and their error codes.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <HalideBuffer.h>
#include <torch/torch.h>

namespace rwkvt::train {

using HalideFloats = Halide::Runtime::Buffer<float>;

// A dense float32 tensor as a Halide buffer with the dimensions reversed: Halide's dimension 0 is
// the tensor's last, contiguous one (a [B, T, C] tensor is the kernels' (c, t, b)).
inline HalideFloats halide_view(const torch::Tensor& x) {
    std::vector<int> extents;
    for (int64_t d = x.dim() - 1; d >= 0; --d) extents.push_back(static_cast<int>(x.size(d)));
    return HalideFloats(x.data_ptr<float>(), extents);
}

// Throws if a Halide kernel returned an error code.
inline void check_halide_result(int result, const std::string& kernel) {
    if (result != 0) throw std::runtime_error("Halide kernel " + kernel + " failed with code " + std::to_string(result));
}

}  // namespace rwkvt::train
