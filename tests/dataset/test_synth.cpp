// Synthesis: voice names and licences, the deterministic plan, small real renders with espeak-ng,
// flite and RHVoice (installed by tools/setup.sh) including resume after lost files, the held-out
// dev/test sets and the Harvard set read by the training voices.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "../../data/synth/plan.hpp"
#include "model/scratch.hpp"
#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/evalsets.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/data/synth.hpp"

using namespace rwkvt::data;
using namespace rwkvt::data::synth;
using rwkvt::test::error_of;
using rwkvt::test::ScratchDir;

namespace {

// Renders DIR/text.txt with `voices` into DIR/out, quietly.
SynthOptions render_options(const ScratchDir& dir, const std::string& voices, int jobs) {
    SynthOptions o;
    o.text_path = dir.file("text.txt");
    o.voices = voices;
    o.out_dir = dir.file("out");
    o.jobs = jobs;
    o.progress = false;
    return o;
}

// What the first of `voices` (names or presets, as --voices takes them) lacks on this machine, or ""
// when every one of them can render: a test that needs them is skipped with this reason.
std::string missing_voice(const std::string& voices) {
    for (const Voice& v : expand_voices(voices))
        if (std::string missing = missing_requirement(v); !missing.empty()) return missing;
    return "";
}

// Whether the utterance was read by one of the training voices.
bool read_by_training_voice(const Utterance& u) {
    const std::vector<Voice> train = expand_voices("train");
    return std::any_of(train.begin(), train.end(), [&](const Voice& v) { return v.name == u.speaker; });
}

}  // namespace

