// LibTorch and doctest in one test file. LibTorch pulls in glog, whose CHECK, CHECK_EQ, ... macros
// would replace doctest's (a failed check would then abort the whole suite): include torch first,
// drop glog's names, then doctest.
#pragma once

#include <torch/torch.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE

#include <doctest/doctest.h>

#include <algorithm>

// max |a - b| / max |b|, in double: the error relative to the largest reference value (which may be
// 0, e.g. some gradients of one token; empty tensors agree only with empty tensors).
inline double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor ref = b.to(torch::kFloat64);
    if (ref.numel() == 0) return a.numel() == 0 ? 0.0 : 1.0;
    return (a.to(torch::kFloat64) - ref).abs().max().item<double>() / std::max(ref.abs().max().item<double>(), 1e-12);
}
