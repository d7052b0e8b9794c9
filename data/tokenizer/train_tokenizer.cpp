#include "train_tokenizer.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base64.hpp"
#include "rwkvt/data/external_program.hpp"
#include "sentencepiece_model.hpp"

namespace rwkvt {

namespace {

// SentencePiece runs as Debian's `spm_train` program rather than through libsentencepiece: that
// library carries its own copy of protobuf-lite whose symbols clash with LibTorch's libprotobuf
// and crash any process that loads both before main().
const char kTrainerProgram[] = "spm_train";

// A private directory for spm_train's input and output, removed when training ends either way.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "rwkvt-tokenizer-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a directory for tokenizer training");
        path_ = pattern;
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read spm_train's output");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

// The .vocab file: "piece<TAB>score" a line, in id order.
std::vector<std::pair<std::string, float>> read_vocab(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read spm_train's vocabulary");
    std::vector<std::pair<std::string, float>> entries;
    std::string line;
    while (std::getline(in, line)) {
        const size_t tab = line.rfind('\t');
        if (tab == std::string::npos) throw std::runtime_error(path + ": a line without a score: " + line);
        entries.emplace_back(line.substr(0, tab), std::stof(line.substr(tab + 1)));
    }
    return entries;
}

}  // namespace

Tokenizer train_tokenizer(const std::vector<std::string>& sentences, const TokenizerTrainingOptions& options) {
    if (options.kind == "char") return Tokenizer::characters(options.vocab_size, 0);
    if (options.kind != "bpe" && options.kind != "unigram")
        throw std::runtime_error("tokenizer kind '" + options.kind + "' is not bpe, unigram or char");
    if (sentences.empty()) throw std::runtime_error("no training text for the tokenizer");
    if (options.vocab_size < 3) throw std::runtime_error("vocab_size must be at least 3");
    if (data::find_program(kTrainerProgram).empty())
        throw std::runtime_error(std::string(kTrainerProgram) +
                                 " is not installed (Debian package sentencepiece; tools/setup.sh installs it)");

    const ScratchDirectory scratch;
    const std::string input = scratch.file("sentences.txt"), prefix = scratch.file("tokenizer");
    // spm_train reads --input as a comma-separated list of files.
    if (input.find(',') != std::string::npos) throw std::runtime_error("the temporary directory's path has a comma: " + input);
    {
        std::ofstream out(input, std::ios::binary);
        for (const std::string& s : sentences)
            if (!s.empty()) out << s << '\n';
        if (!out.flush()) throw std::runtime_error(input + ": cannot write the training text");
    }

    const std::vector<std::string> argv = {
        kTrainerProgram,
        "--input=" + input,
        "--model_prefix=" + prefix,
        "--model_type=" + options.kind,
        "--vocab_size=" + std::to_string(options.vocab_size),
        // The blank must be id 0 and never come out of encoding: SentencePiece's pad is a control
        // symbol with a configurable id and piece, which is exactly that. <unk> must exist; bos and
        // eos have no use in a transducer.
        "--pad_id=0",
        "--pad_piece=<blank>",
        "--unk_id=1",
        "--unk_piece=<unk>",
        "--bos_id=-1",
        "--eos_id=-1",
        // The text is normalised already: keep it byte for byte, and cover every character in it.
        // (add_dummy_prefix and remove_extra_whitespaces keep their defaults, which
        // Tokenizer::encode reproduces.)
        "--normalization_rule_name=identity",
        "--character_coverage=1.0",
        "--byte_fallback=false",
        "--num_threads=" + std::to_string(options.threads),
        "--input_sentence_size=" + std::to_string(options.max_sentences),
        "--shuffle_input_sentence=true",
        "--minloglevel=2",  // quiet: only errors
    };
    const auto result = data::run_program(argv, "", scratch.file("stderr.txt"));
    if (result.exit_code != 0)
        throw std::runtime_error("SentencePiece training (spm_train) failed with status " + std::to_string(result.exit_code) +
                                 ": " + result.stderr_tail);

    const std::string model_bytes = read_whole_file(prefix + ".model");
    const auto model_pieces = read_sentencepiece_pieces(model_bytes);
    const auto vocab = read_vocab(prefix + ".vocab");
    if (static_cast<int>(vocab.size()) != options.vocab_size || model_pieces.size() != vocab.size())
        throw std::runtime_error("SentencePiece made " + std::to_string(vocab.size()) + " pieces (model: " +
                                 std::to_string(model_pieces.size()) + "), not " + std::to_string(options.vocab_size));
    if (vocab[0].first != "<blank>" || model_pieces[0].type != SentencePieceModelPiece::kControl)
        throw std::runtime_error("SentencePiece did not put the blank at id 0");

    std::vector<std::string> pieces;
    std::vector<float> scores;
    for (size_t id = 0; id < vocab.size(); ++id) {
        const auto& [piece, vocab_score] = vocab[id];
        const auto& exact = model_pieces[id];
        // The .vocab prints scores to 6 significant digits, too coarse to break near-ties between
        // segmentations the way spm_encode does; the model's float scores are exact, and the
        // .vocab only confirms that both files describe the same pieces.
        if (exact.piece != piece || std::fabs(exact.score - vocab_score) > 1e-4f * std::max(1.0f, std::fabs(exact.score)))
            throw std::runtime_error("spm_train's .model and .vocab differ at id " + std::to_string(id));
        pieces.push_back(piece);
        scores.push_back(exact.score);
    }
    return Tokenizer::sentencepiece(options.kind, std::move(pieces), std::move(scores), 0, base64_encode(model_bytes));
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
