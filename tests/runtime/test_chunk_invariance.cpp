// Streaming must not change what the encoder computes: the same audio, fed in random pieces and
// encoded in chunks of any length, gives the encoder output of whole-file processing. On the
// AVX-512 variants (avx512, avx512_bf16) every kernel computes a token the same way whatever else is in its
// call, so the outputs are bit-identical; on AVX2 and SSE4.1 the compiler orders the sums of the
// one-token GEMM rows and WKV-7 step differently from the chunked loops, so they may differ in the
// last bits only. On avx512_amx a bf16 model's GEMMs of one token run on vdpbf16ps and longer ones on
// the AMX tiles, which add each pair's two products in the other order: last-bit differences that
// flip the bf16 rounding of some activations downstream (2^-8 of that value each), so chunked and
// whole-file outputs agree to about 1% of the output scale there (a wrong kernel is off by all of it).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

#include "encoder.hpp"
#include "feature_extractor.hpp"
#include "packed_model.hpp"
#include "rwkvt/kernel_variants.hpp"
#include "rwkvt/recognizer.hpp"
#include "model/scratch.hpp"
#include "support/test_models.hpp"

using namespace rwkvt;

namespace {

// The encoder output of `audio` fed in random pieces (1 to 3000 samples), encoding every
// `chunk_frames` frames as soon as they are ready and the rest at the end, as a stream does.
std::vector<float> encode_in_chunks(const rt::PackedModel& model, const std::vector<float>& audio, int chunk_frames,
                                    std::mt19937& rng) {
    rt::FeatureExtractor features;
    rt::Encoder encoder(model);
    rt::EncoderState state = rt::EncoderState::zeros(model.config);
    rt::StackWorkspace workspace;
    rt::Floats rows, out;
    auto drain = [&](bool all) {
        while (encoder.encode_next_chunk(state, chunk_frames, all, out, workspace) > 0) {
        }
    };
    size_t pos = 0;
    while (pos < audio.size()) {
        const size_t n = std::min(audio.size() - pos, static_cast<size_t>(std::uniform_int_distribution<int>(1, 3000)(rng)));
        features.accept(audio.data() + pos, n);
        pos += n;
        rows.clear();
        const int frames = features.extract(model, rows);
        encoder.accept_features(state, rows.data(), frames);
        drain(false);
    }
    drain(true);
    return std::vector<float>(out.begin(), out.end());
}

}  // namespace

TEST_CASE("encoding in chunks of any length gives the whole-file encoder output") {
    const KernelVariantInfo variant = active_kernel_variant();
    // Bit-exactness is a property of the AVX-512 targets' code (every AVX-512 variant, whatever its name).
    const bool avx512 = variant.halide_target.find("-avx512") != std::string::npos;
    const uint64_t seed = test::fresh_seed();
    INFO("seed ", seed);
    for (StorageDtype dtype : {StorageDtype::F32, StorageDtype::BF16}) {
        CAPTURE(dtype == StorageDtype::BF16);
        const bool amx_tiles = variant.bf16_products == "amx" && dtype == StorageDtype::BF16;
        const bool bit_exact = avx512 && !amx_tiles;
        test::TempFile file(".safetensors");
        save_model(test::noisy_model("rwkvt-19m", seed, 0.05f), file.str(), dtype);
        RecognizerOptions options;
        options.model_path = file.str();
        options.threads = 2;
        const Recognizer recognizer(options);  // whole-file path: the public API
        const rt::PackedModel packed = rt::PackedModel::from(load_model(file.str()));

        std::mt19937 rng(static_cast<uint32_t>(seed));
        const auto audio = test::random_audio(std::uniform_real_distribution<double>(3.0, 4.5)(rng), seed);
        int frames = 0;
        const std::vector<float> whole = recognizer.encoder_output(audio, frames);
        REQUIRE(frames > 64);
        for (int chunk_frames : {1, 5, 8, 64}) {
            CAPTURE(chunk_frames);
            const std::vector<float> chunked = encode_in_chunks(packed, audio, chunk_frames, rng);
            REQUIRE(chunked.size() == whole.size());
            if (bit_exact) {
                size_t differing = 0;
                for (size_t i = 0; i < whole.size(); ++i) differing += chunked[i] != whole[i];
                CHECK(differing == 0);
            } else {
                CHECK(test::relative_error(chunked, whole, whole.size()) < (amx_tiles ? 2e-2 : 1e-5));
            }
        }
    }
}
