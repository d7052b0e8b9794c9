#include <cmath>
#include <stdexcept>
#include <thread>

#include "encoder.hpp"
#include "feature_extractor.hpp"
#include "kernels.hpp"
#include "model_file.hpp"
#include "recognizer_impl.hpp"
#include "schema.hpp"

namespace rwkvt {

namespace {

ModelSummary summarise(const rt::PackedModel& m) {
    ModelSummary s;
    s.name = m.config.name;
    s.origin = m.origin;
    s.tokenizer_kind = m.tokenizer.kind();
    s.config_json = m.config.to_json();
    const ParameterCount count = count_parameters(m.config);
    s.parameters_encoder = count.encoder;
    s.parameters_predictor = count.predictor;
    s.parameters_joiner = count.joiner;
    s.parameters_ctc_head = count.ctc_head;
    s.parameters_total = count.total();
    // Encoder blocks + conv context, predictor blocks, and the decoder's cached W_p g.
    const rt::EncoderState enc = rt::EncoderState::zeros(m.config);
    const rt::StackState pred = rt::StackState::zeros(m.config, m.config.predictor_blocks);
    s.state_bytes = static_cast<int64_t>(enc.state_bytes(m.config) + pred.bytes() + m.config.width * sizeof(float));
    s.vocab_size = m.config.vocab_size;
    s.blank_id = m.config.blank_id;
    s.gemm_weights = m.encoder.blocks.at(0).receptance.bf16() ? "bf16" : "f32";
    return s;
}

}  // namespace

RecognizerImpl::RecognizerImpl(const RecognizerOptions& opts) : options(opts) {
    if (options.max_symbols_per_frame < 1) throw std::runtime_error("max_symbols_per_frame must be at least 1");
    if (options.beam < 1 || options.beam > 64) throw std::runtime_error("beam must be between 1 and 64, not " + std::to_string(options.beam));
    if (!std::isfinite(options.blank_penalty)) throw std::runtime_error("blank_penalty must be a finite number");
    if (options.chunk_frames < 1) throw std::runtime_error("chunk_frames must be at least 1");
    if (options.threads < 0) throw std::runtime_error("threads must be 0 (all cores) or more");
    if (!options.lm_path.empty() && options.decoder != Decoder::Beam)
        throw std::runtime_error("a language model (" + options.lm_path + ") is only used by beam search: choose the beam decoder");
    if (!std::isfinite(options.lm_weight) || options.lm_weight < 0.0f) throw std::runtime_error("lm_weight must be a finite number >= 0");
    if (options.lm_tokens_per_hypothesis < 1) throw std::runtime_error("lm_tokens_per_hypothesis must be at least 1");
    model = rt::PackedModel::from(load_model(options.model_path));
    summary = summarise(model);
    if (!options.lm_path.empty()) {
        lm = TokenNgramLm::read(options.lm_path);
        if (lm->tokenizer_fingerprint() != TokenNgramLm::fingerprint(model.tokenizer) || lm->vocab_size() != model.config.vocab_size ||
            lm->start_id() != model.config.blank_id)
            throw std::runtime_error(options.lm_path + ": this n-gram model was estimated with another tokenizer than " + options.model_path + "'s");
    }
    const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
    rt::kernels::set_threads(threads > 0 ? threads : 1);
}

Recognizer::Recognizer(const RecognizerOptions& options) : impl_(std::make_shared<RecognizerImpl>(options)) {}
Recognizer::~Recognizer() = default;

std::unique_ptr<Stream> Recognizer::create_stream() const { return std::make_unique<Stream>(impl_); }

Result Recognizer::transcribe(const std::vector<float>& samples) const {
    Stream stream(impl_, 256);  // whole-file chunks: no latency to bound
    stream.accept_waveform(16000, samples.data(), samples.size());
    stream.input_finished();
    return stream.result();
}

const ModelSummary& Recognizer::summary() const { return impl_->summary; }
const RecognizerOptions& Recognizer::options() const { return impl_->options; }

}  // namespace rwkvt

namespace rwkvt {

std::vector<float> Recognizer::encoder_output(const std::vector<float>& samples, int& frames) const {
    const rt::PackedModel& m = impl_->model;
    rt::FeatureExtractor features;
    features.accept(samples.data(), samples.size());
    rt::Floats rows, out;
    const int feature_frames = features.extract(m, rows);
    rt::Encoder encoder(m);
    rt::EncoderState state = rt::EncoderState::zeros(m.config);
    encoder.accept_features(state, rows.data(), feature_frames);
    rt::StackWorkspace ws;
    frames = 0;
    while (int n = encoder.encode(state, 256, out, ws)) frames += n;
    return out;
}

}  // namespace rwkvt
