// The evaluation sets: held-out dev/test sentences (training voices), Harvard (reserved voices) and
// Asterisk (real telephone speech).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "rwkvt/data/external_program.hpp"
#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/evalsets.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/data/synth.hpp"

namespace rwkvt::data {

namespace fs = std::filesystem;

std::string simple_normalise(const std::string& sentence) {
    std::string out;
    bool space = false;
    for (unsigned char c : sentence) {
        if (std::isalpha(c) || c == '\'') {
            if (space && !out.empty()) out += ' ';
            space = false;
            out += static_cast<char>(std::tolower(c));
        } else {
            space = true;
        }
    }
    return out;
}

namespace {

// The Harvard sentences from r-cran-stringr (stringr::sentences), through R itself: the package
// depends on R, and its data is a serialized R object that only R reads simply.
std::string harvard_from_stringr(const std::string& out_dir) {
    if (find_program("Rscript").empty())
        throw std::runtime_error("no Harvard sentence file: give --text, run `rwkvt data text --out " + out_dir +
                                 "` (writes reserved-harvard.txt), or install the Debian package r-cran-stringr");
    const std::string raw = out_dir + "/harvard-stringr.txt.tmp";
    const ProcessResult r =
        run_program({"Rscript", "-e", "writeLines(stringr::sentences, commandArgs(TRUE)[1])", raw}, "", out_dir + "/rscript-stderr.txt");
    fs::remove(out_dir + "/rscript-stderr.txt");
    if (r.exit_code != 0) throw std::runtime_error("reading stringr::sentences with Rscript failed (is r-cran-stringr installed?): " + r.stderr_tail);
    std::ifstream in(raw);
    const std::string path = out_dir + "/reserved-harvard.txt";
    std::ofstream out(path + ".tmp");
    std::string line;
    long count = 0;
    while (std::getline(in, line)) {
        const std::string n = simple_normalise(line);
        if (!n.empty()) {
            out << n << "\n";
            ++count;
        }
    }
    out.close();
    fs::remove(raw);
    if (count < 700) throw std::runtime_error("stringr::sentences gave only " + std::to_string(count) + " sentences, expected 720");
    fs::rename(path + ".tmp", path);
    std::fprintf(stderr, "rwkvt: wrote %ld Harvard sentences from r-cran-stringr to %s\n", count, path.c_str());
    return path;
}

// Renders every line of `text` once with `voices` into OUT (audio/, manifest.jsonl), reports the
// set on stderr as `what`, and returns the number of failed utterances.
long render_every_sentence_once(const std::string& text, const std::string& voices, const std::string& out, int jobs, uint64_t seed,
                                bool progress, const std::string& what) {
    synth::SynthOptions s;
    s.text_path = text;
    s.voices = voices;
    s.hours = 0.0;  // every sentence once
    s.out_dir = out;
    s.jobs = jobs;
    s.seed = seed;
    s.progress = progress;
    const synth::SynthSummary summary = synth::run_synthesis(s);
    std::fprintf(stderr, "rwkvt: %s: %ld utterances, %.3f h in %s/manifest.jsonl\n", what.c_str(), summary.already_done + summary.rendered,
                 summary.audio_hours, out.c_str());
    return summary.failed;
}

}  // namespace

std::vector<std::string> harvard_voice_sets() { return {"reserved", "train"}; }

long make_harvard_evalset(const HarvardOptions& o) {
    if (o.out_dir.empty()) throw std::runtime_error("no output folder given");
    const std::vector<std::string> sets = harvard_voice_sets();
    if (std::find(sets.begin(), sets.end(), o.voices) == sets.end()) {
        throw std::runtime_error(fmt::format("unknown voices '{}' for the Harvard set: expected {}", o.voices,
                                             fmt::join(sets, " or ")));
    }
    fs::create_directories(o.out_dir);
    std::string text = o.text_path;
    if (text.empty()) {
        // `rwkvt data text` writes reserved-harvard.txt (normalised by the full text pipeline);
        // when it has been run into the same folder, its file is used.
        text = o.out_dir + "/reserved-harvard.txt";
        if (!fs::exists(text)) text = harvard_from_stringr(o.out_dir);
    }
    return render_every_sentence_once(text, o.voices, o.out_dir, o.jobs, o.seed, o.progress, "Harvard evaluation set");
}

long make_heldout_evalsets(const HeldoutOptions& o) {
    if (o.out_dir.empty()) throw std::runtime_error("no output folder given");
    if (o.sentences < 1) throw std::runtime_error("--sentences must be at least 1");
    std::ifstream in(o.text_path);
    if (!in) throw std::runtime_error("cannot read held-out text " + o.text_path + " (make it with `rwkvt data text`: valid.txt)");
    fs::create_directories(o.out_dir);
    std::vector<std::string> splits[2];
    std::string line;
    long n = 0;  // non-blank lines so far
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::vector<std::string>& split = splits[n++ % 2];
        if (static_cast<long>(split.size()) < o.sentences) split.push_back(line);
    }
    if (splits[0].empty() || splits[1].empty())
        throw std::runtime_error(o.text_path + " has fewer than two sentences: nothing to split into dev and test");

    long failed = 0;
    const char* names[2] = {"dev", "test"};
    for (int k = 0; k < 2; ++k) {
        const std::string text = o.out_dir + "/" + names[k] + ".txt";
        {
            std::ofstream out(text + ".tmp", std::ios::trunc);
            for (const std::string& sentence : splits[k]) out << sentence << "\n";
            if (!out) throw std::runtime_error("cannot write " + text);
        }
        fs::rename(text + ".tmp", text);
        // dev and test draw their voices independently (seeds seed and seed + 1).
        failed += render_every_sentence_once(text, "train", o.out_dir + "/" + names[k], o.jobs, o.seed + static_cast<uint64_t>(k), o.progress,
                                             std::string(names[k]) + " set");
    }
    return failed;
}

long make_asterisk_evalset(const std::string& out_dir, const std::string& shared_dir) {
    const std::string script = shared_dir + "/eval/asterisk/fetch.sh";
    if (!fs::exists(script)) throw std::runtime_error("no " + script + ": give --shared (the folder holding eval/asterisk/fetch.sh)");
    fs::create_directories(out_dir);
    const std::string out = fs::absolute(out_dir).lexically_normal().string();
    const ProcessResult r = run_program({"sh", script, out}, "", out + "/fetch-stderr.txt");
    if (r.exit_code != 0) throw std::runtime_error(script + " failed with status " + std::to_string(r.exit_code) + ": " + r.stderr_tail);
    fs::remove(out + "/fetch-stderr.txt");
    std::vector<Utterance> utterances = read_tsv_manifest(out + "/manifest.tsv");
    for (Utterance& u : utterances) u.speaker = "asterisk:allison";  // one US female speaker throughout
    const std::vector<std::string> problems = check_durations(utterances, 0.05);
    if (!problems.empty())
        throw std::runtime_error(std::to_string(problems.size()) + " Asterisk files do not match the manifest, e.g. " + problems.front());
    write_jsonl_manifest(out + "/manifest.jsonl", utterances);
    return static_cast<long>(utterances.size());
}

}  // namespace rwkvt::data
