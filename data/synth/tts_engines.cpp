// Command lines for espeak-ng, flite, festival, pico2wave and RHVoice (rwkvt-rhvoice or RHVoice-test).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rwkvt/data/external_program.hpp"
#include "tts_engines.hpp"

namespace rwkvt::data::synth {

namespace fs = std::filesystem;

namespace {

std::string number(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", x);
    return buffer;
}

void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text << "\n";
    if (!out) throw std::runtime_error("cannot write " + path);
}

// festival's HTS voice ignores Duration_Stretch, so its tempo can only come from resampling.
bool has_native_tempo(const Voice& v) { return !(v.engine == Engine::festival && v.id.find("_hts") != std::string::npos); }

// A Scheme string literal: backslashes and quotes escaped (normalised text has neither, but a
// sentence must never be able to end the literal and run Scheme code).
std::string scheme_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + "\"";
}

std::string run_single(const std::vector<std::string>& argv, const std::string& stdin_path, const std::string& scratch,
                       const std::string& raw_wav) {
    std::error_code ignored;
    fs::remove(raw_wav, ignored);
    const ProcessResult r = run_program(argv, stdin_path, scratch + "/stderr.txt");
    if (r.exit_code != 0) return argv[0] + " exited with status " + std::to_string(r.exit_code) + ": " + r.stderr_tail;
    if (!fs::exists(raw_wav) || fs::file_size(raw_wav) <= 44) return argv[0] + " wrote no audio: " + r.stderr_tail;
    return "";
}

// rwkvt-rhvoice, which renders a whole batch with one RHVoice engine: beside the running program,
// else where the build put it; "" when neither has it.
const std::string& rhvoice_batch_program() {
    static const std::string program = [] {
        std::error_code ec;
        const fs::path self = fs::read_symlink("/proc/self/exe", ec);
        for (const fs::path& dir : {ec ? fs::path() : self.parent_path(), fs::path(RWKVT_TOOLS_BUILD_DIR)}) {
            if (dir.empty()) continue;
            const fs::path candidate = dir / "rwkvt-rhvoice";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        }
        return std::string();
    }();
    return program;
}

}  // namespace

double resample_pitch(const Voice& voice, const RenderJob& job) {
    if (voice.engine == Engine::espeak) return 1.0;           // native pitch (-p)
    if (!has_native_tempo(voice)) return job.tempo;           // one factor carries both
    return job.pitch;
}

int batch_size(const Voice& voice) {
    if (voice.engine == Engine::festival) return 24;
    if (voice.engine == Engine::rhvoice && !rhvoice_batch_program().empty()) return 16;
    return 1;
}

