// The whole runtime (Halide kernels stitched together) against the reference implementation, and
// streaming against whole-utterance processing.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "reference/reference.hpp"
#include "rwkvt/kernel_variants.hpp"
#include "rwkvt/profile.hpp"
#include "rwkvt/recognizer.hpp"
#include "model/scratch.hpp"
#include "support/test_models.hpp"
#include "token_ngram_lm.hpp"
#include "token_ngram_training.hpp"

using namespace rwkvt;

namespace {

struct Fixture {
    Model model;
    test::TempFile file{".safetensors"};
    std::unique_ptr<Recognizer> recognizer;
    Fixture(const std::string& config, uint64_t seed, float noise, int max_symbols = 3, int chunk_frames = 8,
            StorageDtype dtype = StorageDtype::F32) {
        model = test::noisy_model(config, seed, noise);
        save_model(model, file.str(), dtype);
        if (dtype == StorageDtype::BF16) model = load_model(file.str());  // the reference gets the same weights
        RecognizerOptions o;
        o.model_path = file.str();
        o.threads = 2;
        o.max_symbols_per_frame = max_symbols;
        o.chunk_frames = chunk_frames;
        recognizer = std::make_unique<Recognizer>(o);
    }
};

// One stream fed the audio in pieces of random size, down to single samples.
Result streamed_in_random_pieces(const Recognizer& recognizer, const std::vector<float>& audio, std::mt19937& rng) {
    auto stream = recognizer.create_stream();
    size_t pos = 0;
    while (pos < audio.size()) {
        const size_t n = std::min(audio.size() - pos, static_cast<size_t>(std::uniform_int_distribution<int>(1, 3000)(rng)));
        stream->accept_waveform(16000, audio.data() + pos, n);
        pos += n;
    }
    stream->input_finished();
    return stream->result();
}

// The same text, tokens and token times.
void check_same_tokens(const Result& got, const Result& want) {
    CHECK(got.text == want.text);
    REQUIRE(got.tokens.size() == want.tokens.size());
    for (size_t i = 0; i < got.tokens.size(); ++i) {
        CHECK(got.tokens[i].id == want.tokens[i].id);
        CHECK(got.tokens[i].time_s == want.tokens[i].time_s);
    }
}

}  // namespace

TEST_CASE("runtime encoder output matches the reference (tiny config)") {
    for (uint64_t seed : {11u, 12u}) {
        Fixture f("tiny", seed, 0.2f);
        for (double seconds : {0.031, 0.5, 2.37}) {  // 1 frame, a few, several WKV chunks
            const auto audio = test::random_audio(seconds, seed * 100 + static_cast<uint64_t>(seconds * 1000));
            int frames = 0;
            const std::vector<float> got = f.recognizer->encoder_output(audio, frames);
            const ref::Mat want = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, 80)));
            REQUIRE(frames == want.rows());
            CHECK(test::relative_error(got, want.data(), got.size()) < 1e-4);
        }
    }
}

TEST_CASE("runtime encoder output matches the reference (rwkvt-19m config)") {
    Fixture f("rwkvt-19m", 5, 0.05f);
    CHECK(f.recognizer->summary().gemm_weights == "f32");
    const auto audio = test::random_audio(1.3, 77);
    int frames = 0;
    const std::vector<float> got = f.recognizer->encoder_output(audio, frames);
    const ref::Mat want = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, 80)));
    REQUIRE(frames == want.rows());
    CHECK(test::relative_error(got, want.data(), got.size()) < 1e-4);
}

