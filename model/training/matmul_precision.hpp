// The precision of the training model's matrix products (optim.matmul_precision and
// `rwkvt train --benchmark --matmul-precision`). Free of LibTorch, so the configuration loader and
// the command line check the setting's spelling where they read it; linear_op.hpp applies it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvt::train {

// F32: f32 operands and sums (oneDNN's sgemm). BF16: operands rounded to bf16, f32 sums.
enum class MatmulPrecision { F32, BF16 };

inline const char* matmul_precision_name(MatmulPrecision precision) {
    return precision == MatmulPrecision::BF16 ? "bf16" : "f32";
}

inline constexpr MatmulPrecision kMatmulPrecisions[] = {MatmulPrecision::F32, MatmulPrecision::BF16};

// The precision a name spells ("f32" | "bf16"); nullopt for any other spelling.
inline std::optional<MatmulPrecision> parse_matmul_precision(std::string_view text) {
    for (const MatmulPrecision precision : kMatmulPrecisions)
        if (text == matmul_precision_name(precision)) return precision;
    return std::nullopt;
}

// Every accepted spelling, for the command line's check and help.
inline std::vector<std::string> matmul_precision_names() {
    std::vector<std::string> names;
    for (const MatmulPrecision precision : kMatmulPrecisions) names.emplace_back(matmul_precision_name(precision));
    return names;
}

}  // namespace rwkvt::train