std::vector<std::string> render_batch(const Voice& voice, const std::vector<RenderJob>& jobs, const std::string& scratch) {
    std::vector<std::string> errors(jobs.size());
    // The engine's own tempo: what is left after the converter's resampling speeds the audio up.
    auto engine_tempo = [&](const RenderJob& j) { return has_native_tempo(voice) ? j.tempo / resample_pitch(voice, j) : 1.0; };

    if (voice.engine == Engine::festival) {
        const std::string script = scratch + "/batch.scm";
        {
            std::ofstream s(script, std::ios::trunc);
            s << "(voice_" << voice.id << ")\n";
            for (const RenderJob& j : jobs) {
                // unwind-protect keeps one bad sentence from aborting the rest of the batch.
                s << "(Parameter.set 'Duration_Stretch " << number(1.0 / engine_tempo(j)) << ")\n"
                  << "(unwind-protect (let ((u (Utterance Text " << scheme_string(j.text) << "))) (utt.synth u) (utt.save.wave u "
                  << scheme_string(j.raw_wav) << " 'riff)) nil)\n";
            }
            if (!s) throw std::runtime_error("cannot write " + script);
        }
        for (const RenderJob& j : jobs) {
            std::error_code ignored;
            fs::remove(j.raw_wav, ignored);
        }
        const ProcessResult r = run_program({"festival", "--batch", script}, "", scratch + "/stderr.txt");
        for (size_t i = 0; i < jobs.size(); ++i)
            if (!fs::exists(jobs[i].raw_wav) || fs::file_size(jobs[i].raw_wav) <= 44)
                errors[i] = "festival wrote no audio (status " + std::to_string(r.exit_code) + "): " + r.stderr_tail;
        return errors;
    }

    if (voice.engine == Engine::rhvoice && !rhvoice_batch_program().empty()) {
        const std::string batch = scratch + "/batch.tsv";
        {
            std::ofstream b(batch, std::ios::trunc);
            // Normalised text holds no tabs or newlines; replace any so a line stays one utterance.
            for (const RenderJob& j : jobs) {
                std::string text = j.text;
                for (char& c : text)
                    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
                b << number(engine_tempo(j)) << '\t' << j.raw_wav << '\t' << text << '\n';
            }
            if (!b) throw std::runtime_error("cannot write " + batch);
        }
        for (const RenderJob& j : jobs) {
            std::error_code ignored;
            fs::remove(j.raw_wav, ignored);
        }
        const ProcessResult r = run_program({rhvoice_batch_program(), voice.id, batch}, "", scratch + "/stderr.txt");
        for (size_t i = 0; i < jobs.size(); ++i)
            if (!fs::exists(jobs[i].raw_wav) || fs::file_size(jobs[i].raw_wav) <= 44)
                errors[i] = "rwkvt-rhvoice wrote no audio (status " + std::to_string(r.exit_code) + "): " + r.stderr_tail;
        return errors;
    }

    const std::string text_file = scratch + "/text.txt";
    for (size_t i = 0; i < jobs.size(); ++i) {
        const RenderJob& j = jobs[i];
        const double tempo = engine_tempo(j);
        try {
            switch (voice.engine) {
            case Engine::espeak: {
                write_text_file(text_file, j.text);
                const int wpm = static_cast<int>(std::lround(175.0 * tempo));
                // espeak-ng's pitch is 0..99 around 50; +-7% pitch maps to roughly +-28 steps.
                const int pitch = std::max(0, std::min(99, static_cast<int>(std::lround(50.0 + 400.0 * (j.pitch - 1.0)))));
                errors[i] = run_single({"espeak-ng", "-v", voice.id, "-s", std::to_string(wpm), "-p", std::to_string(pitch), "-w",
                                        j.raw_wav, "-f", text_file},
                                       "", scratch, j.raw_wav);
                break;
            }
            case Engine::flite:
                write_text_file(text_file, j.text);
                errors[i] = run_single({"flite", "-voice", voice.id, "--setf", "duration_stretch=" + number(1.0 / tempo), "-f", text_file,
                                        "-o", j.raw_wav},
                                       "", scratch, j.raw_wav);
                break;
            case Engine::pico: {
                // pico2wave takes the text as an argument (passed directly, no shell) and understands
                // <speed>; angle brackets in the sentence itself are dropped so they cannot add markup.
                std::string clean;
                for (char c : j.text)
                    if (c != '<' && c != '>') clean += c;
                const std::string marked = "<speed level='" + std::to_string(std::lround(100.0 * tempo)) + "'>" + clean + "</speed>";
                // pico2wave insists on a .wav name.
                errors[i] = run_single({"pico2wave", "-l", voice.id, "-w", j.raw_wav, marked}, "", scratch, j.raw_wav);
                break;
            }
            case Engine::rhvoice:
                write_text_file(text_file, j.text);
                errors[i] = run_single({"RHVoice-test", "-p", voice.id, "-r", std::to_string(std::lround(100.0 * tempo)), "-o", j.raw_wav},
                                       text_file, scratch, j.raw_wav);
                break;
            case Engine::festival:
                break;  // handled above
            }
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    }
    return errors;
}

}  // namespace rwkvt::data::synth
