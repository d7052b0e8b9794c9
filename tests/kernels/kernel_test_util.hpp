// Helpers for the kernel tests: Halide buffers over existing memory, random data, the comparison
// measure, and models with every weight perturbed (cached: the 19M model takes a moment to build).
#pragma once

#include <HalideBuffer.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kernel_set.hpp"
#include "reference/reference.hpp"
#include "support/test_models.hpp"

namespace rwkvt::kernel_test {

// The kernel variant under test: the one the runtime would choose, or RWKVT_KERNELS's.
inline const rt::kernels::KernelSet& kernels() { return rt::kernels::active(); }

using Buffer = Halide::Runtime::Buffer<float>;
using ref::Mat;
using ref::Vec;

// Every kernel result is compared with this measure: max |got - want| / max(1, max |want|), and
// must be <= kTolerance (fp32 kernels against the fp32/fp64 reference).
constexpr double kTolerance = 1e-4;

inline double relative_error(const float* got, const float* want, size_t n) {
    double diff = 0.0, scale = 1.0;
    for (size_t i = 0; i < n; ++i) {
        diff = std::max(diff, static_cast<double>(std::abs(got[i] - want[i])));
        scale = std::max(scale, static_cast<double>(std::abs(want[i])));
        if (std::isnan(got[i]) != std::isnan(want[i])) return INFINITY;
    }
    return diff / scale;
}
inline double relative_error(const Mat& got, const Mat& want) {
    if (got.rows() != want.rows() || got.cols() != want.cols()) return INFINITY;
    return relative_error(got.data(), want.data(), static_cast<size_t>(got.size()));
}
inline double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    if (got.size() != want.size()) return INFINITY;
    return relative_error(got.data(), want.data(), got.size());
}

// (channels, time) view of `time` rows `stride` floats apart.
inline Buffer rows(const float* data, int channels, int time, int stride) {
    halide_dimension_t dims[2] = {{0, channels, 1}, {0, time, stride}};
    return Buffer(const_cast<float*>(data), 2, dims);
}
inline Buffer rows(const Mat& m) { return rows(m.data(), static_cast<int>(m.cols()), static_cast<int>(m.rows()), static_cast<int>(m.cols())); }
inline Buffer rows(Mat& m) { return rows(m.data(), static_cast<int>(m.cols()), static_cast<int>(m.rows()), static_cast<int>(m.cols())); }
// Dense buffer with Halide extents innermost first.
inline Buffer dense(const float* data, std::vector<int> extents) { return Buffer(const_cast<float*>(data), extents); }
inline Buffer dense(const std::vector<float>& v, std::vector<int> extents) { return dense(v.data(), std::move(extents)); }

inline Mat random_mat(std::mt19937& rng, int rows, int cols, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> u(lo, hi);
    Mat m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
    return m;
}

// The model configs the model-based kernel tests run on: tiny and rwkvt-19m, or the comma-separated
// list in RWKVT_TEST_CONFIGS. The AArch64 tests under qemu-user take "tiny" only: initialising the
// 19M model in emulation takes minutes, in every test process. (The GEMM tests need no model and
// keep the 19M shapes.)
inline std::vector<std::string> configs() {
    const char* env = std::getenv("RWKVT_TEST_CONFIGS");
    if (!env || !*env) return {"tiny", "rwkvt-19m"};
    std::vector<std::string> out;
    std::string list = env;
    for (size_t start = 0; start <= list.size();) {
        const size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) out.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

inline const Model& model(const std::string& config) {
    static std::map<std::string, Model> cache;
    auto it = cache.find(config);
    if (it == cache.end()) it = cache.emplace(config, test::noisy_model(config, 20261127, 0.3f)).first;
    return it->second;
}

inline const Tensor& tensor(const Model& m, const std::string& name) { return m.weights.at(name); }
inline Eigen::Map<const Mat> matrix(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return Eigen::Map<const Mat>(t.data.data(), t.shape[0], t.shape[1]);
}
inline Eigen::Map<const Vec> vector(const Model& m, const std::string& name) {
    const Tensor& t = m.weights.at(name);
    return Eigen::Map<const Vec>(t.data.data(), static_cast<Eigen::Index>(t.data.size()));
}
// bfloat16 helpers, written here rather than shared with the model file so the tests stay independent.
inline uint16_t bf16_bits_truncated(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>(bits >> 16);
}
inline float widen(uint16_t bits) {
    const uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float f;
    std::memcpy(&f, &wide, 4);
    return f;
}
inline float round_to_bf16(float f) {  // round to nearest, ties to even
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return widen(static_cast<uint16_t>(bits >> 16));
}
// Whether the active variant rounds activations to bf16 before multiplying bf16 weights (vdpbf16ps
// and AMX) or widens the weights to f32.
inline bool rounds_bf16_activations() { return std::string(kernels().bf16_products) != "f32"; }

// A weight W [O, K] (K even) cut to bf16 as the bf16 kernels take it: `exact` holds the bf16 values as
// floats; `pairs` the bits, W[o][2p + j] at [p][o][j], as Halide's bfloat (j, o, p) and the same
// memory as 32-bit units (o, p).
struct Bf16Matrix {
    Mat exact;
    std::vector<uint16_t> bits;
    Halide::Runtime::Buffer<void> pairs, units;
    explicit Bf16Matrix(const Mat& w) : exact(w.rows(), w.cols()), bits(static_cast<size_t>(w.size())) {
        const int O = static_cast<int>(w.rows()), K = static_cast<int>(w.cols());
        for (int o = 0; o < O; ++o)
            for (int k = 0; k < K; ++k) {
                const uint16_t b = bf16_bits_truncated(w(o, k));
                exact(o, k) = widen(b);
                bits[(static_cast<size_t>(k / 2) * O + o) * 2 + k % 2] = b;
            }
        halide_dimension_t dims[3] = {{0, 2, 1}, {0, O, 2}, {0, K / 2, 2 * O}};
        pairs = Halide::Runtime::Buffer<void>(halide_type_t(halide_type_bfloat, 16), bits.data(), 3, dims);
        halide_dimension_t unit_dims[2] = {{0, O, 1}, {0, K / 2, O}};
        units = Halide::Runtime::Buffer<void>(halide_type_t(halide_type_uint, 32), bits.data(), 2, unit_dims);
    }
    Bf16Matrix(const Bf16Matrix&) = delete;  // the buffers point into `bits`
};

// A Linear weight W [O, K] as the kernels take it: W^T row-major, i.e. w_t(o, k) with o contiguous.
inline Mat transposed(const Model& m, const std::string& name) { return matrix(m, name).transpose(); }

}  // namespace rwkvt::kernel_test
