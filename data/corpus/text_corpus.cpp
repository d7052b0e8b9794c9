#include "text_corpus.hpp"

#include <filesystem>
#include <memory>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "model_file.hpp"
#include "normalize.hpp"
#include "sentence_split.hpp"

namespace rwkvt {

namespace {

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    write_file_atomically(path, {{text.data(), text.size()}});
}

nlohmann::json to_json(const SourceStats& s) {
    return {{"raw", s.raw},           {"unreadable", s.unreadable}, {"too_short", s.too_short},
            {"too_long", s.too_long}, {"reserved", s.reserved},     {"no_pronunciation", s.no_pronunciation},
            {"duplicate", s.duplicate}, {"train", s.train},         {"valid", s.valid},
            {"train_words", s.train_words}, {"valid_words", s.valid_words}};
}

}  // namespace

std::string build_text_corpus(const TextCorpusOptions& options, const std::string& out_dir) {
    const std::vector<std::string> sources = options.sources.empty() ? training_source_names() : options.sources;
    // Read everything before writing anything, so a missing package fails before any output.
    const auto harvard = read_harvard_sentences(options.where);
    const auto sense = read_sense_and_sensibility(options.where);
    std::vector<std::pair<std::string, std::vector<std::string>>> texts;
    for (const auto& name : sources) texts.emplace_back(name, read_training_source(name, options.where));

    std::unique_ptr<PronunciationDictionary> dictionary;
    if (!options.dictionary_path.empty())
        dictionary = std::make_unique<PronunciationDictionary>(PronunciationDictionary::load(options.dictionary_path));
    CorpusBuilder builder(options.limits, dictionary.get());
    for (const auto& s : harvard) builder.reserve(s);
    // The novel is reserved sentence by sentence and clause by clause.
    for (const auto& s : sense) {
        builder.reserve(s);
        for (const auto& clause : split_clauses(s)) builder.reserve(clause);
    }
    for (const auto& [name, sentences] : texts)
        for (const auto& s : sentences) builder.add(name, s);

    std::vector<std::string> harvard_normalised, sense_usable;
    for (const auto& s : harvard) harvard_normalised.push_back(normalize_text(s));
    std::unordered_set<std::string> sense_seen;
    for (const auto& s : sense)
        if (const std::string text = builder.usable(s); !text.empty() && sense_seen.insert(text).second)
            sense_usable.push_back(text);

    nlohmann::json stats;
    SourceStats total;
    for (const auto& [name, s] : builder.stats()) {
        stats["sources"][name] = to_json(s);
        total.raw += s.raw, total.unreadable += s.unreadable, total.too_short += s.too_short;
        total.too_long += s.too_long, total.reserved += s.reserved, total.no_pronunciation += s.no_pronunciation;
        total.duplicate += s.duplicate, total.train += s.train, total.valid += s.valid;
        total.train_words += s.train_words, total.valid_words += s.valid_words;
    }
    stats["total"] = to_json(total);
    stats["reserved"] = {{"harvard", harvard_normalised.size()}, {"sense_and_sensibility", sense_usable.size()}};
    stats["options"] = {{"min_words", options.limits.min_words},
                        {"max_words", options.limits.max_words},
                        {"valid_fraction", options.limits.valid_fraction},
                        {"dictionary", options.dictionary_path},
                        {"sources", sources}};

    std::filesystem::create_directories(out_dir);
    write_lines(out_dir + "/train.txt", builder.train());
    write_lines(out_dir + "/valid.txt", builder.valid());
    write_lines(out_dir + "/reserved-harvard.txt", harvard_normalised);
    write_lines(out_dir + "/reserved-sense-and-sensibility.txt", sense_usable);
    const std::string stats_text = stats.dump(2) + "\n";
    write_file_atomically(out_dir + "/stats.json", {{stats_text.data(), stats_text.size()}});
    return stats_text;
}

}  // namespace rwkvt
