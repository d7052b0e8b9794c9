// `rwkvt data synth`: plan, resume, render in parallel, keep the manifest consistent.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "audio_output.hpp"
#include "plan.hpp"
#include "progress.hpp"
#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/data/synth.hpp"
#include "tts_engines.hpp"

namespace rwkvt::data::synth {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> read_sentences(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open text file " + path);
    std::vector<std::string> sentences;
    std::string line;
    while (std::getline(in, line)) {
        const size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        const size_t last = line.find_last_not_of(" \t\r");
        sentences.push_back(line.substr(first, last - first + 1));
    }
    if (sentences.empty()) throw std::runtime_error("text file " + path + " has no sentences");
    return sentences;
}

// Voices that can be rendered here; missing ones are an error, or a warning with skip_missing.
std::vector<Voice> available_voices(const std::vector<Voice>& requested, bool skip_missing) {
    std::vector<Voice> usable;
    std::string problems;
    for (const Voice& v : requested) {
        const std::string missing = missing_requirement(v);
        if (missing.empty()) {
            usable.push_back(v);
        } else if (skip_missing) {
            std::fprintf(stderr, "rwkvt: warning: skipping %s\n", missing.c_str());
        } else {
            problems += (problems.empty() ? "" : "; ") + missing;
        }
    }
    if (!problems.empty()) throw std::runtime_error(problems + " (or pass --skip-missing to render with the other voices)");
    if (usable.empty()) throw std::runtime_error("none of the requested voices is available");
    return usable;
}

// A unit of work for one worker: utterances of one voice rendered by one engine invocation.
struct WorkUnit {
    size_t voice;
    std::vector<size_t> utterances;  // indices into the plan
};

}  // namespace