TEST_CASE("a bf16 model file runs on the bf16 GEMMs and matches the reference on the same weights") {
    // The avx512_bf16 and avx512_amx variants round the GEMMs' activations to bf16 as well: about 0.1%
    // per GEMM output, compounding over the blocks' several GEMMs, and the measure takes the largest
    // error over every output, so it is held to 0.1 of the output scale (a wrong kernel is off by
    // the whole scale). The other variants widen the weights exactly and are held to f32's 1e-4.
    const bool rounds_activations = active_kernel_variant().bf16_products != "f32";
    for (const char* config : {"tiny", "rwkvt-19m"}) {
        CAPTURE(config);
        Fixture f(config, 31, 0.05f, 3, 8, StorageDtype::BF16);
        CHECK(f.recognizer->summary().gemm_weights == "bf16");
        const auto audio = test::random_audio(1.1, 78);
        set_kernel_profiling(true);
        reset_kernel_timings();
        int frames = 0;
        const std::vector<float> got = f.recognizer->encoder_output(audio, frames);
        set_kernel_profiling(false);
        std::vector<std::string> kernels;
        for (const KernelTiming& k : kernel_timings()) kernels.push_back(k.kernel);
        CHECK(std::count(kernels.begin(), kernels.end(), "gemm_bf16") == 1);
        CHECK(std::count(kernels.begin(), kernels.end(), "gemm") == 0);  // every encoder GEMM layer is bf16
        const ref::Mat want = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, 80)));
        REQUIRE(frames == want.rows());
        CHECK(test::relative_error(got, want.data(), got.size()) < (rounds_activations ? 0.1 : 1e-4));
    }
}

TEST_CASE("a bf16 model file's joiner runs on the bf16 joiner kernel; where it widens the weights, tokens equal the reference's") {
    // Variants that round activations to bf16 may move a near tie between two tokens, so only the
    // widening variants (f32 products of the same bf16 weights) are held to the reference's tokens.
    const bool rounds_activations = active_kernel_variant().bf16_products != "f32";
    for (uint64_t seed : {41u, 42u}) {
        CAPTURE(seed);
        Fixture f("tiny", seed, 0.3f, 2, 8, StorageDtype::BF16);
        const auto audio = test::random_audio(1.5, seed);
        set_kernel_profiling(true);
        reset_kernel_timings();
        const Result got = f.recognizer->transcribe(audio);
        set_kernel_profiling(false);
        std::vector<std::string> kernels;
        for (const KernelTiming& k : kernel_timings()) kernels.push_back(k.kernel);
        CHECK(std::count(kernels.begin(), kernels.end(), "joiner_bf16") == 1);
        CHECK(std::count(kernels.begin(), kernels.end(), "joiner") == 0);
        std::vector<int> ids;
        for (const Token& t : got.tokens) ids.push_back(t.id);
        const ref::DecodeResult want = ref::transcribe(f.model, audio, 2);
        CHECK(!want.tokens.empty());
        if (!rounds_activations) CHECK(ids == want.tokens);
    }
}

TEST_CASE("runtime greedy tokens equal the reference's") {
    for (int max_symbols : {1, 2, 3}) {
        for (uint64_t seed : {21u, 22u, 23u}) {
            CAPTURE(max_symbols);
            CAPTURE(seed);
            Fixture f("tiny", seed, 0.3f, max_symbols);
            const auto audio = test::random_audio(1.5, seed);
            const Result got = f.recognizer->transcribe(audio);
            const ref::DecodeResult want = ref::transcribe(f.model, audio, max_symbols);
            std::vector<int> ids;
            for (const Token& t : got.tokens) ids.push_back(t.id);
            CHECK(ids == want.tokens);
            CHECK(!want.tokens.empty());  // the noisy joiner emits tokens, so the predictor path is exercised
            // This joiner is sure of its tokens: some frame emits the most it may, so the per-frame
            // cap (where the decoder moves on to the next frame) is exercised too.
            int most_on_one_frame = 0;
            for (size_t i = 0; i < got.tokens.size();) {
                size_t j = i;
                while (j < got.tokens.size() && got.tokens[j].time_s == got.tokens[i].time_s) ++j;
                most_on_one_frame = std::max(most_on_one_frame, static_cast<int>(j - i));
                i = j;
            }
            CHECK(most_on_one_frame == max_symbols);
        }
    }
}

