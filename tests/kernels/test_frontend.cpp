// Log-mel and subsampling kernels against the reference front end (ref::log_mel,
// ref::normalise_features, ref::subsample), whole utterances and streamed in chunks.
#include <doctest/doctest.h>

#include "frontend_tables.hpp"
#include "kernel_test_util.hpp"

using namespace rwkvt;
using namespace rwkvt::kernel_test;

namespace {

// The DFT tables of the log_mel kernel contract: [400][257], Hann window folded in.
struct DftTables {
    std::vector<float> cos_table, sin_table;
    DftTables() : cos_table(kFrameLength * kSpectrumBins), sin_table(kFrameLength * kSpectrumBins) {
        const std::vector<float> window = hann_window();
        for (int n = 0; n < kFrameLength; ++n)
            for (int b = 0; b < kSpectrumBins; ++b) {
                const double angle = 2.0 * M_PI * ((static_cast<long>(b) * n) % kFftSize) / kFftSize;
                cos_table[n * kSpectrumBins + b] = static_cast<float>(window[n] * std::cos(angle));
                sin_table[n * kSpectrumBins + b] = static_cast<float>(window[n] * std::sin(angle));
            }
    }
};

Mat kernel_log_mel(const Model& m, const std::vector<float>& samples, int frames) {
    static const DftTables dft;
    const int M = m.config.n_mels;
    const std::vector<float> filterbank = mel_filterbank(M);
    const Tensor& mean = tensor(m, "frontend.feature_mean");
    std::vector<float> inv_std(M);
    for (int i = 0; i < M; ++i) inv_std[i] = 1.0f / tensor(m, "frontend.feature_std").data[i];
    Mat out(frames, M);
    const int rc = kernels().log_mel(dense(samples, {static_cast<int>(samples.size())}),
                                 dense(dft.cos_table, {kSpectrumBins, kFrameLength}),
                                 dense(dft.sin_table, {kSpectrumBins, kFrameLength}),
                                 dense(filterbank, {M, kSpectrumBins}), dense(mean.data, {M}), dense(inv_std, {M}),
                                 rows(out));
    REQUIRE(rc == 0);
    return out;
}

// The subsample kernel then the Linear (gemm_bias) for output rows [j0, j0 + J), reading the
// utterance's features as the streaming runtime does: 6 rows of left context, zeros before row 0.
Mat kernel_subsample(const Model& m, const Mat& features, int j0, int J) {
    const ModelConfig& c = m.config;
    const int M = c.n_mels, rows_needed = 4 * J + 3, first = 4 * j0 - 6;
    // Rows before the utterance hold garbage: the kernel must treat them as the zero padding.
    Mat local = Mat::Constant(rows_needed, M, 1000.0f);
    for (int q = 0; q < rows_needed; ++q)
        if (first + q >= 0 && first + q < features.rows()) local.row(q) = features.row(first + q);
    const Tensor &w1 = tensor(m, "encoder.subsample.conv1.weight"), &b1 = tensor(m, "encoder.subsample.conv1.bias");
    const Tensor &w2 = tensor(m, "encoder.subsample.conv2.weight"), &b2 = tensor(m, "encoder.subsample.conv2.bias");
    const int F1 = c.subsample_channels;
    Mat flat(J, c.subsample_flat());
    REQUIRE(kernels().subsample(rows(local), 2 * j0 - 2, dense(w1.data, {3, 3, 1, F1}), dense(b1.data, {F1}),
                            dense(w2.data, {3, 3, F1, F1}), dense(b2.data, {F1}),
                            dense(flat.data(), {c.mels_after_conv2(), F1, J})) == 0);
    const Mat w_t = transposed(m, "encoder.subsample.out.weight");
    Mat out(J, c.width);
    REQUIRE(kernels().gemm_bias(rows(flat), rows(w_t), dense(tensor(m, "encoder.subsample.out.bias").data, {c.width}),
                            rows(out)) == 0);
    return out;
}

}  // namespace

TEST_CASE("log-mel kernel equals the reference front end (relative error <= 1e-4)") {
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        int seed = 200;
        for (int frames : {1, 3, 17, 64}) {
            CAPTURE(config);
            CAPTURE(frames);
            std::mt19937 rng(seed++);
            std::uniform_real_distribution<float> noise(-0.3f, 0.3f);
            std::vector<float> samples(static_cast<size_t>(kFrameShift) * (frames - 1) + kFrameLength);
            for (size_t n = 0; n < samples.size(); ++n)
                samples[n] = noise(rng) + 0.5f * std::sin(0.05f * n * (1 + seed % 7));
            const Mat want = ref::normalise_features(m, ref::log_mel(samples, m.config.n_mels));
            REQUIRE(want.rows() == frames);
            CHECK(relative_error(kernel_log_mel(m, samples, frames), want) <= kTolerance);
        }
    }
}

TEST_CASE("subsample kernel equals the reference subsampling, whole and streamed (relative error <= 1e-4)") {
    for (const std::string& config : configs()) {
        const Model& m = model(config);
        int seed = 300;
        for (int frames : {1, 3, 4, 17, 64, 130}) {
            CAPTURE(config);
            CAPTURE(frames);
            std::mt19937 rng(seed++);
            const Mat features = random_mat(rng, frames, m.config.n_mels, -2.0f, 2.0f);
            const Mat want = ref::subsample(m, features);
            const int J = encoder_frame_count(frames);
            REQUIRE(want.rows() == J);
            CHECK(relative_error(kernel_subsample(m, features, 0, J), want) <= kTolerance);
            // Streamed: chunks of 1, 2 and 5 output rows.
            Mat streamed(J, m.config.width);
            int j0 = 0, step = 0;
            const int chunks[] = {1, 2, 5};
            while (j0 < J) {
                const int n = std::min(chunks[step++ % 3], J - j0);
                streamed.middleRows(j0, n) = kernel_subsample(m, features, j0, n);
                j0 += n;
            }
            CHECK(relative_error(streamed, want) <= kTolerance);
        }
    }
}
