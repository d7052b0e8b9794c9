// The precision of the training model's matrix products (optim.matmul_precision and
// `rwkvt train --benchmark --matmul-precision`). Free of LibTorch, so the configuration loader and
// the command line check the setting's spelling where they read it; linear_op.hpp applies it.
#pragma once

#include <optional>
#include <string_view>

namespace rwkvt::train {

// F32: f32 operands and sums (oneDNN's sgemm). BF16: operands rounded to bf16, f32 sums.
enum class MatmulPrecision { F32, BF16 };

// "f32" | "bf16"; nullopt for any other spelling.
inline std::optional<MatmulPrecision> parse_matmul_precision(std::string_view text) {
    if (text == "f32") return MatmulPrecision::F32;
    if (text == "bf16") return MatmulPrecision::BF16;
    return std::nullopt;
}

inline const char* matmul_precision_name(MatmulPrecision precision) {
    return precision == MatmulPrecision::BF16 ? "bf16" : "f32";
}

}  // namespace rwkvt::train
