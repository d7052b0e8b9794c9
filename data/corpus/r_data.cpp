#include "r_data.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "decompress.hpp"

namespace rwkvt {

namespace {

// R's SEXP type codes and the special codes of its serialization format.
enum : int {
    kNil = 0, kSymbol = 1, kPairlist = 2, kClosure = 3, kEnvironment = 4, kPromise = 5, kLanguage = 6,
    kChar = 9, kLogical = 10, kInteger = 13, kReal = 14, kComplex = 15, kString = 16, kDots = 17,
    kList = 19, kExpression = 20, kRaw = 24,
    kAltrep = 238, kAttrLanguage = 239, kAttrList = 240, kBaseEnv = 241, kEmptyEnv = 242,
    kBaseNamespace = 247, kMissingArg = 251, kUnbound = 252, kGlobalEnv = 253, kNilValue = 254, kRef = 255,
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

uint32_t big_endian_u32(const std::string& s, size_t at) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
    return v;
}

class Unserializer {
public:
    Unserializer(const std::string& bytes, const std::string& what) : b_(bytes), what_(what) {}

    std::shared_ptr<RObject> run() {
        if (b_.compare(0, 2, "X\n") != 0)
            fail("not an XDR serialization (only R's default binary format is supported)");
        pos_ = 2;
        const int version = read_int();
        read_int();  // R version that wrote it
        read_int();  // oldest R version that can read it
        if (version == 3) pos_ += static_cast<size_t>(read_length("encoding name"));  // native encoding
        else if (version != 2) fail("serialization version " + std::to_string(version) + " is not supported");
        return item();
    }

private:
    [[noreturn]] void fail(const std::string& why) const { throw std::runtime_error(what_ + ": " + why); }

    void need(size_t n) const {
        if (pos_ + n > b_.size()) fail("truncated R data");
    }
    int read_int() {
        need(4);
        const auto v = static_cast<int32_t>(big_endian_u32(b_, pos_));
        pos_ += 4;
        return v;
    }
    double read_double() {
        need(8);
        const uint64_t hi = big_endian_u32(b_, pos_), lo = big_endian_u32(b_, pos_ + 4);
        const uint64_t bits = (hi << 32) | lo;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        pos_ += 8;
        return d;
    }
    // A vector length: -1 announces a "long" length in two more ints.
    int64_t read_length(const char* of) {
        const int n = read_int();
        if (n >= 0) return n;
        if (n != -1) fail(std::string("negative length of ") + of);
        const int64_t upper = read_int(), lower = static_cast<uint32_t>(read_int());
        return (upper << 32) + lower;
    }

    std::shared_ptr<RObject> special() {
        auto o = std::make_shared<RObject>();
        o->type = RObject::Type::special;
        return o;
    }

    // Attaches the "names" entry of an attribute pairlist.
    static void take_names(RObject& target, const RObject& attributes) {
        for (size_t k = 0; k < attributes.names.size(); ++k)
            if (attributes.names[k] == "names" && attributes.items[k]->type == RObject::Type::character)
                target.names = attributes.items[k]->strings;
    }

    std::shared_ptr<RObject> item() {
        const int flags = read_int();
        const int type = flags & 0xFF;
        const bool has_attributes = flags & (1 << 9), has_tag = flags & (1 << 10);
        switch (type) {
            case kNilValue: return std::make_shared<RObject>();
            case kEmptyEnv: case kBaseEnv: case kGlobalEnv: case kUnbound: case kMissingArg: case kBaseNamespace:
                return special();
            case kRef: {
                int index = flags >> 8;
                if (index == 0) index = read_int();
                if (index < 1 || static_cast<size_t>(index) > references_.size()) fail("bad back-reference");
                return references_[index - 1];
            }
            case kSymbol: {
                auto o = std::make_shared<RObject>();
                o->type = RObject::Type::symbol;
                references_.push_back(o);  // symbols are referenced by index later
                const auto name = item();
                if (!name->strings.empty()) o->strings = name->strings;
                return o;
            }
            case kPairlist: case kLanguage: case kClosure: case kPromise: case kDots:
            case kAttrList: case kAttrLanguage: return pairlist(flags);
            case kChar: {
                auto o = std::make_shared<RObject>();
                o->type = RObject::Type::character;
                const int n = read_int();
                if (n == -1) {
                    o->strings.emplace_back();
                    o->na.push_back(true);
                } else {
                    need(static_cast<size_t>(n));
                    o->strings.push_back(b_.substr(pos_, static_cast<size_t>(n)));
                    o->na.push_back(false);
                    pos_ += static_cast<size_t>(n);
                }
                return o;
            }
            case kString: case kInteger: case kLogical: case kReal: case kComplex: case kRaw: case kList:
            case kExpression: {
                auto o = vector(type);
                if (has_attributes) take_names(*o, *item());
                return o;
            }
            case kEnvironment: fail("R environments are not supported");
            case kAltrep: fail("ALTREP objects are not supported");
            default: fail("R object type " + std::to_string(type) + " is not supported");
        }
        (void)has_tag;
    }

