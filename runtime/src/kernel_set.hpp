// Kernel variants and run-time dispatch. Every inference kernel is compiled once per CPU target (a
// "variant": generators/variants.cmake); a KernelSet holds one variant's entry points. The
// process uses one variant, chosen on first use: the one named by RWKVT_KERNELS if set, else the
// first variant built (best first) that this CPU can run. Buffer contracts: generators/README.md.
#pragma once

#include <HalideRuntime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cpu_features.hpp"

namespace rwkvt::rt::kernels {

template <typename... Args>
using KernelFn = int (*)(Args...);
using B = halide_buffer_t*;

struct KernelSet {
    const char* variant;        // "avx2"
    const char* halide_target;  // the full Halide target it was compiled for
    const char* bf16_products;  // how its GEMMs multiply bf16 weights (KernelVariantInfo::bf16_products)
    KernelFn<B, B, B, B, B, B, B> log_mel;               // samples, dft_cos, dft_sin, filterbank, mean, inv_std -> features
    KernelFn<B, int32_t, B, B, B, B, B> subsample;       // features, first_conv1_row, conv1 w/b, conv2 w/b -> flat
    KernelFn<B, B, B, B> layer_norm;                     // x, weight, bias -> y
    KernelFn<B, B, B, B, B, B, B> time_mix_shift;        // x, ln weight/bias, shift_in, mu -> mixed, shift_out
    KernelFn<B, B, B, B, B, B, B> channel_mix_shift;     // same, one mix
    KernelFn<B, B, B> gemm_plain;                        // a, w_t -> out
    KernelFn<B, B, B, B> gemm_bias;                      // a, w_t, bias -> out
    KernelFn<B, B, B> gemm_relu_square;                  // a, w_t -> out
    KernelFn<B, B, B, B> gemm_residual;                  // a, w_t, residual -> out
    KernelFn<B, B, B, B> gemm_bf16_plain;                // a, w_pairs (bf16), w_units (the same, uint32) -> out
    KernelFn<B, B, B, B, B> gemm_bf16_bias;              // a, w_pairs, w_units, bias -> out
    KernelFn<B, B, B, B> gemm_bf16_relu_square;          // a, w_pairs, w_units -> out
    KernelFn<B, B, B, B, B> gemm_bf16_residual;          // a, w_pairs, w_units, residual -> out
    KernelFn<B, B, B, B, B> lora_decay;                  // x, down, up, base -> out
    KernelFn<B, B, B, B, B> lora_iclr;                   // x, down, up, base -> out
    KernelFn<B, B, B, B, B, B, B> lora_value_residual;   // x, down, up, base, v, v_first -> out
    KernelFn<B, B, B, B> lora_gate;                      // x, down, up -> out
    using Wkv7 = KernelFn<B, B, B, B, B, B, B, B, B, B, B, B, B, B>;  // r w k v a g k_k k_a r_k ln_x w/b state_in -> out, state_out
    Wkv7 wkv7_n16;
    Wkv7 wkv7_n32;
    KernelFn<B, B, B, B, B, B, B> joiner;                // enc_proj, pred_proj, hidden w_t/b, out w_t/b -> logits
    KernelFn<B, B, B, B, B, B, B, B, B> joiner_bf16;     // enc_proj, pred_proj, hidden w_pairs/w_units/b, out w_pairs/w_units/b -> logits
};

// The variants this library was built with, best first.
const std::vector<const KernelSet*>& built_variants();
// The variant this process uses (chosen on first call). Throws if RWKVT_KERNELS names a variant
// that was not built or that this CPU cannot run.
const KernelSet& active();

}  // namespace rwkvt::rt::kernels