TEST_CASE("greedy decoding with a blank penalty equals the reference's with the same penalty") {
    int changed = 0;
    for (uint64_t seed : {24u, 25u}) {
        Fixture f("tiny", seed, 0.3f, 3);
        const auto audio = test::random_audio(1.5, seed + 1000);
        const std::vector<int> plain = ref::transcribe(f.model, audio, 3).tokens;
        // This noisy joiner is sure of its tokens (plain decoding emits the most it may on every
        // frame), so the penalties that move its decisions favour blank; the sign is one code path.
        for (float penalty : {-40.0f, -25.0f, -12.0f, 5.0f}) {
            CAPTURE(seed);
            CAPTURE(penalty);
            RecognizerOptions o;
            o.model_path = f.file.str();
            o.threads = 2;
            o.max_symbols_per_frame = 3;
            o.blank_penalty = penalty;
            Recognizer recognizer(o);
            std::vector<int> ids;
            for (const Token& t : recognizer.transcribe(audio).tokens) ids.push_back(t.id);
            const std::vector<int> want = ref::transcribe(f.model, audio, 3, penalty).tokens;
            CHECK(ids == want);
            changed += want != plain ? 1 : 0;
        }
    }
    CHECK(changed >= 4);  // the penalties move decisions: the comparison above is not only of plain decoding
}

namespace {
// A recognizer of a model file with the given decoder settings (beam: Decoder::Beam's width).
std::unique_ptr<Recognizer> decoding_recognizer(const std::string& model_path, Decoder decoder, float blank_penalty = 0.0f,
                                                int chunk_frames = 8, int beam = 4) {
    RecognizerOptions o;
    o.model_path = model_path;
    o.threads = 2;
    o.decoder = decoder;
    o.blank_penalty = blank_penalty;
    o.chunk_frames = chunk_frames;
    o.beam = beam;
    return std::make_unique<Recognizer>(o);
}
std::unique_ptr<Recognizer> ctc_recognizer(const std::string& model_path, float blank_penalty = 0.0f, int chunk_frames = 8) {
    return decoding_recognizer(model_path, Decoder::Ctc, blank_penalty, chunk_frames);
}
std::unique_ptr<Recognizer> beam_recognizer(const std::string& model_path, int beam, float blank_penalty = 0.0f, int chunk_frames = 8) {
    return decoding_recognizer(model_path, Decoder::Beam, blank_penalty, chunk_frames, beam);
}
}  // namespace

TEST_CASE("runtime CTC decoding equals the reference's greedy CTC decoding") {
    int merged = 0;  // frames whose choice repeats the previous frame's token: the merge is exercised
    for (uint64_t seed : {51u, 52u, 53u}) {
        Fixture f("tiny", seed, 0.3f);
        const auto audio = test::random_audio(1.5, seed + 500);
        const ref::Mat encoded = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, f.model.config.n_mels)));
        for (float penalty : {0.0f, 2.0f, -2.0f}) {
            CAPTURE(seed);
            CAPTURE(penalty);
            const Result got = ctc_recognizer(f.file.str(), penalty)->transcribe(audio);
            const ref::DecodeResult want = ref::ctc_greedy_decode(f.model, encoded, penalty);
            REQUIRE(got.tokens.size() == want.tokens.size());
            for (size_t i = 0; i < got.tokens.size(); ++i) {
                CHECK(got.tokens[i].id == want.tokens[i]);
                CHECK(got.tokens[i].time_s == doctest::Approx(want.frames[i] * 0.04));
            }
            CHECK(!want.tokens.empty());
        }
        int previous = -1;
        for (Eigen::Index t = 0; t < encoded.rows(); ++t) {
            Eigen::Index k = 0;
            ref::ctc_logits(f.model, encoded.row(t).transpose()).maxCoeff(&k);
            merged += k != f.model.config.blank_id && k == previous ? 1 : 0;
            previous = static_cast<int>(k);
        }
    }
    CHECK(merged > 0);
}

TEST_CASE("CTC decoding in streaming chunks gives the whole utterance's tokens and times") {
    Fixture f("tiny", 54, 0.3f);
    const auto audio = test::random_audio(3.1, 54);
    const Result want = ctc_recognizer(f.file.str())->transcribe(audio);
    REQUIRE(!want.tokens.empty());
    std::mt19937 rng(11);
    for (int chunk_frames : {1, 3, 8}) {
        CAPTURE(chunk_frames);
        auto recognizer = ctc_recognizer(f.file.str(), 0.0f, chunk_frames);
        check_same_tokens(streamed_in_random_pieces(*recognizer, audio, rng), want);
    }
}

namespace {
std::vector<int> token_ids(const Result& r) {
    std::vector<int> ids;
    for (const Token& t : r.tokens) ids.push_back(t.id);
    return ids;
}
}  // namespace

