// .npy files (runtime/include/rwkvt/npy.hpp): round trips of random arrays, the exact NPY 1.0
// layout numpy expects, and errors for files that are not float32 C-order arrays.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "rwkvt/npy.hpp"
#include "scratch.hpp"

using rwkvt::test::read_bytes;
using rwkvt::test::write_bytes;

namespace {


}  // namespace

TEST_CASE("npy: random arrays round trip bit-exactly") {
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 10.0f);
    rwkvt::test::ScratchDir dir;
    const std::vector<std::vector<size_t>> shapes = {{}, {1}, {7}, {3, 5}, {2, 3, 4}, {0, 4}, {1 + rng() % 50, 80}};
    for (const auto& shape : shapes) {
        size_t count = 1;
        for (size_t d : shape) count *= d;
        std::vector<float> values(count);
        for (float& v : values) v = normal(rng);
        const std::string path = dir.file("a.npy");
        rwkvt::write_npy(path, values.data(), shape);
        std::vector<size_t> read_shape = {99};
        const std::vector<float> back = rwkvt::read_npy(path, read_shape);
        CHECK(read_shape == shape);
        REQUIRE(back.size() == values.size());
        if (!values.empty()) CHECK(std::memcmp(back.data(), values.data(), values.size() * 4) == 0);
        CHECK(dir.entries() == 1);  // no temporary files left behind
    }
}

TEST_CASE("npy: the header is what numpy writes") {
    rwkvt::test::ScratchDir dir;
    const float values[6] = {1, 2, 3, 4, 5, 6};
    const std::string path = dir.file("m.npy");
    rwkvt::write_npy(path, values, {2, 3});
    const std::string bytes = read_bytes(path);
    REQUIRE(bytes.size() == 128 + 24);  // 10-byte preamble + 59-byte dict, padded to 64-byte multiple
    CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
    CHECK(bytes[6] == 1);
    CHECK(bytes[7] == 0);
    CHECK(static_cast<unsigned char>(bytes[8]) + 256 * static_cast<unsigned char>(bytes[9]) == 118);
    CHECK(bytes.substr(10, 118).rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0) == 0);
    CHECK(bytes[127] == '\n');
    float first;
    std::memcpy(&first, bytes.data() + 128, 4);
    CHECK(first == 1.0f);

    rwkvt::write_npy(path, values, {6});
    CHECK(read_bytes(path).find("'shape': (6,), }") != std::string::npos);
}

TEST_CASE("npy: bad files and failed writes") {
    rwkvt::test::ScratchDir dir;
    std::vector<size_t> shape;
    CHECK_THROWS_AS(rwkvt::read_npy(dir.file("missing.npy"), shape), std::runtime_error);
    const float values[4] = {1, 2, 3, 4};
    const std::string path = dir.file("good.npy");
    rwkvt::write_npy(path, values, {4});
    const std::string good = read_bytes(path);
    const std::string bad = dir.file("bad.npy");
    auto rejects = [&](const std::string& bytes, const std::string& expected) {
        write_bytes(bad, bytes);
        try {
            rwkvt::read_npy(bad, shape);
        } catch (const std::runtime_error& e) {
            INFO("message: " << e.what());
            CHECK(std::string(e.what()).find(expected) != std::string::npos);
            return;
        }
        FAIL("accepted a bad npy file, expected " << expected);
    };
    rejects("", "bad magic");
    rejects("PK\x03\x04 not numpy at all", "bad magic");
    std::string f8 = good;
    f8.replace(f8.find("<f4"), 3, "<f8");
    rejects(f8, "'<f8'");
    std::string fortran = good;
    fortran.replace(fortran.find("False"), 5, "True ");
    rejects(fortran, "Fortran");
    rejects(good.substr(0, good.size() - 1), "data bytes");
    rejects(good + "xxxx", "data bytes");
    rejects(good.substr(0, 20), "header runs past");

    // A failed write (missing directory) names the path and leaves the old file alone.
    const std::string nowhere = dir.file("no/dir/x.npy");
    try {
        rwkvt::write_npy(nowhere, values, {4});
        FAIL("wrote into a missing directory");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(nowhere) != std::string::npos);
    }
    CHECK(read_bytes(path) == good);
}
