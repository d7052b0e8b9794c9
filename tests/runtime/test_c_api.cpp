// The C API: the same text as the C++ API, and errors as NULL / -1 plus a message.
#include <doctest/doctest.h>

#include <string>

#include "rwkvt/recognizer.hpp"
#include "rwkvt/rwkvt.h"
#include "support/test_models.hpp"

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
