// The training model's matrix products (every linear layer, the LoRA matrices, the CTC head and the
// joiner) as a LibTorch autograd function whose forward and backward products run on oneDNN's
// sgemm. LibTorch 1.13 sends f32 CPU matmuls to the system BLAS; at the transducer's shapes
// (2000 rows, 64-1152 columns, 2 threads, AVX2) oneDNN's sgemm measured 1.1-1.3x faster than
// OpenBLAS's on the wide layers and 2-3x on the LoRA ones, and a whole training step 1.06-1.08x
// faster (`rwkvt train --benchmark`). oneDNN comes with LibTorch and shares its OpenMP thread pool, where
// OpenBLAS's own threads spin beside it.
//
// Other dtypes (the double-precision tests) fall back to torch's own ops, so the two paths compute
// the same function and the tests can hold one against the other.
//
// With MatmulPrecision::BF16 the f32 products round both operands to bf16 and accumulate in f32
// (oneDNN's matmul primitive: AMX tiles or vdpbf16ps where the CPU has them), as mixed-precision
// training does; activations, gradients and weights stay f32 everywhere else.
#pragma once

#include <torch/torch.h>

#include "matmul_precision.hpp"

namespace rwkvt::train {

// The precision of every product below, for the whole process (a training run sets it once from
// optim.matmul_precision). BF16 throws std::runtime_error, leaving the setting as it was, when this
// CPU has no bf16 matrix products in oneDNN (it needs AVX-512).
void set_matmul_precision(MatmulPrecision precision);
MatmulPrecision matmul_precision();

// x [..., K] times weight [N, K] transposed, plus bias [N] when defined: torch::linear.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias = {});

// x [..., K] times m [K, N]: torch::matmul with a matrix (the LoRA layout).
torch::Tensor matmul(const torch::Tensor& x, const torch::Tensor& m);

}  // namespace rwkvt::train