    std::shared_ptr<RObject> vector(int type) {
        auto o = std::make_shared<RObject>();
        const int64_t n = read_length("a vector");
        if (n > static_cast<int64_t>(b_.size())) fail("vector length exceeds the data");
        switch (type) {
            case kString:
                o->type = RObject::Type::character;
                for (int64_t k = 0; k < n; ++k) {
                    const auto c = item();
                    if (c->type != RObject::Type::character || c->strings.size() != 1) fail("bad string element");
                    o->strings.push_back(c->strings[0]);
                    o->na.push_back(c->na[0]);
                }
                break;
            case kInteger: case kLogical:
                o->type = type == kInteger ? RObject::Type::integer : RObject::Type::logical;
                for (int64_t k = 0; k < n; ++k) o->integers.push_back(read_int());
                break;
            case kReal:
                o->type = RObject::Type::real;
                for (int64_t k = 0; k < n; ++k) o->reals.push_back(read_double());
                break;
            case kComplex:
                o->type = RObject::Type::special;
                need(static_cast<size_t>(n) * 16);
                pos_ += static_cast<size_t>(n) * 16;
                break;
            case kRaw:
                o->type = RObject::Type::special;
                need(static_cast<size_t>(n));
                pos_ += static_cast<size_t>(n);
                break;
            default:  // generic list, expression
                o->type = RObject::Type::list;
                for (int64_t k = 0; k < n; ++k) o->items.push_back(item());
                break;
        }
        return o;
    }

    // A pairlist (or a language object / closure, which are stored alike) read iteratively along its
    // CDRs: [attributes] [tag] CAR CDR.
    std::shared_ptr<RObject> pairlist(int flags) {
        auto o = std::make_shared<RObject>();
        o->type = RObject::Type::pairlist;
        std::shared_ptr<RObject> attributes;
        for (;;) {
            const int type = flags & 0xFF;
            if (flags & (1 << 9)) attributes = item();
            std::string tag;
            if (flags & (1 << 10)) {
                const auto t = item();
                if (!t->strings.empty()) tag = t->strings[0];
            }
            o->items.push_back(item());
            o->names.push_back(tag);
            // Peek at the CDR: continue the loop while it is another cell of the same kind.
            const size_t cdr_at = pos_;
            const int next = read_int();
            const int next_type = next & 0xFF;
            if (next_type == type && (type == kPairlist || type == kAttrList)) {
                flags = next;
                continue;
            }
            pos_ = cdr_at;
            item();  // the end of the list (usually NULL)
            break;
        }
        return o;
    }

