// The C API: the same text as the C++ API, and errors as NULL / -1 plus a message.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "rwkvt/recognizer.hpp"
#include "rwkvt/rwkvt.h"
#include "model/scratch.hpp"
#include "support/test_models.hpp"
#include "token_ngram_lm.hpp"
#include "token_ngram_training.hpp"

using namespace rwkvt;

TEST_CASE("C API transcribes like the C++ API and reports errors") {
    test::TempFile file(".safetensors");
    save_model(test::noisy_model("tiny", 51, 0.3f), file.str());
    const auto audio = test::random_audio(1.2, 52);

    RecognizerOptions o;
    o.model_path = file.str();
    o.threads = 1;
    o.max_symbols_per_frame = 5;
    const std::string want = Recognizer(o).transcribe(audio).text;

    rwkvt_recognizer* rec = rwkvt_recognizer_create(file.str().c_str(), 1);
    REQUIRE(rec != nullptr);
    rwkvt_stream* stream = rwkvt_stream_create(rec);
    REQUIRE(stream != nullptr);
    CHECK(rwkvt_stream_accept_waveform(stream, 16000, audio.data(), audio.size() / 3) == 0);
    CHECK(rwkvt_stream_accept_waveform(stream, 16000, audio.data() + audio.size() / 3, audio.size() - audio.size() / 3) == 0);
    CHECK(rwkvt_stream_input_finished(stream) == 0);
    CHECK(std::string(rwkvt_stream_text(stream)) == want);
    CHECK(rwkvt_stream_accept_waveform(stream, 16000, audio.data(), 10) == -1);
    CHECK(std::string(rwkvt_last_error()).find("after input_finished") != std::string::npos);
    rwkvt_stream_destroy(stream);
    rwkvt_recognizer_destroy(rec);

    CHECK(rwkvt_recognizer_create("/nonexistent/model.safetensors", 1) == nullptr);
    CHECK(std::string(rwkvt_last_error()).find("/nonexistent/model.safetensors") != std::string::npos);
    CHECK(rwkvt_stream_create(nullptr) == nullptr);
}

namespace {
std::string c_api_transcript(const rwkvt_recognizer_options& options, const std::vector<float>& audio) {
    rwkvt_recognizer* rec = rwkvt_recognizer_create_with_options(&options);
    REQUIRE_MESSAGE(rec != nullptr, rwkvt_last_error());
    rwkvt_stream* stream = rwkvt_stream_create(rec);
    REQUIRE(stream != nullptr);
    CHECK(rwkvt_stream_accept_waveform(stream, 16000, audio.data(), audio.size()) == 0);
    CHECK(rwkvt_stream_input_finished(stream) == 0);
    const std::string text = rwkvt_stream_text(stream);
    rwkvt_stream_destroy(stream);
    rwkvt_recognizer_destroy(rec);
    return text;
}
}  // namespace

TEST_CASE("C API options: the C++ defaults, every decoder and a fused n-gram model as in the C++ API, bad options refused") {
    const uint64_t seed = test::fresh_seed();
    INFO("seed " << seed);
    test::TempFile file(".safetensors");
    const Model model = test::noisy_model("tiny", seed, 0.3f);
    save_model(model, file.str());
    const auto audio = test::random_audio(1.5, seed + 1);
    const std::string model_path = file.str();

    // A token 3-gram model of random sentences for the model's tokenizer.
    std::mt19937_64 rng(seed + 2);
    const int V = model.config.vocab_size, blank = model.config.blank_id;
    std::vector<std::vector<int>> sentences(100);
    for (std::vector<int>& sentence : sentences)
        for (int i = 0, n = 2 + static_cast<int>(rng() % 8); i < n; ++i) {
            const int id = static_cast<int>(rng() % static_cast<uint64_t>(V));
            sentence.push_back(id == blank ? (id + 1) % V : id);
        }
    test::TempFile lm_file(".bin");
    estimate_kneser_ney(sentences, V, blank, TokenNgramLm::fingerprint(model.tokenizer), {3, {}}).write(lm_file.str());
    const std::string lm_path = lm_file.str();

    const rwkvt_recognizer_options defaults = rwkvt_recognizer_options_default();
    const RecognizerOptions cpp;
    CHECK(defaults.model_path == nullptr);
    CHECK(defaults.lm_path == nullptr);
    CHECK(defaults.decoder == RWKVT_DECODER_TRANSDUCER);
    CHECK(cpp.decoder == Decoder::Transducer);
    CHECK(defaults.threads == cpp.threads);
    CHECK(defaults.max_symbols_per_frame == cpp.max_symbols_per_frame);
    CHECK(defaults.beam == cpp.beam);
    CHECK(defaults.blank_penalty == cpp.blank_penalty);
    CHECK(defaults.chunk_frames == cpp.chunk_frames);
    CHECK(defaults.lm_weight == cpp.lm_weight);
    CHECK(defaults.lm_tokens_per_hypothesis == cpp.lm_tokens_per_hypothesis);

    struct Case {
        rwkvt_decoder c;
        Decoder cpp;
        bool lm;
    };
    for (const Case& each : {Case{RWKVT_DECODER_TRANSDUCER, Decoder::Transducer, false}, Case{RWKVT_DECODER_BEAM, Decoder::Beam, false},
                             Case{RWKVT_DECODER_BEAM, Decoder::Beam, true}, Case{RWKVT_DECODER_CTC, Decoder::Ctc, false}}) {
        CAPTURE(static_cast<int>(each.c));
        CAPTURE(each.lm);
        // The fields both option structs name alike get the same non-default values.
        auto set_shared_fields = [](auto& o) {
            o.threads = 1;
            o.beam = 3;
            o.blank_penalty = -0.5f;
            o.chunk_frames = 2;
            o.lm_weight = 2.0f;
            o.lm_tokens_per_hypothesis = 5;
        };
        rwkvt_recognizer_options options = defaults;
        set_shared_fields(options);
        options.model_path = model_path.c_str();
        options.decoder = each.c;
        options.lm_path = each.lm ? lm_path.c_str() : nullptr;
        RecognizerOptions o;
        set_shared_fields(o);
        o.model_path = model_path;
        o.decoder = each.cpp;
        o.lm_path = each.lm ? lm_path : "";
        CHECK(c_api_transcript(options, audio) == Recognizer(o).transcribe(audio).text);
    }

    rwkvt_recognizer_options bad = defaults;
    bad.model_path = model_path.c_str();
    bad.decoder = static_cast<rwkvt_decoder>(7);
    CHECK(rwkvt_recognizer_create_with_options(&bad) == nullptr);
    CHECK(std::string(rwkvt_last_error()).find("unknown decoder 7") != std::string::npos);
    bad = defaults;
    bad.model_path = model_path.c_str();
    bad.lm_path = lm_path.c_str();  // greedy decoding cannot fuse a language model
    CHECK(rwkvt_recognizer_create_with_options(&bad) == nullptr);
    CHECK(std::string(rwkvt_last_error()).find("only used by beam search") != std::string::npos);
    bad = defaults;
    bad.model_path = model_path.c_str();
    bad.beam = 0;
    CHECK(rwkvt_recognizer_create_with_options(&bad) == nullptr);
    CHECK(std::string(rwkvt_last_error()).find("beam must be") != std::string::npos);
    CHECK(rwkvt_recognizer_create_with_options(&defaults) == nullptr);
    CHECK(std::string(rwkvt_last_error()) == "model path is NULL");
    CHECK(rwkvt_recognizer_create_with_options(nullptr) == nullptr);
}
