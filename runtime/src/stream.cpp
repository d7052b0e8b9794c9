// A Stream: resampling (when the audio is not at 16 kHz), the streaming front end, the encoder in
// chunks of options.chunk_frames, and decoding (greedy or beam search on the transducer, greedy CTC),
// each carrying its own state.
#include <samplerate.h>

#include <algorithm>
#include <stdexcept>

#include "beam_search_decoder.hpp"
#include "chunk_sizes.hpp"
#include "ctc_decoder.hpp"
#include "encoder.hpp"
#include "feature_extractor.hpp"
#include "frontend_tables.hpp"
#include "greedy_decoder.hpp"
#include "recognizer_impl.hpp"

namespace rwkvt {

using rt::kWholeFileChunk;

class StreamImpl {
public:
    StreamImpl(std::shared_ptr<const RecognizerImpl> r, int chunk)
        : rec(std::move(r)),
          chunk_frames(chunk > 0 ? chunk : rec->options.chunk_frames),
          encoder(rec->model),
          decoder(rec->model, rec->options.max_symbols_per_frame, rec->options.blank_penalty),
          beam_decoder(rec->model, rec->options.beam, rec->options.blank_penalty, rec->lm ? &*rec->lm : nullptr, rec->options.lm_weight,
                       rec->options.lm_tokens_per_hypothesis),
          ctc_decoder(rec->model, rec->options.blank_penalty),
          enc_state(rt::EncoderState::zeros(rec->model.config)) {
        if (kind() == Decoder::Transducer) dec_state = decoder.start(predictor_ws);
        if (kind() == Decoder::Beam) beam_state = beam_decoder.start(predictor_ws);
    }
    ~StreamImpl() {
        if (resampler) src_delete(resampler);
    }

    void feed_16k(const float* samples, size_t count) {
        features.accept(samples, count);
        rows.clear();
        const int frames = features.extract(rec->model, rows);
        encoder.accept_features(enc_state, rows.data(), frames);
    }

    // Encodes and decodes every ready chunk; with `all`, also the last partial one.
    void drain(bool all) {
        const int chunk = all ? std::max(kWholeFileChunk, chunk_frames) : chunk_frames;
        while (true) {
            enc_rows.clear();
            const int frames = encoder.encode_next_chunk(enc_state, chunk, all, enc_rows, encoder_ws);
            if (frames == 0) break;
            switch (kind()) {
                case Decoder::Transducer: decoder.advance(dec_state, enc_rows.data(), frames, predictor_ws); break;
                case Decoder::Beam: beam_decoder.advance(beam_state, enc_rows.data(), frames, predictor_ws); break;
                case Decoder::Ctc: ctc_decoder.advance(ctc_state, enc_rows.data(), frames); break;
            }
        }
    }

    void resample_and_feed(const float* samples, size_t count, bool last) {
        int error = 0;
        if (!resampler) resampler = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &error);
        if (!resampler) throw std::runtime_error(std::string("cannot start resampler: ") + src_strerror(error));
        const double ratio = static_cast<double>(kSampleRate) / sample_rate;
        rt::Floats out(static_cast<size_t>(count * ratio) + 64);
        SRC_DATA data{};
        data.data_in = samples;
        data.input_frames = static_cast<long>(count);
        data.src_ratio = ratio;
        data.end_of_input = last ? 1 : 0;
        while (true) {
            data.data_out = out.data();
            data.output_frames = static_cast<long>(out.size());
            if ((error = src_process(resampler, &data)) != 0) throw std::runtime_error(std::string("resampling failed: ") + src_strerror(error));
            feed_16k(out.data(), static_cast<size_t>(data.output_frames_gen));
            data.data_in += data.input_frames_used;
            data.input_frames -= data.input_frames_used;
            if (data.input_frames == 0 && (data.output_frames_gen == 0 || !last)) break;
        }
    }

    Decoder kind() const { return rec->options.decoder; }
    // The tokens decoded so far (beam search: of its best hypothesis) and the encoder frame of each.
    struct Decoded {
        const std::vector<int>& tokens;
        const std::vector<int>& frames;
    };
    Decoded decoded() const {
        switch (kind()) {
            case Decoder::Beam: {
                const rt::BeamHypothesis& best = beam_state.best();
                return {best.tokens, best.token_frames};
            }
            case Decoder::Ctc: return {ctc_state.tokens, ctc_state.token_frames};
            case Decoder::Transducer: break;
        }
        return {dec_state.tokens, dec_state.token_frames};
    }

    std::shared_ptr<const RecognizerImpl> rec;
    int chunk_frames;
    rt::Encoder encoder;
    rt::GreedyDecoder decoder;
    rt::BeamSearchDecoder beam_decoder;
    rt::CtcDecoder ctc_decoder;
    rt::StackWorkspace encoder_ws, predictor_ws;
    rt::FeatureExtractor features;
    rt::EncoderState enc_state;
    rt::GreedyState dec_state;
    rt::BeamState beam_state;
    rt::CtcState ctc_state;
    rt::Floats rows, enc_rows;
    int sample_rate = 0;
    SRC_STATE* resampler = nullptr;
    bool finished = false;
};

Stream::Stream(std::shared_ptr<const RecognizerImpl> recognizer, int chunk_frames)
    : impl_(std::make_unique<StreamImpl>(std::move(recognizer), chunk_frames)) {}
Stream::~Stream() = default;

void Stream::accept_waveform(int sample_rate, const float* samples, size_t count) {
    if (impl_->finished) throw std::runtime_error("accept_waveform after input_finished");
    if (sample_rate < 1000 || sample_rate > 384000)
        throw std::runtime_error("sample rate " + std::to_string(sample_rate) + " Hz is out of range");
    if (impl_->sample_rate == 0) impl_->sample_rate = sample_rate;
    if (impl_->sample_rate != sample_rate)
        throw std::runtime_error("a stream keeps one sample rate: got " + std::to_string(sample_rate) + " Hz after " +
                                 std::to_string(impl_->sample_rate) + " Hz");
    if (count > 0 && samples == nullptr) throw std::runtime_error("accept_waveform: null samples");
    if (sample_rate == kSampleRate) impl_->feed_16k(samples, count);
    else impl_->resample_and_feed(samples, count, false);
    impl_->drain(false);
}

void Stream::input_finished() {
    if (impl_->finished) return;
    if (impl_->resampler) impl_->resample_and_feed(nullptr, 0, true);
    impl_->drain(true);
    impl_->finished = true;
}

bool Stream::is_finished() const { return impl_->finished; }

Result Stream::result() const {
    Result r;
    const auto [tokens, frames] = impl_->decoded();
    const Tokenizer& tok = impl_->rec->model.tokenizer;
    r.text = tok.decode(tokens);
    for (size_t i = 0; i < tokens.size(); ++i) r.tokens.push_back({tokens[i], tok.pieces()[tokens[i]], frames[i] * 0.04});
    r.duration_s = static_cast<double>(impl_->features.samples_seen()) / kSampleRate;
    return r;
}

}  // namespace rwkvt