    const std::string& b_;
    std::string what_;
    size_t pos_ = 0;
    std::vector<std::shared_ptr<RObject>> references_;
};

}  // namespace

const RObject& RObject::at(const std::string& name) const {
    for (size_t k = 0; k < names.size() && k < items.size(); ++k)
        if (names[k] == name) return *items[k];
    throw std::runtime_error("R object has no element '" + name + "'");
}

std::shared_ptr<RObject> unserialize_r(const std::string& bytes, const std::string& what) {
    return Unserializer(bytes, what).run();
}

std::map<std::string, std::shared_ptr<RObject>> read_rda_file(const std::string& path) {
    const std::string bytes = decompress_auto(read_whole_file(path));
    if (bytes.compare(0, 5, "RDX2\n") != 0 && bytes.compare(0, 5, "RDX3\n") != 0)
        throw std::runtime_error(path + ": not an R data file (no RDX2/RDX3 header)");
    // save() writes one pairlist whose tags are the object names.
    const auto list = unserialize_r(bytes.substr(5), path);
    std::map<std::string, std::shared_ptr<RObject>> out;
    for (size_t k = 0; k < list->items.size() && k < list->names.size(); ++k) out[list->names[k]] = list->items[k];
    return out;
}

std::shared_ptr<RObject> read_rds_file(const std::string& path) {
    return unserialize_r(decompress_auto(read_whole_file(path)), path);
}

std::map<std::string, std::shared_ptr<RObject>> read_lazyload_db(const std::string& prefix) {
    const auto index = read_rds_file(prefix + ".rdx");
    const std::string db_path = prefix + ".rdb";
    const std::string db = read_whole_file(db_path);
    // `compressed` is TRUE (zlib), 2 (bzip2/zlib/none, flagged per blob) or 3 (xz/bzip2/zlib/none).
    int method = 1;
    const RObject& compressed = index->at("compressed");
    if (compressed.type == RObject::Type::real && !compressed.reals.empty()) method = static_cast<int>(compressed.reals[0]);
    else if (!compressed.integers.empty()) method = compressed.integers[0];
    const RObject& variables = index->at("variables");
    std::map<std::string, std::shared_ptr<RObject>> out;
    for (size_t k = 0; k < variables.items.size() && k < variables.names.size(); ++k) {
        const RObject& where = *variables.items[k];
        int64_t offset = 0, length = 0;
        if (where.integers.size() == 2) offset = where.integers[0], length = where.integers[1];
        else if (where.reals.size() == 2) offset = static_cast<int64_t>(where.reals[0]), length = static_cast<int64_t>(where.reals[1]);
        else throw std::runtime_error(prefix + ".rdx: bad entry for '" + variables.names[k] + "'");
        if (offset < 0 || length < 5 || static_cast<size_t>(offset + length) > db.size())
            throw std::runtime_error(db_path + ": entry '" + variables.names[k] + "' lies outside the file");
        const std::string blob = db.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
        // Each blob: 4-byte big-endian uncompressed size, then (methods 2, 3) a type byte, then data.
        const size_t size = big_endian_u32(blob, 0);
        std::string data;
        if (method == 0) {
            data = blob;
        } else if (method == 1) {
            data = decompress(blob.substr(4), Compression::gzip_or_zlib, size);
        } else {
            const char kind = blob[4];
            const std::string body = blob.substr(5);
            if (kind == '0') data = body;
            else if (kind == '1') data = decompress(body, Compression::gzip_or_zlib, size);
            else if (kind == '2') data = decompress(body, Compression::bzip2, size);
            else if (kind == 'Z') data = decompress(body, Compression::xz, size);
            else throw std::runtime_error(db_path + ": unknown blob compression '" + std::string(1, kind) + "'");
        }
        out[variables.names[k]] = unserialize_r(data, db_path + " (" + variables.names[k] + ")");
    }
    return out;
}

std::vector<std::string> read_r_package_strings(const std::string& package_dir, const std::string& dataset) {
    namespace fs = std::filesystem;
    std::shared_ptr<RObject> object;
    const std::string lazy = package_dir + "/data/Rdata";
    if (fs::exists(lazy + ".rdx") && fs::exists(lazy + ".rdb")) {
        auto all = read_lazyload_db(lazy);
        if (all.count(dataset)) object = all[dataset];
    }
    for (const char* ext : {".rda", ".RData"}) {
        const std::string file = package_dir + "/data/" + dataset + ext;
        if (!object && fs::exists(file)) {
            auto all = read_rda_file(file);
            if (all.count(dataset)) object = all[dataset];
        }
    }
    if (!object) throw std::runtime_error(package_dir + ": no data set '" + dataset + "'");
    if (object->type != RObject::Type::character)
        throw std::runtime_error(package_dir + ": data set '" + dataset + "' is not a character vector");
    std::vector<std::string> out;
    for (size_t k = 0; k < object->strings.size(); ++k)
        if (!object->na[k]) out.push_back(object->strings[k]);
    return out;
}

}  // namespace rwkvt
