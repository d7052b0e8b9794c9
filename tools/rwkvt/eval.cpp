// rwkvt eval: transcribe manifests and report WER, CER and RTFx overall, per speaker and per flag,
// the worst utterances, and optionally the same for Debian's pocketsphinx as a baseline.
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "baseline_cache.hpp"
#include "commands.hpp"
#include "decoder_option.hpp"
#include "json_text.hpp"
#include "model_file.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/data/external_program.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/recognizer.hpp"
#include "scoring.hpp"

namespace rwkvt::cli {

namespace fs = std::filesystem;

namespace {

struct Scored {
    const data::Utterance* utterance = nullptr;
    std::string hypothesis;
    ErrorCounts words, chars;
    double compute_s = 0.0;
    double audio_s = 0.0;  // seconds of 16 kHz audio decoded (0 when loading failed)
    bool failed = false;
};

struct Totals {
    long utterances = 0;
    ErrorCounts words, chars;
    double audio_s = 0.0, compute_s = 0.0;
};

struct System {
    std::string name;
    std::vector<Scored> scored;
    double wall_s = 0.0;  // transcription phase (audio loading, features, decoding), no model load
    long failed = 0;
    long from_cache = 0;  // transcripts taken from --baseline-cache
};

// Runs `work(i)` for i in [0, count) on `workers` threads.
void parallel_for(size_t count, int workers, const std::function<void(size_t)>& work) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, workers); ++t)
        threads.emplace_back([&]() {
            for (size_t i = next++; i < count; i = next++) work(i);
        });
    for (std::thread& t : threads) t.join();
}

void score(Scored& s) {
    s.words = word_errors(s.utterance->text, s.hypothesis);
    s.chars = char_errors(s.utterance->text, s.hypothesis);
}

// Feeds `samples` to a fresh stream `piece` samples at a time, as a live source delivers them.
Result transcribe_streamed(const Recognizer& recognizer, const std::vector<float>& samples, size_t piece) {
    std::unique_ptr<Stream> stream = recognizer.create_stream();
    for (size_t at = 0; at < samples.size(); at += piece)
        stream->accept_waveform(16000, samples.data() + at, std::min(piece, samples.size() - at));
    stream->input_finished();
    return stream->result();
}

// chunk_ms == 0: whole-file decoding (Recognizer::transcribe). Otherwise streaming: the stream's
// encoder chunk is chunk_ms long (40 ms frames) and the audio arrives in pieces of chunk_ms.
System run_rwkvt(const std::vector<data::Utterance>& utterances, RecognizerOptions options, int workers, int chunk_ms) {
    if (chunk_ms > 0) options.chunk_frames = chunk_frames_of(chunk_ms, "--streaming");
    Recognizer recognizer(options);
    if (chunk_ms == 0) warn_if_untrained(recognizer.summary().origin, options.model_path, options.decoder == Decoder::Ctc);
    const size_t piece = static_cast<size_t>(chunk_ms) * 16;  // samples at 16 kHz
    const std::string name = options.decoder == Decoder::Ctc    ? "rwkvt ctc"
                             : options.decoder == Decoder::Beam ? "rwkvt beam " + std::to_string(options.beam) + (options.lm_path.empty() ? "" : " + lm")
                                                                : "rwkvt";
    System system{chunk_ms == 0 ? name : name + " streaming " + std::to_string(chunk_ms) + " ms", std::vector<Scored>(utterances.size())};
    std::mutex mutex;
    const auto start = std::chrono::steady_clock::now();
    parallel_for(utterances.size(), workers, [&](size_t i) {
        Scored& s = system.scored[i];
        s.utterance = &utterances[i];
        try {
            const auto t0 = std::chrono::steady_clock::now();
            const std::vector<float> samples = load_audio_16k_mono(utterances[i].audio_filepath);
            s.audio_s = static_cast<double>(samples.size()) / 16000.0;
            s.hypothesis = chunk_ms == 0 ? recognizer.transcribe(samples).text : transcribe_streamed(recognizer, samples, piece).text;
            s.compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            score(s);
        } catch (const std::exception& e) {
            s.failed = true;
            std::lock_guard<std::mutex> lock(mutex);
            std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        }
    });
    system.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return system;
}

