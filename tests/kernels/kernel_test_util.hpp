// Helpers for the kernel tests: Halide buffers over existing memory, random data, the comparison
// measure, and models with every weight perturbed (cached: the 19M model takes a moment to build).
#pragma once

#include <HalideBuffer.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
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
// A Linear weight W [O, K] as the kernels take it: W^T row-major, i.e. w_t(o, k) with o contiguous.
inline Mat transposed(const Model& m, const std::string& name) { return matrix(m, name).transpose(); }

}  // namespace rwkvt::kernel_test
