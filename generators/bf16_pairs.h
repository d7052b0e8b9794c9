// bf16 weights as the bf16 GEMMs and the bf16 joiner take them (generators/README.md): W[o][2p + j]
// as bfloat16 pairs w_pairs(j, o, p), [K/2][O][2] row-major, and the same memory as 32-bit units
// w_units(o, p) (w_pairs(0, o, p) in the low half).
#pragma once

#include "Halide.h"

namespace rwkvt_gen {

// States the layout of a pair buffer and of its units: every min 0, the two weights of a pair
// adjacent, o next, and the units covering the same outputs and pairs.
inline void constrain_bf16_pairs(Halide::GeneratorInput<Halide::Buffer<Halide::bfloat16_t>>& pairs,
                                 Halide::GeneratorInput<Halide::Buffer<uint32_t>>& units) {
    for (int d = 0; d < 3; ++d) pairs.dim(d).set_min(0);
    pairs.dim(0).set_extent(2).set_stride(1);
    pairs.dim(1).set_stride(2);
    units.dim(0).set_min(0).set_stride(1).set_extent(pairs.dim(1).extent());
    units.dim(1).set_min(0).set_extent(pairs.dim(2).extent());
}

// Weight j of a pair, widened to f32 from its 32-bit unit: a bf16 is the high half of its f32, so
// the unit shifted left is the first weight and the unit with its low half cleared the second.
inline Halide::Expr widened_weight(const Halide::Expr& unit, const Halide::Expr& j) {
    using namespace Halide;
    return reinterpret<float>(select(j == 0, unit << 16, unit & Internal::make_const(UInt(32), 0xffff0000u)));
}

}  // namespace rwkvt_gen
