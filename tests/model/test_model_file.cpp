// The model file (model/model_file.hpp): bit-exact round trips, the BF16 read path, every kind of
// corrupt file giving a one-line error, and atomic writes that keep the old file on failure.
#include <doctest/doctest.h>

#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "init.hpp"
#include "model_file.hpp"
#include "scratch.hpp"

using rwkvt::test::read_bytes;
using rwkvt::test::write_bytes;

using rwkvt::test::ScratchDir;

namespace {

rwkvt::ModelConfig tiny_config() { return rwkvt::ModelConfig::from_yaml_file(RWKVT_SOURCE_DIR "/model/configs/tiny.yaml"); }


// Every tensor, the config, tokenizer and origin identical, tensors compared bit for bit.
void require_identical(const rwkvt::Model& a, const rwkvt::Model& b) {
    REQUIRE(a.config.to_json() == b.config.to_json());
    REQUIRE(a.tokenizer.to_json() == b.tokenizer.to_json());
    REQUIRE(a.origin == b.origin);
    REQUIRE(a.weights.all().size() == b.weights.all().size());
    for (const auto& [name, t] : a.weights.all()) {
        INFO(name);
        REQUIRE(b.weights.contains(name));
        const rwkvt::Tensor& u = b.weights.at(name);
        REQUIRE(t.shape == u.shape);
        REQUIRE(t.data.size() == u.data.size());
        CHECK(std::memcmp(t.data.data(), u.data.data(), t.data.size() * sizeof(float)) == 0);
    }
}

// A model file taken apart: the header JSON (tensor order kept) and the data bytes, so tests can
// damage one thing at a time and put it back together.
struct RawFile {
    nlohmann::ordered_json header;
    std::string data;