TEST_CASE("runtime beam search equals the reference's modified beam search") {
    int differs_from_greedy = 0;  // beams wider than 1 change the result somewhere: the search is exercised
    for (uint64_t seed : {71u, 72u}) {
        Fixture f("tiny", seed, 0.3f, 1);
        const auto audio = test::random_audio(1.2, seed + 700);
        const ref::Mat encoded = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, f.model.config.n_mels)));
        // This noisy joiner is sure of its tokens; penalties that favour blank make blank and tokens compete.
        for (float penalty : {0.0f, -12.0f, -25.0f}) {
            const std::vector<int> greedy = ref::greedy_decode(f.model, encoded, 1, penalty).tokens;
            for (int beam : {1, 3, 8}) {
                CAPTURE(seed);
                CAPTURE(penalty);
                CAPTURE(beam);
                const Result got = beam_recognizer(f.file.str(), beam, penalty)->transcribe(audio);
                const ref::DecodeResult want = ref::modified_beam_search(f.model, encoded, beam, penalty);
                CHECK(token_ids(got) == want.tokens);
                REQUIRE(got.tokens.size() == want.frames.size());
                for (size_t i = 0; i < got.tokens.size(); ++i) CHECK(got.tokens[i].time_s == doctest::Approx(want.frames[i] * 0.04));
                // Beam 1 keeps the single best extension: greedy decoding with one token per frame.
                if (beam == 1) CHECK(want.tokens == greedy);
                else differs_from_greedy += want.tokens != greedy ? 1 : 0;
            }
        }
    }
    CHECK(differs_from_greedy > 0);
}

TEST_CASE("beam search in streaming chunks gives the whole utterance's tokens and times") {
    Fixture f("tiny", 73, 0.3f);
    const auto audio = test::random_audio(2.3, 73);
    const Result want = beam_recognizer(f.file.str(), 4, -12.0f)->transcribe(audio);
    REQUIRE(!want.tokens.empty());
    std::mt19937 rng(13);
    for (int chunk_frames : {1, 3, 8}) {
        CAPTURE(chunk_frames);
        auto recognizer = beam_recognizer(f.file.str(), 4, -12.0f, chunk_frames);
        check_same_tokens(streamed_in_random_pieces(*recognizer, audio, rng), want);
    }
}

namespace {
// A token 3-gram model for a test model's tokenizer, from fresh random sentences with a strong
// preference for a few token pairs, so that fusing it changes what the beam prefers.
std::string write_random_lm(const Model& model, uint64_t seed, const std::string& path, uint64_t fingerprint) {
    std::mt19937_64 rng(seed);
    const int V = model.config.vocab_size, blank = model.config.blank_id;
    auto token = [&] {
        int id = 1 + static_cast<int>(rng() % static_cast<uint64_t>(V - 1));
        return id == blank ? V - 1 : id;
    };
    std::vector<std::vector<int>> sentences(200);
    for (std::vector<int>& s : sentences) {
        const int length = 2 + static_cast<int>(rng() % 10);
        for (int i = 0; i < length; ++i) s.push_back(i > 0 && rng() % 2 ? 1 + (s.back() * 7) % (V - 1) : token());
    }
    for (std::vector<int>& s : sentences)
        for (int& id : s)
            if (id == blank) id = V - 1;
    estimate_kneser_ney(sentences, V, blank, fingerprint, {3, {}}).write(path);
    return path;
}
std::unique_ptr<Recognizer> fused_recognizer(const std::string& model_path, const std::string& lm_path, float weight, int beam,
                                             float blank_penalty, int chunk_frames = 8, int lm_tokens = 16) {
    RecognizerOptions o;
    o.model_path = model_path;
    o.threads = 2;
    o.decoder = Decoder::Beam;
    o.beam = beam;
    o.blank_penalty = blank_penalty;
    o.chunk_frames = chunk_frames;
    o.lm_path = lm_path;
    o.lm_weight = weight;
    o.lm_tokens_per_hypothesis = lm_tokens;
    return std::make_unique<Recognizer>(o);
}
}  // namespace

