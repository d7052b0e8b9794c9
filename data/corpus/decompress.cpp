#include "decompress.hpp"

#include <stdexcept>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

namespace rwkvt {

namespace {

const size_t kChunk = 1 << 16;

std::string inflate_all(const std::string& data, size_t size_hint) {
    z_stream z{};
    // 15 + 32: accept both gzip and zlib headers.
    if (inflateInit2(&z, 15 + 32) != Z_OK) throw std::runtime_error("zlib: cannot initialise");
    std::string out;
    out.reserve(size_hint);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    char buffer[kChunk];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = kChunk;
        status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&z);
            throw std::runtime_error("zlib: corrupt or truncated data");
        }
        out.append(buffer, kChunk - z.avail_out);
        if (status == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            throw std::runtime_error("zlib: truncated data");
        }
    }
    inflateEnd(&z);
    return out;
}

std::string bunzip_all(const std::string& data, size_t size_hint) {
    bz_stream b{};
    if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) throw std::runtime_error("bzip2: cannot initialise");
    std::string out;
    out.reserve(size_hint);
    b.next_in = const_cast<char*>(data.data());
    b.avail_in = static_cast<unsigned>(data.size());
    char buffer[kChunk];
    int status = BZ_OK;
    while (status != BZ_STREAM_END) {
        b.next_out = buffer;
        b.avail_out = kChunk;
        status = BZ2_bzDecompress(&b);
        if (status != BZ_OK && status != BZ_STREAM_END) {
            BZ2_bzDecompressEnd(&b);
            throw std::runtime_error("bzip2: corrupt data");
        }
        out.append(buffer, kChunk - b.avail_out);
        if (status == BZ_OK && b.avail_in == 0 && b.avail_out != 0) {
            BZ2_bzDecompressEnd(&b);
            throw std::runtime_error("bzip2: truncated data");
        }
    }
    BZ2_bzDecompressEnd(&b);
    return out;
}

std::string unxz_all(const std::string& data, size_t size_hint) {
    lzma_stream x = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&x, UINT64_MAX, 0) != LZMA_OK) throw std::runtime_error("xz: cannot initialise");
    std::string out;
    out.reserve(size_hint);
    x.next_in = reinterpret_cast<const uint8_t*>(data.data());
    x.avail_in = data.size();
    uint8_t buffer[kChunk];
    lzma_ret status = LZMA_OK;
    while (status != LZMA_STREAM_END) {
        x.next_out = buffer;
        x.avail_out = kChunk;
        status = lzma_code(&x, LZMA_FINISH);
        if (status != LZMA_OK && status != LZMA_STREAM_END) {
            lzma_end(&x);
            throw std::runtime_error("xz: corrupt or truncated data");
        }
        out.append(reinterpret_cast<const char*>(buffer), kChunk - x.avail_out);
    }
    lzma_end(&x);
    return out;
}

}  // namespace

Compression detect_compression(const std::string& d) {
    auto byte = [&](size_t i) { return i < d.size() ? static_cast<unsigned char>(d[i]) : 0u; };
    if (byte(0) == 0x1F && byte(1) == 0x8B) return Compression::gzip_or_zlib;
    // zlib: CMF 0x78 and a header checksum that divides by 31.
    if (byte(0) == 0x78 && ((byte(0) << 8) | byte(1)) % 31 == 0) return Compression::gzip_or_zlib;
    if (d.compare(0, 3, "BZh") == 0) return Compression::bzip2;
    if (d.compare(0, 6, std::string("\xFD" "7zXZ\0", 6)) == 0) return Compression::xz;
    return Compression::none;
}

std::string decompress(const std::string& data, Compression kind, size_t size_hint) {
    switch (kind) {
        case Compression::none: return data;
        case Compression::gzip_or_zlib: return inflate_all(data, size_hint);
        case Compression::bzip2: return bunzip_all(data, size_hint);
        case Compression::xz: return unxz_all(data, size_hint);
    }
    throw std::logic_error("unknown compression");
}

std::string decompress_auto(const std::string& data) { return decompress(data, detect_compression(data)); }

}  // namespace rwkvt
