// rwkvt's public C++ API: a Recognizer holds one loaded model (read-only, shared by any number of
// streams); a Stream carries one audio stream's state (front-end buffers, every block's recurrent
// state, the decoder's hypothesis) and is used from one thread at a time.
//
//   rwkvt::Recognizer recognizer({.model_path = "models/rwkvt-19m.safetensors"});
//   auto stream = recognizer.create_stream();
//   stream->accept_waveform(16000, samples.data(), samples.size());   // as often as audio arrives
//   stream->input_finished();
//   std::cout << stream->result().text;
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rwkvt {

// Which head turns encoder frames into tokens.
enum class Decoder {
    Transducer,  // greedy transducer decoding: predictor + joiner (the model's own decoder)
    Beam,        // modified beam search over the transducer: slower, usually fewer errors
    Ctc,         // greedy CTC decoding on the CTC head: faster, no language context from a predictor
};

struct RecognizerOptions {
    std::string model_path;
    Decoder decoder = Decoder::Transducer;
    int threads = 0;                // kernel threads; 0 = all cores
    int max_symbols_per_frame = 5;  // greedy transducer decoding: tokens emitted per encoder frame at most
    int beam = 4;                   // Decoder::Beam: hypotheses kept (1 is greedy with one token per frame)
    // Subtracted from blank's logit before each choice (of every decoder; before the log-softmax in beam search). A transducer that
    // deletes words (its joiner too sure of blank, as early in training) emits more with a positive
    // penalty; a negative one suppresses insertions. 0 is plain greedy decoding.
    float blank_penalty = 0.0f;
    int chunk_frames = 8;           // encoder frames (40 ms each) per streaming chunk: 320 ms
    // Decoder::Beam only: a token n-gram language model (`rwkvt data ngram`, estimated with this
    // model's tokenizer) fused into the search: each hypothesis's lm_tokens_per_hypothesis likeliest
    // tokens compete, lm_weight x ln P_lm(token | the hypothesis's tokens) added to their scores (the
    // rest of the vocabulary is not extended: scoring all of it would cost ~1000 lookups per
    // hypothesis and frame).
    std::string lm_path;            // "" = no language model
    float lm_weight = 0.3f;
    int lm_tokens_per_hypothesis = 16;
};

struct Token {
    int id = 0;
    std::string piece;
    double time_s = 0.0;  // start of the encoder frame that emitted it
};

struct Result {
    std::string text;
    std::vector<Token> tokens;
    double duration_s = 0.0;  // audio accepted so far, in seconds at 16 kHz
};

struct ModelSummary {
    std::string name, origin, tokenizer_kind, config_json;
    int64_t parameters_encoder = 0, parameters_predictor = 0, parameters_joiner = 0, parameters_ctc_head = 0;
    int64_t parameters_total = 0;  // encoder + predictor + joiner
    int64_t state_bytes = 0;       // recurrent state of one stream, fixed whatever the audio length
    int vocab_size = 0, blank_id = 0;
    // "f32", or "bf16" when the file stores the matrices in bf16: the GEMM layers then run on the
    // bf16 GEMM kernels.
    std::string gemm_weights;
};

class Stream;
class RecognizerImpl;

class Recognizer {
public:
    // Throws std::runtime_error with a one-line message if the model cannot be loaded.
    explicit Recognizer(const RecognizerOptions& options);
    ~Recognizer();
    Recognizer(const Recognizer&) = delete;
    Recognizer& operator=(const Recognizer&) = delete;

    std::unique_ptr<Stream> create_stream() const;
    // Whole-utterance transcription of 16 kHz mono samples (one stream, all input at once).
    Result transcribe(const std::vector<float>& samples_16k) const;
    const ModelSummary& summary() const;
    const RecognizerOptions& options() const;

    // Encoder output [frames x width], row-major, for external checks of the model's arithmetic.
    std::vector<float> encoder_output(const std::vector<float>& samples_16k, int& frames) const;

private:
    std::shared_ptr<RecognizerImpl> impl_;
};

class StreamImpl;

class Stream {
public:
    // chunk_frames: encoder frames per chunk; 0 takes the recognizer's options.chunk_frames.
    explicit Stream(std::shared_ptr<const RecognizerImpl> recognizer, int chunk_frames = 0);
    ~Stream();
    // Audio at any sample rate (resampled to 16 kHz); mono float samples in [-1, 1].
    // A stream keeps one sample rate: a different rate in a later call throws.
    void accept_waveform(int sample_rate, const float* samples, size_t count);
    // No more audio: decode everything that is left.
    void input_finished();
    Result result() const;
    bool is_finished() const;

private:
    std::unique_ptr<StreamImpl> impl_;
};

}  // namespace rwkvt