    static RawFile read(const std::string& path) {
        const std::string bytes = read_bytes(path);
        uint64_t length = 0;
        for (int i = 0; i < 8; ++i) length |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
        RawFile raw;
        raw.header = nlohmann::ordered_json::parse(bytes.substr(8, length));
        raw.data = bytes.substr(8 + length);
        return raw;
    }
    std::string bytes() const {
        std::string text = header.dump();
        text.append((8 - text.size() % 8) % 8, ' ');
        std::string out(8, '\0');
        for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(static_cast<uint64_t>(text.size()) >> (8 * i));
        return out + text + data;
    }
    void write(const std::string& path) const { write_bytes(path, bytes()); }
    // Byte range of a tensor's data.
    std::pair<uint64_t, uint64_t> range(const std::string& name) const {
        const auto& offsets = header.at(name).at("data_offsets");
        return {offsets[0].get<uint64_t>(), offsets[1].get<uint64_t>()};
    }
    // Removes a tensor and its bytes, shifting the offsets of the tensors after it.
    void remove(const std::string& name) {
        const auto [begin, end] = range(name);
        header.erase(name);
        data.erase(begin, end - begin);
        for (auto& [key, entry] : header.items()) {
            if (key == "__metadata__") continue;
            auto& offsets = entry["data_offsets"];
            if (offsets[0].get<uint64_t>() >= end) {
                offsets[0] = offsets[0].get<uint64_t>() - (end - begin);
                offsets[1] = offsets[1].get<uint64_t>() - (end - begin);
            }
        }
    }
    // Appends a tensor of F32 values at the end of the data.
    void append(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& values) {
        const uint64_t begin = data.size();
        data.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
        header[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
    }
};

// load_model must throw a one-line runtime_error that names the file and contains `expected`.
void require_load_error(const std::string& path, const std::string& expected) {
    try {
        rwkvt::load_model(path);
    } catch (const std::runtime_error& e) {
        rwkvt::test::check_one_line_error(e.what(), path, expected);
        return;
    }
    FAIL("load_model accepted a bad file; expected an error containing '" << expected << "'");
}

// A saved tiny model with random weights, in a scratch directory.
struct SavedTiny {
    ScratchDir dir;
    uint64_t seed = rwkvt::test::fresh_seed();
    rwkvt::Model model = rwkvt::init_model(tiny_config(), seed, 0.1f);
    std::string path = dir.file("tiny.safetensors");
    SavedTiny() { rwkvt::save_model(model, path); }
};

}  // namespace

TEST_CASE("model file: save then load is bit-exact") {
    SavedTiny saved;
    INFO("seed " << saved.seed);
    const rwkvt::Model loaded = rwkvt::load_model(saved.path);
    require_identical(saved.model, loaded);
    CHECK(loaded.origin == "initialised");
    // Only the model file is left in the directory: the temporary file was renamed.
    CHECK(saved.dir.entries() == 1);

    // A second round trip gives the same bytes (the writer is deterministic).
    const std::string second = saved.dir.file("again.safetensors");
    rwkvt::save_model(loaded, second);
    CHECK(read_bytes(second) == read_bytes(saved.path));
}

TEST_CASE("model file: the header is standard safetensors with the documented metadata") {
    SavedTiny saved;
    const std::string bytes = read_bytes(saved.path);
    uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    CHECK((8 + length) % 8 == 0);  // data aligned
    const RawFile raw = RawFile::read(saved.path);
    const auto& metadata = raw.header.at("__metadata__");
    CHECK(metadata.at("format") == "rwkvt-model");
    CHECK(metadata.at("format_version") == "1");
    CHECK(metadata.at("blank_id") == std::to_string(saved.model.config.blank_id));
    CHECK(metadata.at("origin") == "initialised");
    CHECK(rwkvt::ModelConfig::from_json(metadata.at("config").get<std::string>()).to_json() ==
          saved.model.config.to_json());
    for (const auto& [key, value] : metadata.items()) CHECK(value.is_string());
    const auto specs = rwkvt::tensor_specs(saved.model.config);
    CHECK(raw.header.size() == specs.size() + 1);
    uint64_t expected_data = 0;
    for (const auto& spec : specs) {
        CHECK(raw.header.at(spec.name).at("dtype") == "F32");
        CHECK(raw.header.at(spec.name).at("shape").get<std::vector<int64_t>>() == spec.shape);
        expected_data += spec.numel() * 4;
    }
    CHECK(raw.data.size() == expected_data);
}

TEST_CASE("model file: BF16 tensors are widened to f32 on load") {
    SavedTiny saved;
    INFO("seed " << saved.seed);
    RawFile raw = RawFile::read(saved.path);
    // Rewrite every other tensor as BF16 (round to nearest even), rebuilding the offsets.
    RawFile mixed;
    mixed.header["__metadata__"] = raw.header["__metadata__"];
    rwkvt::Model expected = saved.model;
    int index = 0;
    for (const auto& spec : rwkvt::tensor_specs(saved.model.config)) {
        rwkvt::Tensor& t = expected.weights.at(spec.name);
        const uint64_t begin = mixed.data.size();
        if (index++ % 2 == 0) {
            for (float& v : t.data) {
                uint32_t bits;
                std::memcpy(&bits, &v, 4);
                const uint32_t rounded = bits + 0x7fff + ((bits >> 16) & 1);
                const uint16_t half = static_cast<uint16_t>(rounded >> 16);
                mixed.data.append(reinterpret_cast<const char*>(&half), 2);
                const uint32_t widened = static_cast<uint32_t>(half) << 16;
                std::memcpy(&v, &widened, 4);
            }
            mixed.header[spec.name] = {{"dtype", "BF16"}, {"shape", spec.shape}, {"data_offsets", {begin, mixed.data.size()}}};
        } else {
            mixed.data.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * 4);
            mixed.header[spec.name] = {{"dtype", "F32"}, {"shape", spec.shape}, {"data_offsets", {begin, mixed.data.size()}}};
        }
    }
    const std::string path = saved.dir.file("mixed.safetensors");
    mixed.write(path);
    const rwkvt::Model loaded = rwkvt::load_model(path);
    require_identical(expected, loaded);
    // And the BF16 values are close to the originals (8 bits of mantissa).
    const auto& original = saved.model.weights.at("encoder.blocks.0.att.receptance.weight").data;
    const auto& widened = loaded.weights.at("encoder.blocks.0.att.receptance.weight").data;
    for (size_t i = 0; i < original.size(); ++i) CHECK(std::fabs(original[i] - widened[i]) <= std::fabs(original[i]) / 256 + 1e-30f);
}