TEST_CASE("voice names: engines, presets, and non-commercial voices rejected") {
    const Voice v = parse_voice("espeak:en-gb+f3");
    CHECK(v.engine == Engine::espeak);
    CHECK(v.id == "en-gb+f3");
    CHECK(parse_voice("festival:cmu_us_slt_arctic_hts").engine == Engine::festival);
    CHECK(error_of([] { parse_voice("rhvoice:evgeniy-eng"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("rhvoice:lyubov"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("mbrola:us1"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("espeak:mb-us1"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("festival:rab_diphone"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("festival:don_diphone"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("sam:default"); }).find("unknown engine") != std::string::npos);
    CHECK(error_of([] { parse_voice("flite"); }).find("not ENGINE:VOICE") != std::string::npos);
    CHECK(error_of([] { parse_voice("flite:slt;rm"); }).find("unexpected characters") != std::string::npos);

    const std::vector<Voice> train = expand_voices("train");
    double espeak = 0.0, total = 0.0;
    for (const Voice& t : train) {
        total += t.weight;
        if (t.engine == Engine::espeak) espeak += t.weight;
        for (const Voice& r : reserved_voices()) CHECK(t.name != r.name);  // evaluation voices never train
    }
    CHECK(espeak / total < 0.2);  // espeak-ng is a minority
    CHECK(expand_voices("reserved,rhvoice:bdl").size() == 3);
    CHECK(expand_voices("flite:slt,espeak:en-us").size() == 2);
}

TEST_CASE("the plan is deterministic and a shorter plan is a prefix of a longer one") {
    const std::vector<std::string> sentences = {"one two three", "four five six seven", "eight nine", "ten eleven twelve thirteen"};
    const std::vector<Voice> voices = expand_voices("train");
    const auto a = plan_synthesis(sentences, voices, 0.01, 7, "/out", "flac", 0.93, 1.07);
    const auto b = plan_synthesis(sentences, voices, 0.02, 7, "/out", "flac", 0.93, 1.07);
    REQUIRE(a.size() > sentences.size());  // cycles through the text
    REQUIRE(b.size() > a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].text == b[i].text);
        CHECK(a[i].voice == b[i].voice);
        CHECK(a[i].tempo == b[i].tempo);
        CHECK(a[i].audio_path == b[i].audio_path);
        CHECK(a[i].tempo >= 0.85);
        CHECK(a[i].tempo <= 1.15);
    }
    const auto c = plan_synthesis(sentences, voices, 0.0, 7, "/out", "flac", 0.93, 1.07);
    CHECK(c.size() == sentences.size());  // hours 0: every line once
    const auto d = plan_synthesis(sentences, voices, 0.0, 8, "/out", "flac", 0.93, 1.07);
    bool differs = false;
    for (size_t i = 0; i < c.size(); ++i) differs |= c[i].voice != d[i].voice || c[i].tempo != d[i].tempo;
    CHECK(differs);
}

TEST_CASE("pitch factors are drawn across the requested range") {
    const std::vector<std::string> sentences = {"one two three", "four five six seven", "eight nine"};
    const auto plan = plan_synthesis(sentences, expand_voices("train"), 0.3, rwkvt::test::fresh_seed(), "/out", "flac", 0.85, 1.18);
    REQUIRE(plan.size() > 300);
    double low = 2.0, high = 0.0;
    for (const auto& u : plan) {
        low = std::min(low, u.pitch);
        high = std::max(high, u.pitch);
    }
    CHECK(low >= 0.85);
    CHECK(high <= 1.18);
    // Uniform draws: with hundreds of them, both ends of the range are reached within 3% of its width.
    CHECK(low < 0.86);
    CHECK(high > 1.17);
}

TEST_CASE("real render with espeak-ng and flite: 16 kHz files, manifest, resume") {
    if (const std::string missing = missing_voice("espeak:en-us,flite:slt"); !missing.empty()) {
        MESSAGE("skipped: " << missing);
        return;
    }
    ScratchDir dir;
    std::ofstream(dir.file("text.txt")) << "the birch canoe slid on the smooth planks\nglue the sheet to the dark blue background\n"
                                           "it's easy to tell the depth of a well\n";
    SynthOptions o = render_options(dir, "espeak:en-us,flite:slt", 2);
    const SynthSummary first = run_synthesis(o);
    CHECK(first.planned == 3);
    CHECK(first.rendered == 3);
    CHECK(first.failed == 0);
    std::vector<Utterance> manifest = read_jsonl_manifest(dir.file("out/manifest.jsonl"));
    REQUIRE(manifest.size() == 3);
    CHECK(check_durations(manifest, 0.001).empty());
    for (const Utterance& u : manifest) {
        CHECK(u.duration > 1.0);
        CHECK(u.duration < 6.0);
        CHECK((u.speaker == "espeak:en-us" || u.speaker == "flite:slt"));
    }

    // Re-running renders nothing; losing a file and a manifest line renders just that one again.
    CHECK(run_synthesis(o).rendered == 0);
    std::filesystem::remove(manifest[1].audio_filepath);
    write_jsonl_manifest(dir.file("out/manifest.jsonl"), {manifest[0]});
    const SynthSummary resumed = run_synthesis(o);
    CHECK(resumed.already_done == 2);
    CHECK(resumed.rendered == 1);
    manifest = read_jsonl_manifest(dir.file("out/manifest.jsonl"));
    CHECK(manifest.size() == 3);
    CHECK(check_durations(manifest, 0.001).empty());

    // Other text into the same folder would put different sentences under the same names: refused.
    std::ofstream(dir.file("text.txt")) << "a completely different first sentence\nand another one here\nand a third\n";
    CHECK(error_of([&] { run_synthesis(o); }).find("different text, voices or seed") != std::string::npos);

    o.voices = "rhvoice:evgeniy-eng";
    CHECK(error_of([&] { run_synthesis(o); }).find("non-commercial") != std::string::npos);
}

TEST_CASE("RHVoice renders a batch, one file per sentence, at the planned tempo") {
    if (const std::string missing = missing_voice("rhvoice:slt"); !missing.empty()) {
        MESSAGE("skipped: " << missing);
        return;
    }
    ScratchDir dir;
    // Sentences of very different lengths: a batch that mixed up its outputs would show it.
    const std::vector<std::string> sentences = {"the birch canoe slid on the smooth planks",
                                                "yes",
                                                "the boy was there when the sun rose and a rod is used to catch pink salmon",
                                                "glue the sheet to the dark blue background"};
    {
        std::ofstream text(dir.file("text.txt"));
        for (const std::string& s : sentences) text << s << "\n";
    }
    SynthOptions o = render_options(dir, "rhvoice:slt", 1);
    const SynthSummary summary = run_synthesis(o);
    CHECK(summary.rendered == 4);
    CHECK(summary.failed == 0);
    const std::vector<Utterance> manifest = read_jsonl_manifest(dir.file("out/manifest.jsonl"));
    REQUIRE(manifest.size() == 4);
    CHECK(check_durations(manifest, 0.001).empty());
    for (const Utterance& u : manifest) {
        // About 6-25 characters a second of speech whatever the tempo (0.9-1.1) and pitch.
        const double rate = static_cast<double>(u.text.size()) / u.duration;
        INFO(u.text << ": " << u.duration << " s");
        if (u.text.size() > 10) {
            CHECK(rate > 6.0);
            CHECK(rate < 25.0);
        }
    }
    double longest = 0.0, shortest = 1e9;
    for (const Utterance& u : manifest) {
        if (u.text.size() > 60) longest = u.duration;
        if (u.text == "yes") shortest = u.duration;
    }
    CHECK(longest > 3.0 * shortest);
}

TEST_CASE("held-out dev and test sets: alternate sentences, never shared, training voices") {
    if (const std::string missing = missing_voice("espeak:en-us"); !missing.empty()) {
        MESSAGE("skipped: " << missing);
        return;
    }
    ScratchDir dir;
    std::ofstream(dir.file("valid.txt")) << "the first held out sentence\nthe second held out sentence\n\n"
                                            "the third held out sentence\nthe fourth held out sentence\nthe fifth one\n";
    HeldoutOptions o;
    o.text_path = dir.file("valid.txt");
    o.out_dir = dir.file("sets");
    o.sentences = 2;
    o.jobs = 2;
    o.progress = false;
    CHECK(make_heldout_evalsets(o) == 0);
    const std::vector<Utterance> dev = read_jsonl_manifest(dir.file("sets/dev/manifest.jsonl"));
    const std::vector<Utterance> test = read_jsonl_manifest(dir.file("sets/test/manifest.jsonl"));
    REQUIRE(dev.size() == 2);
    REQUIRE(test.size() == 2);
    std::set<std::string> dev_text, test_text;
    for (const Utterance& u : dev) dev_text.insert(u.text);
    for (const Utterance& u : test) test_text.insert(u.text);
    CHECK(dev_text == std::set<std::string>{"the first held out sentence", "the third held out sentence"});
    CHECK(test_text == std::set<std::string>{"the second held out sentence", "the fourth held out sentence"});
    for (const Utterance& u : dev) CHECK(read_by_training_voice(u));

    o.text_path = dir.file("missing.txt");
    CHECK(error_of([&] { make_heldout_evalsets(o); }).find("cannot read held-out text") != std::string::npos);
}

TEST_CASE("Harvard set read by the training voices instead of the reserved ones") {
    if (const std::string missing = missing_voice("train"); !missing.empty()) {
        MESSAGE("skipped: " << missing);
        return;
    }
    ScratchDir dir;
    std::ofstream(dir.file("harvard.txt")) << "the birch canoe slid on the smooth planks\nglue the sheet to the dark blue background\n"
                                              "it's easy to tell the depth of a well\n";
    HarvardOptions o;
    o.text_path = dir.file("harvard.txt");
    o.out_dir = dir.file("harvard-train");
    o.voices = "train";
    o.jobs = 2;
    o.progress = false;
    CHECK(make_harvard_evalset(o) == 0);
    const std::vector<Utterance> set = read_jsonl_manifest(dir.file("harvard-train/manifest.jsonl"));
    REQUIRE(set.size() == 3);
    for (const Utterance& u : set) CHECK(read_by_training_voice(u));

    o.voices = "everyone";
    CHECK(error_of([&] { make_harvard_evalset(o); }).find("unknown voices 'everyone' for the Harvard set: expected reserved or train") != std::string::npos);
}
