#include "rwkvt/npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "model_file.hpp"  // write_file_atomically

namespace rwkvt {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

bool host_is_little_endian() {
    const uint32_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error("npy file '" + path + "': " + problem);
}

// Value of `key` in the header dict text, up to the next ',' or '}' (or the matching ')' for tuples).
std::string dict_value(const std::string& path, const std::string& dict, const std::string& key) {
    const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
    size_t pos = std::string::npos;
    for (const std::string& q : quoted) {
        pos = dict.find(q);
        if (pos != std::string::npos) {
            pos += q.size();
            break;
        }
    }
    if (pos == std::string::npos) fail(path, "header lacks '" + key + "'");
    pos = dict.find(':', pos);
    if (pos == std::string::npos) fail(path, "header entry '" + key + "' has no value");
    ++pos;
    while (pos < dict.size() && dict[pos] == ' ') ++pos;
    size_t end;
    if (pos < dict.size() && dict[pos] == '(') {
        end = dict.find(')', pos);
        if (end == std::string::npos) fail(path, "header shape tuple is not closed");
        ++end;
    } else {
        end = dict.find_first_of(",}", pos);
        if (end == std::string::npos) fail(path, "header entry '" + key + "' is not terminated");
    }
    std::string value = dict.substr(pos, end - pos);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    return value;
}

}  // namespace

void write_npy(const std::string& path, const float* data, const std::vector<size_t>& shape) {
    if (!host_is_little_endian()) throw std::runtime_error("write_npy: big-endian hosts are not supported");
    size_t count = 1;
    std::string tuple = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] != 0 && count > std::numeric_limits<size_t>::max() / sizeof(float) / shape[i])
            throw std::runtime_error("cannot write '" + path + "': shape is too large");
        count *= shape[i];
        tuple += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
    }
    tuple += ")";
    if (count > 0 && data == nullptr) throw std::runtime_error("cannot write '" + path + "': no data");

    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
    // Version 1.0 stores the header length in 16 bits; the whole preamble is padded with spaces and
    // a final newline to a multiple of 64 bytes so the data is aligned (as numpy does).
    const size_t preamble = kMagicSize + 2 + 2;
    header.append(63 - (preamble + header.size()) % 64, ' ');
    header += '\n';
    if (header.size() > 65535) throw std::runtime_error("cannot write '" + path + "': too many dimensions");
    std::string start(kMagic, kMagicSize);
    start += '\x01';
    start += '\x00';
    start += static_cast<char>(header.size() & 0xff);
    start += static_cast<char>(header.size() >> 8);
    start += header;
    write_file_atomically(path, {{start.data(), start.size()}, {data, count * sizeof(float)}});
}

std::vector<float> read_npy(const std::string& path, std::vector<size_t>& shape) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, "read error");
    if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
        fail(path, "not an npy file (bad magic)");
    const int major = static_cast<unsigned char>(bytes[6]);
    size_t header_length, header_start;
    const auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
    if (major == 1) {
        header_length = byte(8) | byte(9) << 8;
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) fail(path, "truncated header");
        header_length = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
        header_start = 12;
    } else {
        fail(path, "unsupported npy version " + std::to_string(major));
    }
    if (header_start + header_length > bytes.size()) fail(path, "header runs past the end of the file");
    const std::string dict = bytes.substr(header_start, header_length);

    const std::string descr = dict_value(path, dict, "descr");
    if (descr != "'<f4'" && descr != "\"<f4\"") fail(path, "dtype " + descr + " is not little-endian float32 '<f4'");
    if (dict_value(path, dict, "fortran_order") != "False") fail(path, "Fortran order is not supported");
    const std::string tuple = dict_value(path, dict, "shape");
    shape.clear();
    size_t count = 1;
    for (size_t i = 1; i + 1 < tuple.size();) {
        if (tuple[i] == ' ' || tuple[i] == ',') {
            ++i;
            continue;
        }
        size_t used = 0;
        unsigned long long dim;
        try {
            dim = std::stoull(tuple.substr(i), &used);
        } catch (const std::exception&) {
            fail(path, "malformed shape " + tuple);
        }
        if (dim != 0 && count > std::numeric_limits<size_t>::max() / sizeof(float) / dim)
            fail(path, "shape " + tuple + " is too large");
        shape.push_back(static_cast<size_t>(dim));
        count *= static_cast<size_t>(dim);
        i += used;
    }
    const size_t data_start = header_start + header_length;
    if (bytes.size() - data_start != count * sizeof(float))
        fail(path, "holds " + std::to_string(bytes.size() - data_start) + " data bytes but shape " + tuple + " needs " +
                       std::to_string(count * sizeof(float)));
    std::vector<float> values(count);
    if (count) std::memcpy(values.data(), bytes.data() + data_start, count * sizeof(float));
    return values;
}

}  // namespace rwkvt