TEST_CASE("model file: missing, empty and tiny files") {
    ScratchDir dir;
    require_load_error(dir.file("nothing.safetensors"), "cannot open");
    const std::string empty = dir.file("empty.safetensors");
    write_bytes(empty, "");
    require_load_error(empty, "too small");
    const std::string seven = dir.file("seven.safetensors");
    write_bytes(seven, "1234567");
    require_load_error(seven, "too small");
    require_load_error(dir.path(), "not a regular file");
}

TEST_CASE("model file: truncated files are rejected at every cut") {
    SavedTiny saved;
    const std::string bytes = read_bytes(saved.path);
    uint64_t header_end = 8;
    for (int i = 0; i < 8; ++i) header_end += static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    std::mt19937_64 rng(saved.seed);
    std::vector<uint64_t> cuts = {0, 1, 7, 8, 9, 100, header_end - 1, header_end, header_end + 1, header_end + 4,
                                  bytes.size() - 4, bytes.size() - 1};
    for (int i = 0; i < 20; ++i) cuts.push_back(rng() % bytes.size());
    const std::string path = saved.dir.file("cut.safetensors");
    for (uint64_t cut : cuts) {
        INFO("cut at " << cut << " of " << bytes.size());
        write_bytes(path, bytes.substr(0, cut));
        CHECK_THROWS_AS(rwkvt::load_model(path), std::runtime_error);
    }
    // The typical message when the data is cut short: the last tensor runs past the end.
    write_bytes(path, bytes.substr(0, bytes.size() - 100));
    require_load_error(path, "past the end");
    write_bytes(path, bytes.substr(0, header_end - 10));
    require_load_error(path, "past the end of the file");
}

TEST_CASE("model file: damaged header length and header bytes") {
    SavedTiny saved;
    const std::string bytes = read_bytes(saved.path);
    const std::string path = saved.dir.file("bad.safetensors");

    std::string absurd = bytes;
    absurd[7] = '\x10';  // 2^60-ish
    write_bytes(path, absurd);
    require_load_error(path, "absurd");

    std::string zero = bytes;
    std::fill(zero.begin(), zero.begin() + 8, '\0');
    write_bytes(path, zero);
    require_load_error(path, "absurd");

    std::string not_json = bytes;
    not_json[8] = 'X';  // the opening brace
    write_bytes(path, not_json);
    require_load_error(path, "not valid JSON");

    std::string array = bytes;
    array[8] = '[';
    write_bytes(path, array);
    require_load_error(path, "header");

    // Random byte flips inside the header: an error or (when the flip lands somewhere harmless,
    // like inside the origin string) a valid model, but never a crash or another exception type.
    uint64_t header_end = 8;
    for (int i = 0; i < 8; ++i) header_end += static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    std::mt19937_64 rng(saved.seed);
    int rejected = 0;
    for (int i = 0; i < 200; ++i) {
        std::string flipped = bytes;
        const size_t at = 8 + rng() % (header_end - 8);
        flipped[at] = static_cast<char>(flipped[at] ^ (1 + rng() % 255));
        write_bytes(path, flipped);
        try {
            rwkvt::load_model(path).validate();
        } catch (const std::runtime_error& e) {
            ++rejected;
            CHECK(std::string(e.what()).find('\n') == std::string::npos);
        }
    }
    CHECK(rejected > 100);  // most flips break the structure
}