// pocketsphinx_continuous (Debian's pocketsphinx 5prealpha, en-us model) on a 16 kHz 16-bit mono WAV
// copy of each utterance. Its time includes loading its model for every utterance, as the tool does.
// Transcripts found in `cache` are reused, with the time they took when they were made: the wall
// time then counts them as if run again on `workers` processes.
System run_pocketsphinx(const std::vector<data::Utterance>& utterances, int workers, BaselineCache& cache) {
    if (data::find_program("pocketsphinx_continuous").empty())
        throw std::runtime_error("--baseline pocketsphinx needs pocketsphinx_continuous: install the Debian packages pocketsphinx pocketsphinx-en-us");
    const std::string scratch = (fs::temp_directory_path() / ("rwkvt-eval-" + std::to_string(::getpid()))).string();
    fs::create_directories(scratch);
    System system{"pocketsphinx", std::vector<Scored>(utterances.size())};
    std::mutex mutex;
    double cached_compute_s = 0.0;
    const auto start = std::chrono::steady_clock::now();
    parallel_for(utterances.size(), workers, [&](size_t i) {
        Scored& s = system.scored[i];
        s.utterance = &utterances[i];
        const std::string base = scratch + "/" + std::to_string(i);
        if (const auto cached = cache.find("pocketsphinx", utterances[i].audio_filepath)) {
            s.hypothesis = cached->hypothesis;
            s.compute_s = cached->compute_s;
            s.audio_s = cached->audio_s;
            score(s);
            std::lock_guard<std::mutex> lock(mutex);
            ++system.from_cache;
            cached_compute_s += cached->compute_s;
            return;
        }
        try {
            const auto t0 = std::chrono::steady_clock::now();
            const std::vector<float> samples = load_audio_16k_mono(utterances[i].audio_filepath);
            s.audio_s = static_cast<double>(samples.size()) / 16000.0;
            SF_INFO info{};
            info.samplerate = 16000;
            info.channels = 1;
            info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
            SNDFILE* f = sf_open((base + ".wav").c_str(), SFM_WRITE, &info);
            if (!f) throw std::runtime_error("cannot write " + base + ".wav");
            sf_write_float(f, samples.data(), static_cast<sf_count_t>(samples.size()));
            sf_close(f);
            const data::ProcessResult r = data::run_program({"pocketsphinx_continuous", "-infile", base + ".wav", "-logfn", "/dev/null"}, "",
                                                            base + ".err", base + ".out");
            if (r.exit_code != 0) throw std::runtime_error("pocketsphinx_continuous failed on " + utterances[i].audio_filepath + ": " + r.stderr_tail);
            // One line per segment it found; together they are the hypothesis.
            std::ifstream out(base + ".out");
            std::string line;
            while (std::getline(out, line))
                if (!line.empty()) s.hypothesis += (s.hypothesis.empty() ? "" : " ") + line;
            s.compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            score(s);
            cache.put("pocketsphinx", utterances[i].audio_filepath, {s.hypothesis, s.compute_s, s.audio_s});
        } catch (const std::exception& e) {
            s.failed = true;
            std::lock_guard<std::mutex> lock(mutex);
            std::fprintf(stderr, "rwkvt: error: %s\n", e.what());
        }
        for (const char* ext : {".wav", ".err", ".out"}) {
            std::error_code ignored;
            fs::remove(base + ext, ignored);
        }
    });
    system.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() + cached_compute_s / std::max(1, workers);
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    cache.save();
    return system;
}

void add_to(Totals& t, const Scored& s) {
    ++t.utterances;
    t.words += s.words;
    t.chars += s.chars;
    // The decoded audio's own length: a TSV manifest may give no duration at all.
    t.audio_s += s.audio_s > 0.0 ? s.audio_s : s.utterance->duration;
    t.compute_s += s.compute_s;
}

// An error rate, or null where the reference is empty (errors per reference word have no value
// there; the errors themselves still count in every total they belong to).
nlohmann::ordered_json rate_json(const ErrorCounts& counts) {
    return counts.reference_length > 0 ? nlohmann::ordered_json(counts.rate()) : nlohmann::ordered_json();
}