TEST_CASE("beam search with a fused n-gram model equals the reference's, and the model changes the result") {
    const uint64_t lm_seed = test::fresh_seed();
    INFO("n-gram corpus seed " << lm_seed);
    int changed_by_lm = 0;
    for (uint64_t seed : {75u, 76u}) {
        Fixture f("tiny", seed, 0.3f, 1);
        test::TempFile lm_file{".bin"};
        write_random_lm(f.model, lm_seed + seed, lm_file.str(), TokenNgramLm::fingerprint(f.model.tokenizer));
        const TokenNgramLm lm = TokenNgramLm::read(lm_file.str());
        const auto audio = test::random_audio(1.2, seed + 750);
        const ref::Mat encoded = ref::encoder_forward(f.model, ref::normalise_features(f.model, ref::log_mel(audio, f.model.config.n_mels)));
        // Every token scored (V - 1), and the few likeliest: the first choice of the tokens is far from
        // the near ties between middling logits, where the runtime's and the reference's joiners
        // (float sums in different orders) could pick different tokens.
        for (int lm_tokens : {f.model.config.vocab_size - 1, 3})
        for (float penalty : {0.0f, -12.0f}) {
            for (int beam : {1, 3, 8}) {
                for (float weight : {0.5f, 4.0f}) {
                    CAPTURE(lm_tokens);
                    CAPTURE(seed);
                    CAPTURE(penalty);
                    CAPTURE(beam);
                    CAPTURE(weight);
                    const Result got = fused_recognizer(f.file.str(), lm_file.str(), weight, beam, penalty, 8, lm_tokens)->transcribe(audio);
                    const ref::DecodeResult want = ref::modified_beam_search(f.model, encoded, beam, penalty, {&lm, weight, lm_tokens});
                    CHECK(token_ids(got) == want.tokens);
                    REQUIRE(got.tokens.size() == want.frames.size());
                    for (size_t i = 0; i < got.tokens.size(); ++i) CHECK(got.tokens[i].time_s == doctest::Approx(want.frames[i] * 0.04));
                    changed_by_lm += want.tokens != ref::modified_beam_search(f.model, encoded, beam, penalty).tokens ? 1 : 0;
                }
            }
        }
    }
    CHECK(changed_by_lm > 0);
}

TEST_CASE("fused beam search in streaming chunks gives the whole utterance's tokens") {
    Fixture f("tiny", 77, 0.3f);
    test::TempFile lm_file{".bin"};
    write_random_lm(f.model, test::fresh_seed(), lm_file.str(), TokenNgramLm::fingerprint(f.model.tokenizer));
    const auto audio = test::random_audio(2.3, 77);
    const Result want = fused_recognizer(f.file.str(), lm_file.str(), 1.0f, 4, -12.0f)->transcribe(audio);
    REQUIRE(!want.tokens.empty());
    std::mt19937 rng(17);
    for (int chunk_frames : {1, 3, 8}) {
        CAPTURE(chunk_frames);
        auto recognizer = fused_recognizer(f.file.str(), lm_file.str(), 1.0f, 4, -12.0f, chunk_frames);
        check_same_tokens(streamed_in_random_pieces(*recognizer, audio, rng), want);
    }
}

TEST_CASE("a recognizer refuses an n-gram model of another tokenizer, or one without beam search") {
    Fixture f("tiny", 78, 0.3f);
    test::TempFile lm_file{".bin"};
    write_random_lm(f.model, 78, lm_file.str(), TokenNgramLm::fingerprint(f.model.tokenizer) ^ 1);
    CHECK_THROWS_WITH_AS(fused_recognizer(f.file.str(), lm_file.str(), 0.3f, 4, 0.0f), doctest::Contains("another tokenizer"), std::runtime_error);
    write_random_lm(f.model, 78, lm_file.str(), TokenNgramLm::fingerprint(f.model.tokenizer));
    RecognizerOptions o;
    o.model_path = f.file.str();
    o.lm_path = lm_file.str();
    CHECK_THROWS_WITH_AS(Recognizer{o}, doctest::Contains("only used by beam search"), std::runtime_error);
    o.decoder = Decoder::Beam;
    o.lm_weight = -1.0f;
    CHECK_THROWS_WITH_AS(Recognizer{o}, doctest::Contains("lm_weight"), std::runtime_error);
    o.lm_weight = 0.3f;
    o.lm_path = f.file.str();  // a model file, not an n-gram model
    CHECK_THROWS_WITH_AS(Recognizer{o}, doctest::Contains("not an rwkvt n-gram"), std::runtime_error);
}