TEST_CASE("model file: metadata problems") {
    SavedTiny saved;
    const std::string path = saved.dir.file("bad.safetensors");
    auto with_metadata = [&](auto&& change) {
        RawFile raw = RawFile::read(saved.path);
        change(raw.header["__metadata__"]);
        raw.write(path);
    };
    with_metadata([](auto& m) { m.erase("format"); });
    require_load_error(path, "lacks 'format'");
    with_metadata([](auto& m) { m["format"] = "pytorch"; });
    require_load_error(path, "unknown format 'pytorch'");
    with_metadata([](auto& m) { m["format_version"] = "2"; });
    require_load_error(path, "format_version");
    with_metadata([](auto& m) { m["config"] = "{not json"; });
    require_load_error(path, "config");
    with_metadata([](auto& m) { m.erase("tokenizer"); });
    require_load_error(path, "tokenizer");
    with_metadata([](auto& m) { m["blank_id"] = "3"; });
    require_load_error(path, "blank_id");
    with_metadata([](auto& m) { m["origin"] = 5; });
    require_load_error(path, "origin");
    {
        RawFile raw = RawFile::read(saved.path);
        raw.header.erase("__metadata__");
        raw.write(path);
        require_load_error(path, "__metadata__");
    }
    // A config with a different width: every block tensor mismatches.
    with_metadata([&](auto& m) {
        rwkvt::ModelConfig other = saved.model.config;
        other.width *= 2;
        other.ffn_width *= 2;
        m["config"] = other.to_json();
    });
    require_load_error(path, "but the config needs");
}

TEST_CASE("model file: tensor entries inconsistent with the data") {
    SavedTiny saved;
    const std::string path = saved.dir.file("bad.safetensors");
    const std::string first = "frontend.feature_mean", second = "frontend.feature_std";
    auto with_raw = [&](auto&& change) {
        RawFile raw = RawFile::read(saved.path);
        change(raw);
        raw.write(path);
    };
    with_raw([&](RawFile& r) { r.header[first]["dtype"] = "F16"; });
    require_load_error(path, "unsupported dtype F16");
    with_raw([&](RawFile& r) { r.header[first]["dtype"] = "I64"; });
    require_load_error(path, "unsupported dtype I64");
    with_raw([&](RawFile& r) { r.header[second]["data_offsets"] = r.header[first]["data_offsets"]; });
    require_load_error(path, "overlap");
    with_raw([&](RawFile& r) {
        const uint64_t size = r.data.size();
        r.header[first]["data_offsets"] = {size, size + 320};
    });
    require_load_error(path, "past the end");
    with_raw([&](RawFile& r) { r.header[first]["data_offsets"] = {100, 50}; });
    require_load_error(path, "end before they begin");
    with_raw([&](RawFile& r) { r.header[first]["data_offsets"] = {-4, 316}; });
    require_load_error(path, "non-negative");
    with_raw([&](RawFile& r) { r.header[first]["shape"] = {81}; });
    require_load_error(path, "bytes but its shape and dtype need");
    with_raw([&](RawFile& r) { r.header[first]["shape"] = {-80}; });
    require_load_error(path, "non-negative");
    with_raw([&](RawFile& r) { r.header[first]["shape"] = "80"; });
    require_load_error(path, "shape");
    with_raw([&](RawFile& r) { r.header[first].erase("dtype"); });
    require_load_error(path, "dtype");
    with_raw([&](RawFile& r) { r.header[first]["shape"] = {1ull << 40, 1ull << 40}; });
    require_load_error(path, "absurdly large");
    with_raw([&](RawFile& r) { r.data += std::string(16, '\0'); });
    require_load_error(path, "trailing bytes");
    with_raw([&](RawFile& r) {  // a hole: the first tensor's bytes moved to the end
        const auto [begin, end] = r.range(first);
        r.data += r.data.substr(begin, end - begin);
        r.header[first]["data_offsets"] = {r.data.size() - (end - begin), r.data.size()};
    });
    require_load_error(path, "belong to no tensor");
}

