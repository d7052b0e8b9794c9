#include "model_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <stdexcept>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace rwkvt {

namespace {

// Drops the mapped pages of bytes [begin, end) once they are copied, so that loading never holds
// the file's pages and the copies at once (peak memory ~ one copy of the weights, not two).
// Only whole pages inside the range are dropped; the mapping is private and read-only, so a later
// read would simply fault the page back in from the file.
void release_pages(const unsigned char* base, uint64_t begin, uint64_t end) {
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t first = (begin + page - 1) / page * page, last = end / page * page;
    if (last > first) ::madvise(const_cast<unsigned char*>(base) + first, last - first, MADV_DONTNEED);
}


constexpr const char* kFormat = "rwkvt-model";
constexpr const char* kFormatVersion = "1";
// The safetensors reference implementation refuses headers above 100 MB; so do we. A header this
// large would mean millions of tensors or a corrupt length field.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

// The format is little-endian and the data is memcpy'd straight into floats.
bool host_is_little_endian() {
    const uint32_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

std::string errno_text(int err) { return std::strerror(err); }

// Error messages must stay on one line even when they quote library text.
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    return s;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(one_line("model file '" + path + "': " + problem));
}

std::string directory_of(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Closes a descriptor on every exit path.
struct FileDescriptor {
    int fd = -1;
    explicit FileDescriptor(int f) : fd(f) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
    // Closes now and reports the error; close() can report a delayed write error (NFS, quota).
    int close_checked() {
        const int r = ::close(fd);
        fd = -1;
        return r;
    }
};

// Unmaps on every exit path.
struct Mapping {
    void* base = MAP_FAILED;
    size_t size = 0;
    ~Mapping() {
        if (base != MAP_FAILED) ::munmap(base, size);
    }
};

// ---- Header parsing helpers -------------------------------------------------------------------

size_t dtype_size(const std::string& dtype) {
    if (dtype == "F32") return 4;
    if (dtype == "BF16") return 2;
    return 0;
}

struct TensorEntry {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    uint64_t begin = 0, end = 0;
};

uint64_t json_unsigned(const std::string& path, const nlohmann::json& value, const std::string& what) {
    // nlohmann's parser stores every non-negative integer as unsigned.
    if (!value.is_number_unsigned())
        fail(path, what + " must be a non-negative integer");
    return value.get<uint64_t>();
}

TensorEntry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& j,
                        uint64_t data_bytes) {
    TensorEntry e;
    e.name = name;
    const std::string where = "tensor " + name;
    if (!j.is_object()) fail(path, where + ": header entry is not a JSON object");
    if (!j.contains("dtype") || !j["dtype"].is_string()) fail(path, where + ": dtype missing or not a string");
    if (!j.contains("shape") || !j["shape"].is_array()) fail(path, where + ": shape missing or not an array");
    if (!j.contains("data_offsets") || !j["data_offsets"].is_array() || j["data_offsets"].size() != 2)
        fail(path, where + ": data_offsets missing or not a pair");
    e.dtype = j["dtype"].get<std::string>();
    const size_t element_bytes = dtype_size(e.dtype);
    if (element_bytes == 0) fail(path, where + ": unsupported dtype " + e.dtype + " (only F32 and BF16 are read)");
    if (j["shape"].size() > 8) fail(path, where + ": shape has more than 8 dimensions");
    for (const auto& d : j["shape"]) {
        const uint64_t dim = json_unsigned(path, d, where + ": shape dimension");
        // Overflow-safe product: any real tensor fits in the file, so bound it by the file size.
        if (dim != 0 && e.numel > std::numeric_limits<uint64_t>::max() / dim / element_bytes)
            fail(path, where + ": shape is absurdly large");
        e.numel *= dim;
        e.shape.push_back(static_cast<int64_t>(dim));
    }
    e.begin = json_unsigned(path, j["data_offsets"][0], where + ": data offset");
    e.end = json_unsigned(path, j["data_offsets"][1], where + ": data offset");
    if (e.begin > e.end) fail(path, where + ": data_offsets end before they begin");
    if (e.end > data_bytes)
        fail(path, where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                       ") run past the end of the data (" + std::to_string(data_bytes) + " bytes)");
    if (e.end - e.begin != e.numel * element_bytes)
        fail(path, where + ": holds " + std::to_string(e.end - e.begin) + " bytes but its shape and dtype need " +
                       std::to_string(e.numel * element_bytes));
    return e;
}

// Safetensors requires the data buffer to be covered exactly: no overlaps, no holes, nothing after.
void check_coverage(const std::string& path, std::vector<const TensorEntry*> entries, uint64_t data_bytes) {
    std::sort(entries.begin(), entries.end(), [](const TensorEntry* a, const TensorEntry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    const TensorEntry* previous = nullptr;
    for (const TensorEntry* e : entries) {
        if (e->begin < covered)
            fail(path, "tensors " + previous->name + " and " + e->name + " overlap in the data");
        if (e->begin > covered)
            fail(path, "data bytes [" + std::to_string(covered) + ", " + std::to_string(e->begin) +
                           ") belong to no tensor");
        covered = e->end;
        previous = e;
    }
    if (covered != data_bytes)
        fail(path, std::to_string(data_bytes - covered) + " trailing bytes after the last tensor's data");
}

std::string metadata_string(const std::string& path, const nlohmann::json& metadata, const char* key) {
    if (!metadata.contains(key)) fail(path, std::string("metadata lacks '") + key + "'");
    if (!metadata[key].is_string()) fail(path, std::string("metadata '") + key + "' is not a string");
    return metadata[key].get<std::string>();
}

// Round to nearest even on the upper 16 bits; NaN never reaches here (save_model rejects it).
uint16_t f32_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

float bf16_to_f32(uint16_t bits) {
    const uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float f;
    std::memcpy(&f, &wide, 4);
    return f;
}

}  // namespace

// ---- Writing -----------------------------------------------------------------------------------

void write_file_atomically(const std::string& path, const std::vector<ByteSpan>& pieces) {
    auto error = [&](const std::string& problem) {
        return std::runtime_error(one_line("cannot write '" + path + "': " + problem));
    };
    if (path.empty()) throw error("empty path");
    // The temporary file lives next to the target so that rename() is atomic (same file system).
    std::string temp = directory_of(path) + "/." + base_name(path) + ".tmp.XXXXXX";
    std::vector<char> temp_buffer(temp.begin(), temp.end());
    temp_buffer.push_back('\0');
    FileDescriptor file(::mkstemp(temp_buffer.data()));
    if (file.fd < 0) throw error("cannot create a temporary file in " + directory_of(path) + ": " + errno_text(errno));
    temp.assign(temp_buffer.data());

    // From here on every failure removes the temporary file before throwing.
    auto abandon = [&](const std::string& problem) {
        const int saved = errno;
        if (file.fd >= 0) file.close_checked();
        ::unlink(temp.c_str());
        errno = saved;
        return error(problem);
    };
    for (const ByteSpan& piece : pieces) {
        const char* p = static_cast<const char*>(piece.data);
        size_t left = piece.size;
        while (left > 0) {
            const ssize_t n = ::write(file.fd, p, std::min<size_t>(left, 1u << 30));
            if (n < 0) {
                if (errno == EINTR) continue;
                throw abandon(errno_text(errno));
            }
            if (n == 0) throw abandon("write made no progress");
            p += n;
            left -= static_cast<size_t>(n);
        }
    }
    // mkstemp creates 0600; a model file is an ordinary readable file.
    ::fchmod(file.fd, 0644);
    if (::fsync(file.fd) != 0) throw abandon("fsync failed: " + errno_text(errno));
    if (file.close_checked() != 0) throw abandon("close failed: " + errno_text(errno));
    if (::rename(temp.c_str(), path.c_str()) != 0) throw abandon("rename failed: " + errno_text(errno));
    // Make the rename itself durable; failure here does not undo a complete write, so it is ignored.
    const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

void save_model(const Model& model, const std::string& path, StorageDtype dtype) {
    try {
        model.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error(one_line("cannot save model to '" + path + "': " + e.what()));
    }
    if (!host_is_little_endian()) throw std::runtime_error("cannot save model to '" + path + "': big-endian host");

    // ordered_json keeps the metadata first and the tensors in schema order, which makes files
    // easy to read with a hex dump and identical for identical models.
    nlohmann::ordered_json header;
    nlohmann::ordered_json metadata;
    metadata["format"] = kFormat;
    metadata["format_version"] = kFormatVersion;
    metadata["config"] = model.config.to_json();
    metadata["tokenizer"] = model.tokenizer.to_json();
    metadata["blank_id"] = std::to_string(model.config.blank_id);
    metadata["origin"] = model.origin;
    header["__metadata__"] = metadata;

    std::vector<ByteSpan> data;
    // BF16 copies of the matrices; a deque so the spans pointing into them stay valid.
    std::deque<std::vector<uint16_t>> bf16_copies;
    uint64_t offset = 0;
    for (const TensorSpec& spec : tensor_specs(model.config)) {
        const Tensor& t = model.weights.at(spec.name);
        for (size_t i = 0; i < t.data.size(); ++i)
            if (!std::isfinite(t.data[i]))
                throw std::runtime_error("cannot save model to '" + path + "': tensor " + spec.name +
                                         " holds a non-finite value at index " + std::to_string(i));
        const bool as_bf16 = dtype == StorageDtype::BF16 && t.shape.size() >= 2;
        const uint64_t bytes = t.data.size() * (as_bf16 ? sizeof(uint16_t) : sizeof(float));
        nlohmann::ordered_json entry;
        entry["dtype"] = as_bf16 ? "BF16" : "F32";
        entry["shape"] = t.shape;
        entry["data_offsets"] = {offset, offset + bytes};
        header[spec.name] = entry;
        if (as_bf16) {
            std::vector<uint16_t>& copy = bf16_copies.emplace_back(t.data.size());
            for (size_t i = 0; i < t.data.size(); ++i) copy[i] = f32_to_bf16(t.data[i]);
            data.push_back({copy.data(), bytes});
        } else {
            data.push_back({t.data.data(), bytes});
        }
        offset += bytes;
    }

    std::string header_text;
    try {
        header_text = header.dump();
    } catch (const std::exception& e) {  // e.g. a metadata string that is not UTF-8
        throw std::runtime_error(one_line("cannot save model to '" + path + "': header: " + e.what()));
    }
    // Pad with spaces (valid JSON whitespace) so the data starts 8-byte aligned, as safetensors does.
    header_text.append((8 - header_text.size() % 8) % 8, ' ');
    unsigned char length_bytes[8];
    const uint64_t header_length = header_text.size();
    for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<unsigned char>(header_length >> (8 * i));

    std::vector<ByteSpan> pieces = {{length_bytes, 8}, {header_text.data(), header_text.size()}};
    pieces.insert(pieces.end(), data.begin(), data.end());
    write_file_atomically(path, pieces);
}

// ---- Reading -----------------------------------------------------------------------------------

Model load_model(const std::string& path) {
    if (!host_is_little_endian()) fail(path, "reading needs a little-endian host");
    // O_NONBLOCK: a FIFO opens at once (and is refused below as not a regular file) instead of
    // waiting for a writer; it changes nothing for regular files.
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (file.fd < 0) fail(path, "cannot open: " + errno_text(errno));
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) fail(path, "cannot stat: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    if (file_size < 8) fail(path, "too small to be a model file (" + std::to_string(file_size) + " bytes)");

    Mapping map;
    map.size = static_cast<size_t>(file_size);
    map.base = ::mmap(nullptr, map.size, PROT_READ, MAP_PRIVATE, file.fd, 0);
    if (map.base == MAP_FAILED) fail(path, "cannot map: " + errno_text(errno));
    const auto* bytes = static_cast<const unsigned char*>(map.base);

    uint64_t header_length = 0;
    for (int i = 0; i < 8; ++i) header_length |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    if (header_length < 2 || header_length > kMaxHeaderBytes)
        fail(path, "header length " + std::to_string(header_length) + " is absurd (corrupt or not a model file)");
    if (header_length > file_size - 8)
        fail(path, "header length " + std::to_string(header_length) + " runs past the end of the file (" +
                       std::to_string(file_size) + " bytes; truncated?)");
    const uint64_t data_start = 8 + header_length;
    const uint64_t data_bytes = file_size - data_start;

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes + 8, bytes + data_start);
    } catch (const std::exception& e) {
        fail(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) fail(path, "header is not a JSON object");

    // Metadata: what the file is, then the config and tokenizer that give the tensors meaning.
    if (!header.contains("__metadata__") || !header["__metadata__"].is_object())
        fail(path, "header has no __metadata__ map (not an rwkvt model file)");
    const nlohmann::json& metadata = header["__metadata__"];
    if (!metadata.contains("format")) fail(path, "metadata lacks 'format' (not an rwkvt model file)");
    const std::string format = metadata_string(path, metadata, "format");
    if (format != kFormat) fail(path, "unknown format '" + format + "' (expected " + kFormat + ")");
    const std::string version = metadata_string(path, metadata, "format_version");
    if (version != kFormatVersion)
        fail(path, "unsupported format_version '" + version + "' (this build reads " + kFormatVersion + ")");

    Model model;
    try {
        model.config = ModelConfig::from_json(metadata_string(path, metadata, "config"));
    } catch (const std::runtime_error& e) {
        fail(path, e.what());
    }
    try {
        model.tokenizer = Tokenizer::from_json(metadata_string(path, metadata, "tokenizer"));
    } catch (const std::runtime_error& e) {
        fail(path, e.what());
    }
    const std::string blank_text = metadata_string(path, metadata, "blank_id");
    if (blank_text != std::to_string(model.config.blank_id) || model.tokenizer.blank_id() != model.config.blank_id)
        fail(path, "blank_id '" + blank_text + "' disagrees with the config (" + std::to_string(model.config.blank_id) +
                       ") or the tokenizer (" + std::to_string(model.tokenizer.blank_id()) + ")");
    model.origin = metadata_string(path, metadata, "origin");

    // Tensor entries: structure first, then coverage of the data buffer.
    std::vector<TensorEntry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        entries.push_back(parse_entry(path, it.key(), it.value(), data_bytes));
    }
    std::vector<const TensorEntry*> pointers;
    for (const TensorEntry& e : entries) pointers.push_back(&e);
    check_coverage(path, pointers, data_bytes);

    // Copy into owning storage (the data region need not be aligned, so memcpy, not casts).
    const unsigned char* data = bytes + data_start;
    for (const TensorEntry& e : entries) {
        Tensor t;
        t.shape = e.shape;
        t.data.resize(e.numel);
        const unsigned char* src = data + e.begin;
        if (e.dtype == "F32") {
            if (e.numel) std::memcpy(t.data.data(), src, e.numel * 4);
        } else {  // BF16: the upper 16 bits of an f32
            t.from_bf16 = true;
            for (uint64_t i = 0; i < e.numel; ++i) {
                uint16_t bits;
                std::memcpy(&bits, src + 2 * i, 2);
                t.data[i] = bf16_to_f32(bits);
            }
        }
        for (uint64_t i = 0; i < e.numel; ++i)
            if (!std::isfinite(t.data[i]))
                fail(path, "tensor " + e.name + " holds a non-finite value at index " + std::to_string(i));
        model.weights.set(e.name, std::move(t));
        release_pages(bytes, data_start + e.begin, data_start + e.end);
    }

    try {
        model.validate();
    } catch (const std::runtime_error& e) {
        fail(path, e.what());
    }
    return model;
}

}  // namespace rwkvt
