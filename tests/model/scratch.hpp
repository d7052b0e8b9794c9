// Helpers shared by the model-layer tests: a private temporary directory and fresh random seeds.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <stdlib.h>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

namespace rwkvt::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at scope exit.
class ScratchDir {
public:
    ScratchDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/rwkvt-test-XXXXXX";
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // Number of entries in the directory (to check no temporary files are left behind).
    size_t entries() const {
        size_t n = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
        return n;
    }

private:
    std::string path_;
};

// A new seed per run, so the tests see fresh inputs; callers print it with INFO(), and
// RWKVT_TEST_SEED=<that seed> replays a failing run.
inline uint64_t fresh_seed() {
    if (const char* fixed = std::getenv("RWKVT_TEST_SEED")) return std::strtoull(fixed, nullptr, 10);
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// Whole-file byte access for corrupting files in tests.
inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The message of the exception f throws, or "" when it returns normally.
inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// What every user-facing error must be: one line that names the file and says what is wrong.
inline void check_one_line_error(const std::string& message, const std::string& path, const std::string& expected) {
    DOCTEST_INFO("message: " << message);
    DOCTEST_CHECK(message.find(path) != std::string::npos);
    DOCTEST_CHECK(message.find('\n') == std::string::npos);
    DOCTEST_CHECK(message.find(expected) != std::string::npos);
}

}  // namespace rwkvt::test