TEST_CASE("model file: tensors that do not match the config") {
    SavedTiny saved;
    const rwkvt::ModelConfig& c = saved.model.config;
    const std::string path = saved.dir.file("bad.safetensors");
    const std::string square = "encoder.blocks.1.att.key.weight";
    {
        RawFile raw = RawFile::read(saved.path);  // same number of values, wrong shape
        raw.header[square]["shape"] = {c.width / 2, c.width * 2};
        raw.write(path);
        require_load_error(path, "tensor " + square + " has shape");
    }
    {
        RawFile raw = RawFile::read(saved.path);
        raw.remove("predictor.blocks.1.att.v0");
        raw.write(path);
        require_load_error(path, "lacks tensor predictor.blocks.1.att.v0");
    }
    {
        RawFile raw = RawFile::read(saved.path);  // block 0 has no value-residual LoRA
        raw.append("encoder.blocks.0.att.v0", {c.width}, std::vector<float>(c.width, 0.5f));
        raw.write(path);
        require_load_error(path, "encoder.blocks.0.att.v0 that its config does not define");
    }
}

TEST_CASE("model file: non-finite values are rejected") {
    SavedTiny saved;
    const std::string path = saved.dir.file("bad.safetensors");
    std::mt19937_64 rng(saved.seed);
    const auto specs = rwkvt::tensor_specs(saved.model.config);
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity()}) {
        RawFile raw = RawFile::read(saved.path);
        const std::string name = specs[rng() % specs.size()].name;
        const auto [begin, end] = raw.range(name);
        const uint64_t at = begin + 4 * (rng() % ((end - begin) / 4));
        std::memcpy(&raw.data[at], &bad, 4);
        raw.write(path);
        require_load_error(path, "tensor " + name + " holds a non-finite value");
    }
    // Saving refuses them too.
    rwkvt::Model model = saved.model;
    model.weights.at("joiner.out.bias").data[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(rwkvt::save_model(model, path), std::runtime_error);
}

TEST_CASE("model file: failed writes keep the previous file") {
    SavedTiny saved;
    const std::string old_bytes = read_bytes(saved.path);
    const rwkvt::Model other = rwkvt::init_model(saved.model.config, saved.seed + 1, 0.1f);

    // A directory that does not exist.
    const std::string nowhere = saved.dir.file("no/such/dir/model.safetensors");
    try {
        rwkvt::save_model(other, nowhere);
        FAIL("saving into a missing directory succeeded");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(nowhere) != std::string::npos);
    }

    // The target is a directory: rename fails after the whole temporary file was written.
    const std::string directory = saved.dir.file("a_directory");
    std::filesystem::create_directory(directory);
    CHECK_THROWS_AS(rwkvt::save_model(other, directory), std::runtime_error);
    CHECK(saved.dir.entries() == 2);  // the model file and the directory, no temporary file

    // The disk fills up mid-write: RLIMIT_FSIZE makes write() fail with EFBIG even for root.
    {
        struct rlimit old_limit {};
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // otherwise the process is killed
        struct rlimit small = old_limit;
        small.rlim_cur = 64 * 1024;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
        std::string message;
        try {
            rwkvt::save_model(other, saved.path);
        } catch (const std::runtime_error& e) {
            message = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old_limit);
        std::signal(SIGXFSZ, old_handler);
        INFO("message: " << message);
        CHECK(message.find(saved.path) != std::string::npos);
        CHECK(message.find("too large") != std::string::npos);  // strerror(EFBIG)
    }
    CHECK(read_bytes(saved.path) == old_bytes);
    CHECK(saved.dir.entries() == 2);
    require_identical(saved.model, rwkvt::load_model(saved.path));

    // An invalid model is refused before anything is written.
    rwkvt::Model broken = other;
    broken.weights.set("encoder.bogus", rwkvt::Tensor{{1}, {1.0f}});
    CHECK_THROWS_AS(rwkvt::save_model(broken, saved.path), std::runtime_error);
    CHECK(read_bytes(saved.path) == old_bytes);

    // And a successful save replaces the file.
    rwkvt::save_model(other, saved.path);
    require_identical(other, rwkvt::load_model(saved.path));
    CHECK(saved.dir.entries() == 2);
}
