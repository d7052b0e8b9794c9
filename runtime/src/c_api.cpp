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

rwkvt::Decoder decoder_of(rwkvt_decoder decoder) {
    switch (decoder) {
        case RWKVT_DECODER_TRANSDUCER: return rwkvt::Decoder::Transducer;
        case RWKVT_DECODER_BEAM: return rwkvt::Decoder::Beam;
        case RWKVT_DECODER_CTC: return rwkvt::Decoder::Ctc;
    }
    throw std::runtime_error("unknown decoder " + std::to_string(static_cast<int>(decoder)) +
                             " (RWKVT_DECODER_TRANSDUCER, RWKVT_DECODER_BEAM or RWKVT_DECODER_CTC)");
}

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

rwkvt_recognizer_options rwkvt_recognizer_options_default(void) {
    const rwkvt::RecognizerOptions defaults;
    rwkvt_recognizer_options options{};
    options.model_path = nullptr;
    options.decoder = RWKVT_DECODER_TRANSDUCER;
    options.threads = defaults.threads;
    options.max_symbols_per_frame = defaults.max_symbols_per_frame;
    options.beam = defaults.beam;
    options.blank_penalty = defaults.blank_penalty;
    options.chunk_frames = defaults.chunk_frames;
    options.lm_path = nullptr;
    options.lm_weight = defaults.lm_weight;
    options.lm_tokens_per_hypothesis = defaults.lm_tokens_per_hypothesis;
    return options;
}

rwkvt_recognizer* rwkvt_recognizer_create_with_options(const rwkvt_recognizer_options* options) {
    return guarded([&]() -> rwkvt_recognizer* {
        if (!options) throw std::runtime_error("options is NULL");
        if (!options->model_path) throw std::runtime_error("model path is NULL");
        rwkvt::RecognizerOptions o;
        o.model_path = options->model_path;
        o.decoder = decoder_of(options->decoder);
        o.threads = options->threads;
        o.max_symbols_per_frame = options->max_symbols_per_frame;
        o.beam = options->beam;
        o.blank_penalty = options->blank_penalty;
        o.chunk_frames = options->chunk_frames;
        o.lm_path = options->lm_path ? options->lm_path : "";
        o.lm_weight = options->lm_weight;
        o.lm_tokens_per_hypothesis = options->lm_tokens_per_hypothesis;
        return new rwkvt_recognizer{std::make_unique<rwkvt::Recognizer>(o)};
    }, nullptr);
}

rwkvt_recognizer* rwkvt_recognizer_create(const char* model_path, int threads) {
    rwkvt_recognizer_options options = rwkvt_recognizer_options_default();
    options.model_path = model_path;
    options.threads = threads;
    return rwkvt_recognizer_create_with_options(&options);
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