nlohmann::ordered_json totals_json(const Totals& t, double wall_s) {
    nlohmann::ordered_json j;
    j["utterances"] = t.utterances;
    j["reference_words"] = t.words.reference_length;
    j["wer"] = rate_json(t.words);
    j["cer"] = rate_json(t.chars);
    j["word_substitutions"] = t.words.substitutions;
    j["word_deletions"] = t.words.deletions;
    j["word_insertions"] = t.words.insertions;
    j["audio_s"] = t.audio_s;
    // Overall RTFx uses wall time (what parallel workers achieve); per group, audio over the
    // summed per-utterance compute time.
    j["rtfx"] = wall_s > 0 ? t.audio_s / wall_s : 0.0;
    return j;
}

struct Report {
    Totals all;
    std::map<std::string, Totals> per_speaker, per_flag;
    std::vector<const Scored*> worst;
};

Report summarise(const System& system, int worst_count) {
    Report r;
    for (const Scored& s : system.scored) {
        if (s.failed) continue;
        add_to(r.all, s);
        add_to(r.per_speaker[s.utterance->speaker.empty() ? "(none)" : s.utterance->speaker], s);
        if (!s.utterance->flag.empty()) add_to(r.per_flag[s.utterance->flag], s);
        r.worst.push_back(&s);
    }
    // Worst first by error count, then by rate, so long badly-recognised utterances lead.
    std::stable_sort(r.worst.begin(), r.worst.end(), [](const Scored* a, const Scored* b) {
        if (a->words.errors() != b->words.errors()) return a->words.errors() > b->words.errors();
        return a->words.rate() > b->words.rate();
    });
    if (static_cast<int>(r.worst.size()) > worst_count) r.worst.resize(static_cast<size_t>(worst_count));
    return r;
}

// A rate in percent for the text table, "-" where the reference is empty.
std::string percent_text(const ErrorCounts& counts) {
    if (counts.reference_length == 0) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", 100.0 * counts.rate());
    return text;
}

void print_row(const std::string& label, const Totals& t, double rtfx) {
    std::printf("%-34s %6ld %7ld %7s %7s %9.1f\n", label.c_str(), t.utterances, t.words.reference_length, percent_text(t.words).c_str(),
                percent_text(t.chars).c_str(), rtfx);
}

void print_text(const System& system, const Report& r) {
    std::printf("\n== %s: %ld utterances, %.1f min of audio, %.1f s wall\n", system.name.c_str(), r.all.utterances, r.all.audio_s / 60.0, system.wall_s);
    std::printf("%-34s %6s %7s %7s %7s %9s\n", "", "utts", "words", "WER%", "CER%", "RTFx");
    print_row("all", r.all, system.wall_s > 0 ? r.all.audio_s / system.wall_s : 0.0);
    auto group_rtfx = [](const Totals& t) { return t.compute_s > 0 ? t.audio_s / t.compute_s : 0.0; };
    for (const auto& [flag, t] : r.per_flag) print_row("flag " + flag, t, group_rtfx(t));
    for (const auto& [speaker, t] : r.per_speaker) print_row("speaker " + speaker, t, group_rtfx(t));
    if (system.failed > 0) std::printf("(%ld utterances failed and are not scored)\n", system.failed);
    if (system.from_cache > 0)
        std::printf("(%ld transcripts from the baseline cache; their time is that of the run that made them)\n", system.from_cache);
    if (!r.worst.empty()) std::printf("worst utterances:\n");
    for (const Scored* s : r.worst) {
        const std::string wer = s->words.reference_length > 0 ? "WER " + percent_text(s->words) + "%" : "empty reference";
        std::printf("  %ld errors (%s) %s\n    ref: %s\n    hyp: %s\n", s->words.errors(), wer.c_str(),
                    s->utterance->audio_filepath.c_str(), s->utterance->text.c_str(), s->hypothesis.c_str());
    }
}