TEST_CASE("a recognizer refuses a beam outside 1-64") {
    Fixture f("tiny", 74, 0.3f);
    for (int beam : {0, -3, 65}) CHECK_THROWS_WITH_AS(beam_recognizer(f.file.str(), beam), doctest::Contains("beam"), std::runtime_error);
}

TEST_CASE("a recognizer refuses a blank penalty that is not a finite number") {
    Fixture f("tiny", 26, 0.3f);
    RecognizerOptions o;
    o.model_path = f.file.str();
    o.blank_penalty = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(Recognizer{o}, std::runtime_error);
    o.blank_penalty = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(Recognizer{o}, std::runtime_error);
}

TEST_CASE("streaming in chunks gives the same result as the whole utterance") {
    const auto audio = test::random_audio(3.1, 99);
    Fixture whole("tiny", 31, 0.3f, 3, 8);
    const Result want = whole.recognizer->transcribe(audio);
    REQUIRE(!want.tokens.empty());
    std::mt19937 rng(7);
    for (int chunk_frames : {1, 3, 8, 25}) {
        Fixture f("tiny", 31, 0.3f, 3, chunk_frames);
        check_same_tokens(streamed_in_random_pieces(*f.recognizer, audio, rng), want);
    }
}

TEST_CASE("a stream's partial result grows as audio arrives") {
    Fixture f("tiny", 41, 0.3f, 3, 2);
    const auto audio = test::random_audio(2.0, 5);
    auto stream = f.recognizer->create_stream();
    stream->accept_waveform(16000, audio.data(), audio.size() / 2);
    const size_t partial = stream->result().tokens.size();
    stream->accept_waveform(16000, audio.data() + audio.size() / 2, audio.size() - audio.size() / 2);
    stream->input_finished();
    CHECK(stream->result().tokens.size() >= partial);
    CHECK(stream->result().duration_s == doctest::Approx(2.0).epsilon(1e-6));
}

TEST_CASE("streams reject a change of sample rate and audio after the end") {
    Fixture f("tiny", 42, 0.1f);
    auto stream = f.recognizer->create_stream();
    const auto audio = test::random_audio(0.2, 6);
    stream->accept_waveform(8000, audio.data(), audio.size());
    CHECK_THROWS_WITH_AS(stream->accept_waveform(16000, audio.data(), audio.size()),
                         doctest::Contains("one sample rate"), std::runtime_error);
    stream->input_finished();
    CHECK(stream->result().duration_s == doctest::Approx(0.4).epsilon(0.01));  // 0.2 s of samples at 8 kHz
    CHECK_THROWS_AS(stream->accept_waveform(8000, audio.data(), audio.size()), std::runtime_error);
    CHECK_THROWS_AS(stream->accept_waveform(5, audio.data(), audio.size()), std::runtime_error);
}

TEST_CASE("empty and very short audio give an empty result, not an error") {
    Fixture f("tiny", 43, 0.3f);
    CHECK(f.recognizer->transcribe({}).tokens.empty());
    CHECK(f.recognizer->transcribe(std::vector<float>(399, 0.1f)).tokens.empty());  // less than one frame
}

TEST_CASE("the recurrent state per stream does not depend on the audio length") {
    Fixture f("tiny", 44, 0.1f);
    const ModelConfig& c = f.model.config;
    const int64_t block = (2 * c.width + c.width * c.head_size) * 4;
    const int64_t expected = block * (c.encoder_blocks + c.predictor_blocks) + 6 * c.n_mels * 4 + c.width * 4;
    CHECK(f.recognizer->summary().state_bytes == expected);
}

TEST_CASE("a recognizer refuses a model file that is not a model") {
    test::TempFile file(".safetensors");
    {
        std::FILE* fp = std::fopen(file.str().c_str(), "wb");
        std::fputs("this is not a model", fp);
        std::fclose(fp);
    }
    RecognizerOptions o;
    o.model_path = file.str();
    CHECK_THROWS_AS(Recognizer{o}, std::runtime_error);
    o.model_path = file.str() + ".missing";
    CHECK_THROWS_AS(Recognizer{o}, std::runtime_error);
}
