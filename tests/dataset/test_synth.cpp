// Synthesis: voice names and licences, the deterministic plan, and a small real render with
// espeak-ng and flite (installed by tools/setup.sh) including resume after lost files.
#include <filesystem>
#include <functional>
#include <fstream>

#include <doctest/doctest.h>

#include "../../data/synth/plan.hpp"
#include "model/scratch.hpp"
#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/data/synth.hpp"

using namespace rwkvt::data;
using namespace rwkvt::data::synth;
using rwkvt::test::error_of;
using rwkvt::test::ScratchDir;

TEST_CASE("voice names: engines, presets, and non-commercial voices rejected") {
    const Voice v = parse_voice("espeak:en-gb+f3");
    CHECK(v.engine == Engine::espeak);
    CHECK(v.id == "en-gb+f3");
    CHECK(parse_voice("festival:cmu_us_slt_arctic_hts").engine == Engine::festival);
    CHECK(error_of([] { parse_voice("rhvoice:evgeniy-eng"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("rhvoice:lyubov"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("mbrola:us1"); }).find("non-commercial") != std::string::npos);
    CHECK(error_of([] { parse_voice("espeak:mb-us1"); }).find("non-commercial") != std::string::npos);
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
    const auto a = plan_synthesis(sentences, voices, 0.01, 7, "/out", "flac");
    const auto b = plan_synthesis(sentences, voices, 0.02, 7, "/out", "flac");
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
    const auto c = plan_synthesis(sentences, voices, 0.0, 7, "/out", "flac");
    CHECK(c.size() == sentences.size());  // hours 0: every line once
    const auto d = plan_synthesis(sentences, voices, 0.0, 8, "/out", "flac");
    bool differs = false;
    for (size_t i = 0; i < c.size(); ++i) differs |= c[i].voice != d[i].voice || c[i].tempo != d[i].tempo;
    CHECK(differs);
}

TEST_CASE("real render with espeak-ng and flite: 16 kHz files, manifest, resume") {
    for (const char* v : {"espeak:en-us", "flite:slt"})
        if (!missing_requirement(parse_voice(v)).empty()) {
            MESSAGE("skipped: " << missing_requirement(parse_voice(v)));
            return;
        }
    ScratchDir dir;
    std::ofstream(dir.file("text.txt")) << "the birch canoe slid on the smooth planks\nglue the sheet to the dark blue background\n"
                                           "it's easy to tell the depth of a well\n";
    SynthOptions o;
    o.text_path = dir.file("text.txt");
    o.voices = "espeak:en-us,flite:slt";
    o.out_dir = dir.file("out");
    o.jobs = 2;
    o.progress = false;
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