SynthSummary run_synthesis(const SynthOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    if (o.format != "flac" && o.format != "wav") throw std::runtime_error("--format must be flac or wav, not \"" + o.format + "\"");
    if (o.out_dir.empty()) throw std::runtime_error("no output folder given");
    if (!(o.hours >= 0.0)) throw std::runtime_error("--hours must be >= 0");
    // Beyond about +-30% resampling turns a voice into something no person sounds like.
    if (!(o.pitch_min >= 0.7 && o.pitch_min <= o.pitch_max && o.pitch_max <= 1.4))
        throw std::runtime_error("--pitch-range must be two factors LOW HIGH with 0.7 <= LOW <= HIGH <= 1.4");
    const std::vector<std::string> sentences = read_sentences(o.text_path);
    const std::vector<Voice> voices = available_voices(expand_voices(o.voices), o.skip_missing);
    const std::string out = fs::absolute(o.out_dir).lexically_normal().string();
    fs::create_directories(out);
    const std::vector<PlannedUtterance> plan = plan_synthesis(sentences, voices, o.hours, o.seed, out, o.format, o.pitch_min, o.pitch_max);

    // Resume: what a previous run left. Files under their final names are complete (they were
    // renamed into place after writing); *.tmp files are from killed runs and are removed.
    const std::string manifest_path = out + "/manifest.jsonl";
    std::map<std::string, Utterance> previous;  // by audio path
    if (fs::exists(manifest_path)) {
        std::ifstream in(manifest_path);
        std::string line;
        for (long number = 1; std::getline(in, line); ++number) {
            try {
                Utterance u = parse_jsonl_line(line, manifest_path + ":" + std::to_string(number));
                previous[u.audio_filepath] = u;
            } catch (const std::exception&) {
                // A run killed mid-write can leave a partial last line; the files are the truth.
            }
        }
    }
    if (fs::exists(out + "/audio"))
        for (const fs::directory_entry& e : fs::recursive_directory_iterator(out + "/audio"))
            if (e.is_regular_file() && e.path().extension() == ".tmp") fs::remove(e.path());

    SynthSummary summary;
    summary.planned = static_cast<long>(plan.size());
    std::vector<Utterance> done;
    std::vector<size_t> pending;
    double pending_estimate_s = 0.0;
    for (size_t i = 0; i < plan.size(); ++i) {
        const PlannedUtterance& p = plan[i];
        const std::string& speaker = voices[p.voice].name;
        auto it = previous.find(p.audio_path);
        if (it != previous.end() && (it->second.text != p.text || it->second.speaker != speaker))
            throw std::runtime_error(out + " holds " + p.id + " as \"" + it->second.speaker + "\" saying other text: it was rendered "
                                     "with different text, voices or seed; use a new --out folder");
        double duration = -1.0;
        if (fs::exists(p.audio_path)) {
            try {
                duration = it != previous.end() ? it->second.duration : audio_file_duration(p.audio_path);
            } catch (const std::exception&) {
                fs::remove(p.audio_path);  // unreadable: render it again
            }
        }
        if (duration >= 0.0) {
            done.push_back({p.audio_path, duration, p.text, speaker, ""});
        } else {
            pending.push_back(i);
            pending_estimate_s += estimated_seconds(p.text);
        }
    }
    summary.already_done = static_cast<long>(done.size());
    write_jsonl_manifest(manifest_path, done);  // exactly the finished files, in plan order
    for (const Utterance& u : done) summary.audio_hours += u.duration / 3600.0;

    // Work units in plan order; batching engines collect per-voice batches as they fill.
    std::vector<WorkUnit> units;
    std::map<size_t, WorkUnit> open_batches;
    for (size_t i : pending) {
        const size_t v = plan[i].voice;
        if (batch_size(voices[v]) <= 1) {
            units.push_back({v, {i}});
            continue;
        }
        WorkUnit& batch = open_batches.try_emplace(v, WorkUnit{v, {}}).first->second;
        batch.utterances.push_back(i);
        if (static_cast<int>(batch.utterances.size()) >= batch_size(voices[v])) {
            units.push_back(std::move(batch));
            open_batches.erase(v);
        }
    }
    for (auto& [v, batch] : open_batches) units.push_back(std::move(batch));

    const int jobs = o.jobs > 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    if (!pending.empty() && o.progress)
        std::fprintf(stderr, "rwkvt: rendering %zu utterances (~%.2f h estimated) with %d jobs into %s; %ld already done\n", pending.size(),
                     pending_estimate_s / 3600.0, jobs, out.c_str(), summary.already_done);
    ProgressBar progress(static_cast<long>(pending.size()), pending_estimate_s / 3600.0, o.progress && !pending.empty());

    FILE* manifest = std::fopen(manifest_path.c_str(), "a");
    if (!manifest) throw std::runtime_error("cannot append to " + manifest_path);
    std::mutex mutex;  // guards the manifest, the summary and stderr messages
    std::atomic<size_t> next_unit{0};
    auto worker = [&](int number) {
        const std::string scratch = out + "/.scratch/worker" + std::to_string(number);
        fs::create_directories(scratch);
        for (size_t u = next_unit++; u < units.size(); u = next_unit++) {
            const WorkUnit& unit = units[u];
            const Voice& voice = voices[unit.voice];
            const auto unit_start = std::chrono::steady_clock::now();
            std::vector<RenderJob> render_jobs;
            for (size_t i : unit.utterances) render_jobs.push_back({plan[i].text, plan[i].tempo, plan[i].pitch, scratch + "/" + plan[i].id + ".wav"});
            std::vector<std::string> errors;
            try {
                errors = render_batch(voice, render_jobs, scratch);
            } catch (const std::exception& e) {
                errors.assign(render_jobs.size(), e.what());
            }
            std::vector<Utterance> finished;
            double estimate_h = 0.0;
            for (size_t k = 0; k < render_jobs.size(); ++k) {
                const PlannedUtterance& p = plan[unit.utterances[k]];
                estimate_h += estimated_seconds(p.text) / 3600.0;
                if (errors[k].empty()) {
                    try {
                        const double duration = convert_engine_output(render_jobs[k].raw_wav, resample_pitch(voice, render_jobs[k]), p.text, p.audio_path);
                        finished.push_back({p.audio_path, duration, p.text, voice.name, ""});
                    } catch (const std::exception& e) {
                        errors[k] = e.what();
                    }
                }
                std::error_code ignored;
                fs::remove(render_jobs[k].raw_wav, ignored);
            }
            const double busy = std::chrono::duration<double>(std::chrono::steady_clock::now() - unit_start).count();
            double audio_h = 0.0;
            std::lock_guard<std::mutex> lock(mutex);
            for (const Utterance& f : finished) {
                // One short line per write: a kill can only cut off this line, which resume ignores.
                std::fprintf(manifest, "%s\n", to_jsonl_line(f).c_str());
                audio_h += f.duration / 3600.0;
            }
            std::fflush(manifest);
            for (size_t k = 0; k < errors.size(); ++k)
                if (!errors[k].empty()) {
                    std::fprintf(stderr, "%srwkvt: warning: %s (%s) failed: %s\n", o.progress ? "\n" : "", plan[unit.utterances[k]].id.c_str(),
                                 voice.name.c_str(), errors[k].c_str());
                    ++summary.failed;
                }
            VoiceStats& stats = summary.per_voice[voice.name];
            stats.utterances += static_cast<long>(finished.size());
            stats.audio_s += audio_h * 3600.0;
            stats.busy_s += busy;
            summary.rendered += static_cast<long>(finished.size());
            summary.audio_hours += audio_h;
            progress.advance(static_cast<long>(render_jobs.size()), audio_h, estimate_h);
        }
        std::error_code ignored;
        fs::remove_all(scratch, ignored);
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::min<int>(jobs, static_cast<int>(std::max<size_t>(units.size(), 1))); ++t) threads.emplace_back(worker, t);
    for (std::thread& t : threads) t.join();
    std::fclose(manifest);
    progress.finish();
    std::error_code ignored;
    fs::remove(out + "/.scratch", ignored);
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace rwkvt::data::synth
