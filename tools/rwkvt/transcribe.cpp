// rwkvt transcribe: audio files -> text (one line per file) or JSON Lines; "-" transcribes a live
// stream of raw PCM on standard input as it arrives.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "decoder_option.hpp"
#include "json_text.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

namespace {

// Prints a live stream's transcript as it grows: in text form the words as they are recognised
// (one line in all), in JSON Lines one object per change and a last one with "final": true.
class LiveTranscript {
public:
    explicit LiveTranscript(bool jsonl) : jsonl_(jsonl) {}

    void update(const Result& result, bool final) {
        if (jsonl_) {
            if (result.text != printed_ || final) {
                nlohmann::json j{{"text", result.text}, {"duration_s", result.duration_s}, {"final", final}};
                std::printf("%s\n", json_text(j).c_str());
            }
        } else if (result.text.compare(0, printed_.size(), printed_) == 0) {
            std::fputs(result.text.c_str() + printed_.size(), stdout);  // greedy transducer text only grows
            if (final) std::fputs("\n", stdout);
        } else {
            std::printf("\n%s%s", result.text.c_str(), final ? "\n" : "");
        }
        printed_ = result.text;
        flush_output();
    }
    // Ends a text line left open by partial output, so that an error message starts on its own line.
    void close_line() {
        if (!jsonl_ && !printed_.empty()) std::fputs("\n", stdout);
        printed_.clear();
        std::fflush(stdout);
    }

private:
    bool jsonl_;
    std::string printed_;
};

// Live input is raw PCM; an audio file piped in instead would be decoded as noise (its header and
// compressed frames read as samples), so its signature is refused.
void refuse_audio_file_header(const unsigned char* first4) {
    const std::string signature(reinterpret_cast<const char*>(first4), 4);
    for (const char* known : {"RIFF", "RF64", "BW64", "fLaC", "OggS", "FORM", "caff", ".snd", "wvpk"})
        if (signature == known)
            throw std::runtime_error("standard input starts like an audio file (\"" + signature +
                                     "\"), not raw PCM: give the file's name instead of '-'");
}

// Raw 16-bit little-endian mono PCM at `rate` Hz from standard input, decoded in pieces of
// `piece_ms` as they arrive, until end of input.
void transcribe_stdin(const Recognizer& recognizer, int rate, int piece_ms, bool jsonl) {
    std::unique_ptr<Stream> stream = recognizer.create_stream();
    LiveTranscript transcript(jsonl);
    std::vector<unsigned char> bytes(static_cast<size_t>(rate) * piece_ms / 1000 * 2);
    std::vector<float> samples;
    size_t carried = 0, total_samples = 0;  // carried: a byte of a sample split across two reads
    for (;;) {
        const size_t got = std::fread(bytes.data() + carried, 1, bytes.size() - carried, stdin);
        if (std::ferror(stdin)) throw std::runtime_error("standard input: read error");
        const size_t available = carried + got, count = available / 2;
        if (total_samples == 0 && available >= 4) refuse_audio_file_header(bytes.data());
        samples.resize(count);
        for (size_t i = 0; i < count; ++i) {
            const auto value = static_cast<int16_t>(static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
            samples[i] = static_cast<float>(value) / 32768.0f;
        }
        carried = available % 2;
        if (carried) bytes[0] = bytes[available - 1];
        if (count > 0) {
            stream->accept_waveform(rate, samples.data(), count);
            total_samples += count;
            transcript.update(stream->result(), false);
        }
        if (got == 0 || std::feof(stdin)) break;
    }
    if (carried) {
        transcript.close_line();
        throw std::runtime_error("standard input ended inside a sample: expected 16-bit PCM, an even number of bytes");
    }
    if (total_samples == 0) throw std::runtime_error("standard input: no audio (expected raw 16-bit little-endian mono PCM)");
    stream->input_finished();
    transcript.update(stream->result(), true);
}

}  // namespace

void add_transcribe(CLI::App& app) {
    struct Options {
        RecognizerOptions recognizer;
        std::string format = "text";
        int stdin_rate = 16000;
        int chunk_ms = 320;
        std::vector<std::string> files;
    };
    auto opt = std::make_shared<Options>();
    opt->recognizer.model_path = default_model_path();
    CLI::App* cmd = app.add_subcommand("transcribe", "Transcribe audio files (any format libsndfile reads, any rate)");
    cmd->add_option("--model", opt->recognizer.model_path, "Model file")->capture_default_str();
    cmd->add_option("--threads", opt->recognizer.threads, "Kernel threads (0 = all cores)")->check(CLI::Range(0, 1024));
    cmd->add_option("--max-symbols", opt->recognizer.max_symbols_per_frame, "Tokens per encoder frame at most")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--blank-penalty", opt->recognizer.blank_penalty, "Subtracted from blank's logit before each choice of the decoder (> 0: fewer deletions)")
        ->check(finite_range(-100.0, 100.0));
    add_decoder_options(cmd, opt->recognizer);
    cmd->add_option("--format", opt->format, "Output: text or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
    CLI::Option* rate = cmd->add_option("--rate", opt->stdin_rate, "Sample rate of the raw audio read from '-' (standard input)")
        ->check(CLI::Range(8000, 192000))
        ->capture_default_str();
    CLI::Option* chunk_ms = cmd->add_option("--chunk-ms", opt->chunk_ms, "Live input ('-'): ms of audio per encoder chunk, a multiple of 40 (latency against speed)")
        ->check(CLI::Range(40, 10000))
        ->capture_default_str();
    cmd->add_option("files", opt->files,
                    "Audio files; '-' reads a live stream of raw 16-bit little-endian mono PCM from standard input "
                    "(for example `arecord -q -f S16_LE -r 16000 -c 1 | rwkvt transcribe -`) and prints the words as they are recognised")
        ->required();
    cmd->callback([opt, rate, chunk_ms]() {
        if (std::count(opt->files.begin(), opt->files.end(), "-") > 0 && opt->files.size() > 1)
            throw std::runtime_error("'-' (standard input) cannot be combined with other files");
        // A file's header gives its rate, and a whole file is decoded at once: these would be ignored.
        if (opt->files.front() != "-" && (rate->count() > 0 || chunk_ms->count() > 0))
            throw std::runtime_error(std::string(rate->count() > 0 ? "--rate" : "--chunk-ms") + " applies to live input ('-') only");
        opt->recognizer.chunk_frames = chunk_frames_of(opt->chunk_ms, "--chunk-ms");
        Recognizer recognizer(opt->recognizer);
        warn_if_untrained(recognizer.summary().origin, opt->recognizer.model_path, opt->recognizer.decoder == Decoder::Ctc);
        if (opt->files.front() == "-") {
            transcribe_stdin(recognizer, opt->stdin_rate, opt->chunk_ms, opt->format == "jsonl");
            return;
        }
        for (const std::string& file : opt->files) {
            try {
                const std::vector<float> samples = load_audio_16k_mono(file);
                const auto start = std::chrono::steady_clock::now();
                const Result result = recognizer.transcribe(samples);
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                if (opt->format == "jsonl") {
                    nlohmann::json j;
                    j["file"] = file;
                    j["text"] = result.text;
                    j["duration_s"] = result.duration_s;
                    j["compute_s"] = seconds;
                    j["tokens"] = nlohmann::json::array();
                    for (const Token& t : result.tokens) j["tokens"].push_back({{"id", t.id}, {"piece", t.piece}, {"time_s", t.time_s}});
                    std::printf("%s\n", json_text(j).c_str());
                } else if (opt->files.size() > 1) {
                    std::printf("%s\t%s\n", file.c_str(), result.text.c_str());
                } else {
                    std::printf("%s\n", result.text.c_str());
                }
            } catch (const std::exception& e) {
                std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
                exit_status = 1;
            }
            // Transcripts that cannot be written are lost: stop rather than transcribe the rest for nothing.
            flush_output();
        }
    });
}

}  // namespace rwkvt::cli
