// rwkvt data ngram: a token n-gram language model for shallow fusion in beam search
// (model/token_ngram_training.hpp), estimated on normalised training text tokenized by the
// transducer's own tokenizer.
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "commands.hpp"
#include "token_ngram_training.hpp"
#include "tokenizer.hpp"

namespace rwkvt::cli {

void add_data_ngram(CLI::App& data) {
    struct Options {
        std::string text, tokenizer, out;
        NgramEstimationOptions estimation;
    };
    auto opt = std::make_shared<Options>();
    opt->estimation.min_counts = {1, 1, 2, 2};
    CLI::App* cmd = data.add_subcommand(
        "ngram", "Estimate a token n-gram language model (interpolated Kneser-Ney) for `--decoder beam --lm`");
    cmd->add_option("--text", opt->text, "Normalised training text, one sentence a line")->required();
    cmd->add_option("--tokenizer", opt->tokenizer, "The transducer's tokenizer (JSON, as training configs name it)")->required();
    cmd->add_option("--order", opt->estimation.order, "n-gram order")->capture_default_str()->check(CLI::Range(1, 4));
    cmd->add_option("--min-counts", opt->estimation.min_counts,
                    "Per order, the count an n-gram needs to be kept (pruning; the unigrams are always kept)")
        ->capture_default_str()->expected(1, 4);
    cmd->add_option("--out", opt->out, "Model file to write (atomically)")->required();
    cmd->callback([opt]() {
        refuse_overwriting_input(opt->out, "--out", {opt->text, opt->tokenizer});
        const Tokenizer tokenizer = Tokenizer::from_json_file(opt->tokenizer);
        std::ifstream text(opt->text);
        if (!text) throw std::runtime_error(opt->text + ": cannot open the text");
        std::vector<std::vector<int>> sentences;
        size_t tokens = 0;
        for (std::string line; std::getline(text, line);) {
            if (line.empty()) continue;
            try {
                sentences.push_back(tokenizer.encode(line));
            } catch (const std::exception& e) {
                throw std::runtime_error(opt->text + ":" + std::to_string(sentences.size() + 1) + ": " + e.what());
            }
            tokens += sentences.back().size();
        }
        if (sentences.empty()) throw std::runtime_error(opt->text + ": no sentences");
        try {
            const TokenNgramLm lm = estimate_kneser_ney(sentences, tokenizer.vocab_size(), tokenizer.blank_id(),
                                                        TokenNgramLm::fingerprint(tokenizer), opt->estimation);
            lm.write(opt->out);
            std::printf("wrote %s: order %d on %zu sentences (%zu tokens);", opt->out.c_str(), lm.order(), sentences.size(), tokens);
            for (int n = 1; n <= lm.order(); ++n) std::printf(" %zu %d-grams%s", lm.ngram_count(n), n, n < lm.order() ? "," : "\n");
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(std::string("data ngram: ") + e.what());
        }
    });
}

}  // namespace rwkvt::cli
