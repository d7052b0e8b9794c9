// The C API over Recognizer and Stream: exceptions become NULL / -1 plus rwkvt_last_error().
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>

#include "rwkvt/recognizer.hpp"
#include "rwkvt/rwkvt.h"

struct rwkvt_recognizer {
    std::unique_ptr<rwkvt::Recognizer> recognizer;
};
struct rwkvt_stream {
    std::unique_ptr<rwkvt::Stream> stream;
    std::string text;
};

namespace {
thread_local std::string last_error;

template <typename F>
auto guarded(F&& f, decltype(f()) on_error) -> decltype(f()) {
    try {
        last_error.clear();
        return f();
    } catch (const std::exception& e) {
        last_error = e.what();
    } catch (...) {
        last_error = "unknown error";
    }
    return on_error;
}
}  // namespace

extern "C" {

rwkvt_recognizer* rwkvt_recognizer_create(const char* model_path, int threads) {
    return guarded([&]() -> rwkvt_recognizer* {
        if (!model_path) throw std::runtime_error("model path is NULL");
        rwkvt::RecognizerOptions options;
        options.model_path = model_path;
        options.threads = threads;
        return new rwkvt_recognizer{std::make_unique<rwkvt::Recognizer>(options)};
    }, nullptr);
}

void rwkvt_recognizer_destroy(rwkvt_recognizer* recognizer) { delete recognizer; }

rwkvt_stream* rwkvt_stream_create(const rwkvt_recognizer* recognizer) {
    return guarded([&]() -> rwkvt_stream* {
        if (!recognizer) throw std::runtime_error("recognizer is NULL");
        return new rwkvt_stream{recognizer->recognizer->create_stream(), {}};
    }, nullptr);
}

void rwkvt_stream_destroy(rwkvt_stream* stream) { delete stream; }

int rwkvt_stream_accept_waveform(rwkvt_stream* stream, int sample_rate, const float* samples, size_t count) {
    return guarded([&]() -> int {
        if (!stream) throw std::runtime_error("stream is NULL");
        stream->stream->accept_waveform(sample_rate, samples, count);
        return 0;
    }, -1);
}

int rwkvt_stream_input_finished(rwkvt_stream* stream) {
    return guarded([&]() -> int {
        if (!stream) throw std::runtime_error("stream is NULL");
        stream->stream->input_finished();
        return 0;
    }, -1);
}

const char* rwkvt_stream_text(rwkvt_stream* stream) {
    return guarded([&]() -> const char* {
        if (!stream) throw std::runtime_error("stream is NULL");
        stream->text = stream->stream->result().text;
        return stream->text.c_str();
    }, nullptr);
}

const char* rwkvt_last_error(void) { return last_error.c_str(); }

}  // extern "C"
