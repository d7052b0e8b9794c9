#include "token_ngram_lm.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "model_file.hpp"
#include "stable_hash.hpp"
#include "tokenizer.hpp"

namespace rwkvt {

namespace {

constexpr char kMagic[8] = {'R', 'W', 'K', 'V', 'T', 'N', 'G', '1'};
constexpr int kMaxOrder = 4;        // four 16-bit ids fill a 64-bit key
constexpr int kMaxVocab = 65535;    // ids 0..vocab_size fit 16 bits

// Appends plain values to a byte buffer (the file is written in one piece).
template <typename T>
void put(std::vector<unsigned char>& out, T value) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.insert(out.end(), bytes, bytes + sizeof(T));
}

// Reads plain values from a byte buffer, failing with the file's name when it ends early.
class Reader {
public:
    Reader(const std::string& path, const unsigned char* bytes, size_t size) : path_(path), bytes_(bytes), size_(size) {}
    template <typename T>
    T get() {
        if (size_ - pos_ < sizeof(T)) throw std::runtime_error(path_ + ": truncated n-gram model file");
        T value;
        std::memcpy(&value, bytes_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return value;
    }
    void skip(size_t n) { pos_ += std::min(n, size_ - pos_); }
    size_t remaining() const { return size_ - pos_; }

private:
    const std::string& path_;
    const unsigned char* bytes_;
    size_t size_, pos_ = 0;
};

}  // namespace

TokenNgramLm::TokenNgramLm(int vocab_size, int start_id, uint64_t tokenizer_fingerprint, std::vector<std::vector<Entry>> tables)
    : vocab_size_(vocab_size), start_id_(start_id), tokenizer_fingerprint_(tokenizer_fingerprint), tables_(std::move(tables)) {
    if (vocab_size_ < 2 || vocab_size_ > kMaxVocab) throw std::invalid_argument("n-gram model: vocabulary size out of range");
    if (start_id_ < 0 || start_id_ >= vocab_size_) throw std::invalid_argument("n-gram model: start id outside the vocabulary");
    if (tables_.empty() || static_cast<int>(tables_.size()) > kMaxOrder)
        throw std::invalid_argument("n-gram model: order must be 1 to " + std::to_string(kMaxOrder));
    for (size_t t = 0; t < tables_.size(); ++t) {
        const int n = static_cast<int>(t) + 1;
        const std::vector<Entry>& table = tables_[t];
        for (size_t i = 0; i < table.size(); ++i) {
            const Entry& e = table[i];
            if (i > 0 && table[i - 1].key >= e.key) throw std::invalid_argument("n-gram model: keys of order " + std::to_string(n) + " are not sorted");
            if (n < kMaxOrder && (e.key >> (16 * n)) != 0) throw std::invalid_argument("n-gram model: a key has more ids than its order");
            for (int j = 0; j < n; ++j)
                if (static_cast<int>((e.key >> (16 * j)) & 0xFFFF) > vocab_size_) throw std::invalid_argument("n-gram model: an id is outside the vocabulary");
            if (!std::isfinite(e.log_prob) || e.log_prob > 0.0f || !std::isfinite(e.backoff) || e.backoff > 1e-4f)
                throw std::invalid_argument("n-gram model: a log probability or backoff weight is not a finite value <= 0");
        }
    }
    // Every id must have a unigram: the query ends there.
    if (tables_[0].size() != static_cast<size_t>(vocab_size_ + 1)) throw std::invalid_argument("n-gram model: not every id has a unigram");
}

uint64_t TokenNgramLm::pack(const int* ids, int n) {
    uint64_t key = 0;
    for (int i = 0; i < n; ++i) key = (key << 16) | static_cast<uint64_t>(ids[i]);
    return key;
}

uint64_t TokenNgramLm::fingerprint(const Tokenizer& tokenizer) {
    uint64_t h = fnv1a(tokenizer.kind(), kRwkvtHashStart);
    for (const std::string& piece : tokenizer.pieces()) {
        h = fnv1a(piece, h);
        const unsigned char separator = 0;
        h = fnv1a(&separator, 1, h);
    }
    return h;
}

const TokenNgramLm::Entry* TokenNgramLm::find(int n, uint64_t key) const {
    const std::vector<Entry>& table = tables_[static_cast<size_t>(n - 1)];
    auto it = std::lower_bound(table.begin(), table.end(), key, [](const Entry& e, uint64_t k) { return e.key < k; });
    return it != table.end() && it->key == key ? &*it : nullptr;
}

double TokenNgramLm::log_prob(const int* history, size_t history_size, int token) const {
    // The context: the sentence start, then the history; its last order - 1 symbols.
    const int N = order();
    int ids[kMaxOrder];
    const size_t from_history = std::min(history_size, static_cast<size_t>(N - 1));
    int context = 0;
    if (from_history < static_cast<size_t>(N - 1)) ids[context++] = start_id_;
    for (size_t i = history_size - from_history; i < history_size; ++i) ids[context++] = history[i];
    ids[context] = token;
    // The longest kept n-gram ending in the token, plus the backoffs of the longer contexts passed.
    double backoff = 0.0;
    for (int n = context + 1; n >= 1; --n) {
        const int* gram = ids + (context + 1 - n);
        if (const Entry* e = find(n, pack(gram, n))) return backoff + e->log_prob;
        if (n > 1)
            if (const Entry* c = find(n - 1, pack(gram, n - 1))) backoff += c->backoff;
    }
    return backoff;  // not reached: every id has a unigram (checked on construction)
}

void TokenNgramLm::write(const std::string& path) const {
    std::vector<unsigned char> out;
    out.insert(out.end(), kMagic, kMagic + sizeof(kMagic));
    put<uint32_t>(out, static_cast<uint32_t>(order()));
    put<uint32_t>(out, static_cast<uint32_t>(vocab_size_));
    put<uint32_t>(out, static_cast<uint32_t>(start_id_));
    put<uint32_t>(out, 0);
    put<uint64_t>(out, tokenizer_fingerprint_);
    for (const std::vector<Entry>& table : tables_) {
        put<uint64_t>(out, table.size());
        for (const Entry& e : table) {
            put<uint64_t>(out, e.key);
            put<float>(out, e.log_prob);
            put<float>(out, e.backoff);
        }
    }
    put<uint64_t>(out, fnv1a(out.data(), out.size(), kRwkvtHashStart));
    write_file_atomically(path, {{out.data(), out.size()}});
}

TokenNgramLm TokenNgramLm::read(const std::string& path) {
    // A directory, a FIFO or a device (/dev/zero) is refused before reading: reading one would fail
    // obscurely, wait for a writer, or never end.
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw std::runtime_error(path + ": cannot open the n-gram model file" + (ec ? ": " + ec.message() : std::string()));
    if (!std::filesystem::is_regular_file(status)) throw std::runtime_error(path + ": not a regular file (an n-gram model file is expected)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open the n-gram model file");
    char magic[sizeof(kMagic)] = {};
    if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0)
        throw std::runtime_error(path + ": not an rwkvt n-gram model file");
    in.seekg(0);
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < sizeof(kMagic) + 24 + 8) throw std::runtime_error(path + ": truncated n-gram model file");
    uint64_t stored_sum;
    std::memcpy(&stored_sum, bytes.data() + bytes.size() - 8, 8);
    const size_t body_size = bytes.size() - 8;  // everything before the checksum
    if (fnv1a(bytes.data(), body_size, kRwkvtHashStart) != stored_sum) throw std::runtime_error(path + ": n-gram model file is corrupt or truncated (checksum mismatch)");
    Reader r(path, bytes.data(), body_size);
    r.skip(sizeof(kMagic));
    const uint32_t order = r.get<uint32_t>(), vocab = r.get<uint32_t>(), start = r.get<uint32_t>();
    r.get<uint32_t>();
    const uint64_t fingerprint = r.get<uint64_t>();
    if (order < 1 || order > kMaxOrder) throw std::runtime_error(path + ": n-gram order " + std::to_string(order) + " is not 1-4");
    std::vector<std::vector<Entry>> tables(order);
    for (std::vector<Entry>& table : tables) {
        const uint64_t count = r.get<uint64_t>();
        if (count > r.remaining() / 16) throw std::runtime_error(path + ": truncated n-gram model file");
        table.resize(count);
        for (Entry& e : table) {
            e.key = r.get<uint64_t>();
            e.log_prob = r.get<float>();
            e.backoff = r.get<float>();
        }
    }
    if (r.remaining() != 0) throw std::runtime_error(path + ": n-gram model file has trailing bytes");
    try {
        return TokenNgramLm(static_cast<int>(vocab), static_cast<int>(start), fingerprint, std::move(tables));
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

}  // namespace rwkvt
