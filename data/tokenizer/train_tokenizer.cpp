#include "train_tokenizer.hpp"

#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "base64.hpp"

namespace rwkvt {

namespace {

// Feeds SentencePiece from memory, so no temporary input file is needed.
class VectorSentences : public sentencepiece::SentenceIterator {
public:
    explicit VectorSentences(const std::vector<std::string>& sentences) : sentences_(sentences) { skip_empty(); }
    bool done() const override { return next_ >= sentences_.size(); }
    void Next() override {
        ++next_;
        skip_empty();
    }
    const std::string& value() const override { return sentences_[next_]; }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

private:
    void skip_empty() {
        while (next_ < sentences_.size() && sentences_[next_].empty()) ++next_;
    }
    const std::vector<std::string>& sentences_;
    size_t next_ = 0;
};

}  // namespace

Tokenizer train_tokenizer(const std::vector<std::string>& sentences, const TokenizerTrainingOptions& options) {
    if (options.kind == "char") return Tokenizer::characters(options.vocab_size, 0);
    if (options.kind != "bpe" && options.kind != "unigram")
        throw std::runtime_error("tokenizer kind '" + options.kind + "' is not bpe, unigram or char");
    if (sentences.empty()) throw std::runtime_error("no training text for the tokenizer");
    if (options.vocab_size < 3) throw std::runtime_error("vocab_size must be at least 3");

    const std::unordered_map<std::string, std::string> args = {
        {"model_type", options.kind},
        {"vocab_size", std::to_string(options.vocab_size)},
        // The blank must be id 0 and never come out of encoding: SentencePiece's pad is a control
        // symbol with a configurable id and piece, which is exactly that. <unk> must exist; bos and
        // eos have no use in a transducer.
        {"pad_id", "0"},
        {"pad_piece", "<blank>"},
        {"unk_id", "1"},
        {"unk_piece", "<unk>"},
        {"bos_id", "-1"},
        {"eos_id", "-1"},
        // The text is normalised already: keep it byte for byte, and cover every character in it.
        {"normalization_rule_name", "identity"},
        {"character_coverage", "1.0"},
        {"byte_fallback", "false"},
        {"num_threads", std::to_string(options.threads)},
        {"input_sentence_size", std::to_string(options.max_sentences)},
        {"shuffle_input_sentence", "true"},
        {"minloglevel", "2"},  // quiet: only errors
    };
    VectorSentences iterator(sentences);
    std::string serialized;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator, &serialized);
    if (!status.ok()) throw std::runtime_error("SentencePiece training failed: " + status.ToString());

    sentencepiece::SentencePieceProcessor processor;
    if (const auto loaded = processor.LoadFromSerializedProto(serialized); !loaded.ok())
        throw std::runtime_error("SentencePiece produced an unreadable model: " + loaded.ToString());
    if (processor.GetPieceSize() != options.vocab_size)
        throw std::runtime_error("SentencePiece made " + std::to_string(processor.GetPieceSize()) + " pieces, not " +
                                 std::to_string(options.vocab_size));
    if (processor.IdToPiece(0) != "<blank>" || !processor.IsControl(0))
        throw std::runtime_error("SentencePiece did not put the blank at id 0");
    std::vector<std::string> pieces;
    for (int id = 0; id < processor.GetPieceSize(); ++id) pieces.push_back(processor.IdToPiece(id));
    return Tokenizer::sentencepiece(options.kind, std::move(pieces), 0, base64_encode(serialized));
}

Tokenizer train_tokenizer_from_file(const std::string& path, const TokenizerTrainingOptions& options) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the training text");
    std::vector<std::string> sentences;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) sentences.push_back(line);
    if (sentences.empty() && options.kind != "char") throw std::runtime_error(path + ": no sentences in the training text");
    return train_tokenizer(sentences, options);
}

}  // namespace rwkvt
