#include "peak_flops.hpp"

#include <immintrin.h>

#include <chrono>
#include <thread>
#include <vector>

namespace rwkvt::cli {

namespace {

constexpr int kChains = 12;  // enough independent accumulators to hide FMA latency on two FMA ports
constexpr long kIterations = 1 << 16;

// The sum of a vector's lanes (stored and added: _mm512_reduce_add_ps trips GCC 12's
// -Wuninitialized inside its own header).
__attribute__((target("avx512f"))) float lane_sum(__m512 v) {
    float lanes[16];
    _mm512_storeu_ps(lanes, v);
    float sum = 0.0f;
    for (float x : lanes) sum += x;
    return sum;
}

// Each returns the flops done; the sum of the accumulators is kept observable so nothing is elided.
__attribute__((target("avx512f"))) double fma_burst_avx512(float& sink) {
    __m512 acc[kChains];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
    for (long i = 0; i < kIterations; ++i)
        for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    for (int c = 1; c < kChains; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
    sink += lane_sum(acc[0]);
    return 2.0 * 16 * kChains * kIterations;
}

__attribute__((target("avx2,fma"))) double fma_burst_avx2(float& sink) {
    __m256 acc[kChains];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
    for (long i = 0; i < kIterations; ++i)
        for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    float lanes[8];
    for (int c = 1; c < kChains; ++c) acc[0] = _mm256_add_ps(acc[0], acc[c]);
    _mm256_storeu_ps(lanes, acc[0]);
    for (float v : lanes) sink += v;
    return 2.0 * 8 * kChains * kIterations;
}

double fma_burst_scalar(float& sink) {
    float acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = static_cast<float>(c);
    for (long i = 0; i < kIterations; ++i)
        for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * 0.999999f + 1e-7f;
    for (int c = 0; c < kChains; ++c) sink += acc[c];
    return 2.0 * kChains * kIterations;
}

__attribute__((target("avx512f,avx512bf16"))) double bf16_dot_burst(float& sink) {
    __m512 acc[kChains];
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.5f), _mm512_set1_ps(0.25f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-7f), _mm512_set1_ps(2e-7f));
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
    for (long i = 0; i < kIterations; ++i)
        for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], a, b);
    for (int c = 1; c < kChains; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
    sink += lane_sum(acc[0]);
    return 4.0 * 16 * kChains * kIterations;
}

// The AMX tile unit with full tiles: four accumulators (16 x 16 f32) each taking a 16 x 32 bf16
// tile times a 32 x 16 one per instruction, operands held in tile registers (no loads): 16,384 flops
// per tdpbf16ps. The tile configuration is per thread.
struct alignas(64) TileConfig {
    unsigned char palette = 1, start_row = 0, reserved[14] = {};
    unsigned short bytes_per_row[16] = {};
    unsigned char rows[16] = {};
};

__attribute__((target("amx-tile,amx-bf16"))) double amx_burst(float& sink) {
    TileConfig config;
    for (int t = 0; t < 8; ++t) {
        config.bytes_per_row[t] = 64;
        config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    _tile_zero(4);
    _tile_zero(5);
    _tile_zero(6);
    _tile_zero(7);
    constexpr long kTileIterations = kIterations / 8;
    for (long i = 0; i < kTileIterations; ++i) {
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    float out[16 * 16];
    _tile_stored(0, out, 64);
    _tile_release();
    for (float v : out) sink += v;
    return 4.0 * 2 * 16 * 16 * 32 * kTileIterations;
}

double fma_burst(float& sink) {
    if (__builtin_cpu_supports("avx512f")) return fma_burst_avx512(sink);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return fma_burst_avx2(sink);
    return fma_burst_scalar(sink);
}

// GFLOP/s of `threads` threads each running `burst` for about `seconds`.
double measure_bursts(int threads, double seconds, double (*burst)(float&)) {
    std::vector<double> flops(threads, 0.0);
    std::vector<float> sinks(threads, 0.0f);
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            while (elapsed() < seconds) flops[t] += burst(sinks[t]);
        });
    for (auto& w : workers) w.join();
    const double total_seconds = elapsed();
    double total = 0.0;
    for (int t = 0; t < threads; ++t) total += flops[t] + (sinks[t] == 12345.0f ? 1.0 : 0.0);
    return total / total_seconds / 1e9;
}

}  // namespace

double measure_peak_gflops(int threads, double seconds) { return measure_bursts(threads, seconds, fma_burst); }

double measure_peak_bf16_gflops(int threads, double seconds) { return measure_bursts(threads, seconds, bf16_dot_burst); }

double measure_peak_amx_gflops(int threads, double seconds) { return measure_bursts(threads, seconds, amx_burst); }

}  // namespace rwkvt::cli