nlohmann::ordered_json system_json(const System& system, const Report& r) {
    nlohmann::ordered_json j;
    j["system"] = system.name;
    j["wall_s"] = system.wall_s;
    j["failed"] = system.failed;
    if (system.from_cache > 0) j["from_cache"] = system.from_cache;
    j["overall"] = totals_json(r.all, system.wall_s);
    auto groups = [](const std::map<std::string, Totals>& m) {
        nlohmann::ordered_json g = nlohmann::ordered_json::object();
        for (const auto& [k, t] : m) g[k] = totals_json(t, t.compute_s);
        return g;
    };
    j["per_flag"] = groups(r.per_flag);
    j["per_speaker"] = groups(r.per_speaker);
    j["worst"] = nlohmann::ordered_json::array();
    for (const Scored* s : r.worst)
        j["worst"].push_back({{"audio_filepath", s->utterance->audio_filepath}, {"reference", s->utterance->text}, {"hypothesis", s->hypothesis},
                              {"word_errors", s->words.errors()}, {"wer", rate_json(s->words)}});
    return j;
}

}  // namespace

void add_eval(CLI::App& app) {
    struct Options {
        RecognizerOptions recognizer;
        int workers = 1;
        std::string format = "text";
        std::string baseline, baseline_cache, json_out;
        int worst = 10;
        int streaming_chunk_ms = 0;
        std::vector<std::string> manifests;
    };
    auto opt = std::make_shared<Options>();
    opt->recognizer.model_path = default_model_path();
    CLI::App* cmd = app.add_subcommand("eval", "Transcribe manifests (JSONL or TSV) and report WER, CER and RTFx overall, per speaker and per flag");
    cmd->add_option("--model", opt->recognizer.model_path, "Model file")->capture_default_str();
    cmd->add_option("--threads", opt->recognizer.threads, "Kernel threads (0 = all cores)")->check(CLI::Range(0, 1024));
    cmd->add_option("--max-symbols", opt->recognizer.max_symbols_per_frame, "Tokens per encoder frame at most (greedy decoding)")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    cmd->add_option("--blank-penalty", opt->recognizer.blank_penalty, "Subtracted from blank's logit before each choice of the decoder (> 0: fewer deletions)")
        ->check(finite_range(-100.0, 100.0))
        ->capture_default_str();
    add_decoder_options(cmd, opt->recognizer);
    cmd->add_option("--workers", opt->workers, "Utterances transcribed in parallel (streams sharing one model)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--format", opt->format, "Report: text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->add_option("--json-out", opt->json_out, "Also write the JSON report to this file (atomically), whatever --format says");
    cmd->add_option("--baseline", opt->baseline, "Also run a baseline recognizer on the same manifest")->check(CLI::IsMember({"pocketsphinx"}));
    cmd->add_option("--baseline-cache", opt->baseline_cache,
                    "Keep the baseline's transcripts in this file and reuse them while the audio files are unchanged")
        ->needs("--baseline");
    cmd->add_option("--streaming", opt->streaming_chunk_ms,
                    "Also decode every utterance as a live stream, this many ms of audio at a time (a multiple of 40, as the 40 ms "
                    "encoder frames), and count the transcripts that differ from whole-file decoding")
        ->check(CLI::Range(40, 60000));
    cmd->add_option("--worst", opt->worst, "Worst utterances to list")->check(CLI::Range(0, 1024))->capture_default_str();
    cmd->add_option("manifests", opt->manifests, "Manifests: JSON Lines (audio_filepath, duration, text, speaker) or TSV (path, transcript, flag)")
        ->required();
    cmd->callback([opt]() {
        std::vector<data::Utterance> utterances;
        for (const std::string& m : opt->manifests) {
            std::vector<data::Utterance> part = data::read_manifest(m);
            utterances.insert(utterances.end(), part.begin(), part.end());
        }
        if (utterances.empty()) throw std::runtime_error("the manifests hold no utterances");
        // An utterance with an empty reference (silence, noise) has no error rate of its own; whatever
        // is recognised in it counts as insertions in the totals, as NIST's sclite counts them. A set
        // of such utterances alone has no error rate at all.
        const long empty_references = std::count_if(utterances.begin(), utterances.end(),
                                                     [](const data::Utterance& u) { return normalize_for_scoring(u.text).empty(); });
        if (empty_references == static_cast<long>(utterances.size()))
            throw std::runtime_error("every reference transcript of the manifests is empty: error rates need reference words");
        if (empty_references > 0)
            std::fprintf(stderr, "rwkvt: note: %ld of the utterances have an empty reference: what is recognised in them counts as insertions\n",
                         empty_references);
        // Before the work: a report or cache that cannot be written is known now, not after an hour.
        auto check_output = [&](const std::string& path, const std::string& option) {
            if (path.empty()) return;
            std::vector<std::string> inputs = opt->manifests;
            inputs.push_back(opt->recognizer.model_path);
            if (!opt->recognizer.lm_path.empty()) inputs.push_back(opt->recognizer.lm_path);
            refuse_overwriting_input(path, option, inputs);
            const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
            if (std::filesystem::is_directory(path)) throw std::runtime_error(option + " " + path + " is a folder: name a file");
            if (!std::filesystem::is_directory(folder) || ::access(folder.c_str(), W_OK) != 0)
                throw std::runtime_error(option + " " + path + ": cannot write into " + folder.string());
        };
        check_output(opt->json_out, "--json-out");
        check_output(opt->baseline_cache, "--baseline-cache");
        if (!opt->json_out.empty() && !opt->baseline_cache.empty()) refuse_overwriting_input(opt->json_out, "--json-out", {opt->baseline_cache});
        if (opt->streaming_chunk_ms > 0) chunk_frames_of(opt->streaming_chunk_ms, "--streaming");  // before any decoding
        BaselineCache cache(opt->baseline_cache);  // read before any decoding: a bad file fails at once
        std::vector<System> systems;
        systems.push_back(run_rwkvt(utterances, opt->recognizer, opt->workers, 0));
        if (opt->streaming_chunk_ms > 0) systems.push_back(run_rwkvt(utterances, opt->recognizer, opt->workers, opt->streaming_chunk_ms));
        if (opt->baseline == "pocketsphinx") {
            // pocketsphinx is single-threaded: one process per core.
            const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
            systems.push_back(run_pocketsphinx(utterances, cores, cache));
        }
        nlohmann::ordered_json json;
        json["model"] = opt->recognizer.model_path;
        json["manifests"] = opt->manifests;
        json["workers"] = opt->workers;
        json["threads"] = opt->recognizer.threads;
        json["decoder"] = decoder_name(opt->recognizer.decoder);
        json["max_symbols"] = opt->recognizer.max_symbols_per_frame;
        if (opt->recognizer.decoder == Decoder::Beam) json["beam"] = opt->recognizer.beam;
        if (!opt->recognizer.lm_path.empty()) json["lm"] = opt->recognizer.lm_path, json["lm_weight"] = opt->recognizer.lm_weight;
        json["blank_penalty"] = opt->recognizer.blank_penalty;
        json["rtfx_note"] = "audio seconds / wall seconds of loading audio, features and decoding (model load excluded; pocketsphinx includes its per-utterance model load)";
        json["systems"] = nlohmann::ordered_json::array();
        for (System& system : systems) {
            for (const Scored& s : system.scored) system.failed += s.failed ? 1 : 0;
            const Report report = summarise(system, opt->worst);
            json["systems"].push_back(system_json(system, report));
            if (opt->format == "text") print_text(system, report);
            if (system.failed > 0) exit_status = 1;
        }
        if (opt->streaming_chunk_ms > 0) {
            // Streaming must not change what is recognised: count the utterances whose transcripts differ.
            long differing = 0, compared = 0;
            const std::vector<Scored>& whole = systems[0].scored;
            const std::vector<Scored>& streamed = systems[1].scored;
            for (size_t i = 0; i < whole.size(); ++i) {
                if (whole[i].failed || streamed[i].failed) continue;
                ++compared;
                if (whole[i].hypothesis != streamed[i].hypothesis) ++differing;
            }
            json["streaming_vs_whole_file"] = {{"chunk_ms", opt->streaming_chunk_ms}, {"utterances", compared}, {"differing_transcripts", differing}};
            if (opt->format == "text")
                std::printf("\nstreaming in %d ms chunks against whole-file decoding: %ld of %ld transcripts differ\n", opt->streaming_chunk_ms,
                            differing, compared);
        }
        const std::string text = json_text(json, 2) + "\n";
        if (opt->format == "json") std::fputs(text.c_str(), stdout);
        if (!opt->json_out.empty()) write_file_atomically(opt->json_out, {{text.data(), text.size()}});
    });
}

}  // namespace rwkvt::cli
