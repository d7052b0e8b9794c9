// Manifests: JSONL round trips and line-numbered errors, TSV tables, LibriSpeech folders, duration checks.
#include <sndfile.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <vector>

#include <doctest/doctest.h>

#include "model/scratch.hpp"
#include "rwkvt/data/duration_check.hpp"
#include "rwkvt/data/librispeech.hpp"
#include "rwkvt/data/manifest.hpp"

using namespace rwkvt::data;
using rwkvt::test::error_of;
using rwkvt::test::ScratchDir;

namespace {

void write_text(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
}

void write_flac(const std::string& path, size_t frames, int rate = 16000) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE(f);
    std::vector<float> samples(frames, 0.1f);
    sf_write_float(f, samples.data(), static_cast<sf_count_t>(frames));
    sf_close(f);
}


}  // namespace

TEST_CASE("JSONL manifests round-trip and resolve relative paths against their folder") {
    ScratchDir dir;
    const std::vector<Utterance> utterances = {{"/abs/a.flac", 1.5, "hello world", "flite:slt", ""},
                                               {"audio/b.flac", 2.25, "it's fine", "rhvoice:alan", "ok"}};
    write_jsonl_manifest(dir.file("m.jsonl"), utterances);
    const std::vector<Utterance> back = read_manifest(dir.file("m.jsonl"));
    REQUIRE(back.size() == 2);
    CHECK(back[0].audio_filepath == "/abs/a.flac");
    CHECK(back[0].duration == 1.5);
    CHECK(back[0].text == "hello world");
    CHECK(back[0].speaker == "flite:slt");
    CHECK(back[1].audio_filepath == dir.file("audio/b.flac"));
    CHECK(back[1].flag == "ok");
    CHECK(to_jsonl_line(utterances[0]) == R"({"audio_filepath":"/abs/a.flac","duration":1.5,"text":"hello world","speaker":"flite:slt"})");
}

TEST_CASE("malformed JSONL lines are errors naming the line and the reason") {
    ScratchDir dir;
    const std::string good = R"({"audio_filepath":"/a.flac","duration":1,"text":"a","speaker":"s"})";
    auto error_for = [&](const std::string& bad) {
        write_text(dir.file("m.jsonl"), good + "\n\n" + bad + "\n");
        return error_of([&] { read_jsonl_manifest(dir.file("m.jsonl")); });
    };
    CHECK(error_for("{not json").find("m.jsonl:3: not valid JSON") != std::string::npos);
    CHECK(error_for(R"({"duration":1,"text":"a"})").find(":3: missing \"audio_filepath\"") != std::string::npos);
    CHECK(error_for(R"({"audio_filepath":"/a","text":"a"})").find(":3: missing \"duration\"") != std::string::npos);
    CHECK(error_for(R"({"audio_filepath":"/a","duration":"long","text":"a"})").find("\"duration\" is not a number") != std::string::npos);
    CHECK(error_for(R"({"audio_filepath":"/a","duration":-1,"text":"a"})").find("not a sane number") != std::string::npos);
    CHECK(error_for("[1,2]").find(":3: expected a JSON object") != std::string::npos);
    CHECK(error_of([&] { read_jsonl_manifest(dir.file("absent.jsonl")); }).find("cannot open manifest") != std::string::npos);
}

TEST_CASE("TSV manifests like the Asterisk set's: columns by header name, flags kept") {
    ScratchDir dir;
    write_text(dir.file("m.tsv"), "path\tduration_s\ttranscript\tflag\n/x/a.wav\t1.064\tactivated\tok\nb.wav\t0.5\tp m\tcheck\n");
    const std::vector<Utterance> u = read_manifest(dir.file("m.tsv"));
    REQUIRE(u.size() == 2);
    CHECK(u[0].audio_filepath == "/x/a.wav");
    CHECK(u[0].duration == doctest::Approx(1.064));
    CHECK(u[0].text == "activated");
    CHECK(u[0].flag == "ok");
    CHECK(u[1].audio_filepath == dir.file("b.wav"));
    CHECK(u[1].flag == "check");

    write_text(dir.file("bad.tsv"), "path\ttranscript\n/a.wav\thello\textra\n");
    CHECK(error_of([&] { read_tsv_manifest(dir.file("bad.tsv")); }).find("bad.tsv:2: 3 fields, the header has 2") != std::string::npos);
    write_text(dir.file("nohead.tsv"), "a.wav\thello\n");
    CHECK(error_of([&] { read_tsv_manifest(dir.file("nohead.tsv")); }).find(":1: header needs a path column") != std::string::npos);
    write_text(dir.file("dur.tsv"), "path\tduration_s\ttranscript\n/a.wav\tabc\thello\n");
    CHECK(error_of([&] { read_tsv_manifest(dir.file("dur.tsv")); }).find("dur.tsv:2: duration \"abc\"") != std::string::npos);
}

TEST_CASE("LibriSpeech folders give the same records, with durations from the FLAC headers") {
    ScratchDir dir;
    write_flac(dir.file("ls/19/198/19-198-0000.flac"), 16000);
    write_flac(dir.file("ls/19/198/19-198-0001.flac"), 24000);
    write_text(dir.file("ls/19/198/19-198.trans.txt"), "19-198-0000 NORTHANGER ABBEY\n19-198-0001 THIS LITTLE WORK'S END\n");
    const std::vector<Utterance> u = read_librispeech(dir.file("ls"));
    REQUIRE(u.size() == 2);
    CHECK(u[0].text == "northanger abbey");
    CHECK(u[0].speaker == "19");
    CHECK(u[0].duration == doctest::Approx(1.0));
    CHECK(u[1].text == "this little work's end");
    CHECK(u[1].duration == doctest::Approx(1.5));

    write_text(dir.file("ls/19/198/19-198.trans.txt"), "19-198-0000 NORTHANGER ABBEY\n19-198-0002 MISSING AUDIO\n");
    CHECK(error_of([&] { read_librispeech(dir.file("ls")); }).find("19-198.trans.txt:2: audio") != std::string::npos);
    write_text(dir.file("ls/19/198/19-198.trans.txt"), "garbage\n");
    CHECK(error_of([&] { read_librispeech(dir.file("ls")); }).find(":1: expected") != std::string::npos);
    CHECK(error_of([&] { read_librispeech(dir.file("nowhere")); }).find("does not exist") != std::string::npos);
}

TEST_CASE("duration checks report mismatches and missing files, one line each") {
    ScratchDir dir;
    write_flac(dir.file("a.flac"), 32000);
    CHECK(audio_file_duration(dir.file("a.flac")) == doctest::Approx(2.0));
    const std::vector<Utterance> ok = {{dir.file("a.flac"), 2.01, "x", "", ""}};
    CHECK(check_durations(ok).empty());
    const std::vector<Utterance> bad = {{dir.file("a.flac"), 3.0, "x", "", ""}, {dir.file("none.flac"), 1.0, "x", "", ""}};
    const std::vector<std::string> problems = check_durations(bad);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].find("manifest says 3.000 s, audio is 2.000 s") != std::string::npos);
    CHECK(problems[1].find("cannot open audio") != std::string::npos);
}
