// The R data reader (data/corpus/r_data): hand-made XDR serializations as R writes them (character
// vectors with NA, a names attribute, symbols and back-references), an .rda file, errors, and the
// lazy-load databases of the installed R packages when present.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "model/scratch.hpp"
#include "r_data.hpp"

namespace {

// Writers for XDR (big-endian) serialization, version 2.
struct Xdr {
    std::string bytes;
    Xdr& i32(int32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((static_cast<uint32_t>(v) >> shift) & 0xFF);
        return *this;
    }
    Xdr& header() {
        bytes += "X\n";
        return i32(2).i32(0x040201).i32(0x020300);
    }
    Xdr& chars(const std::string& s) {
        i32(9 | (8 << 12));  // CHARSXP, UTF-8
        i32(static_cast<int32_t>(s.size()));
        bytes += s;
        return *this;
    }
    Xdr& na_string() { return i32(9).i32(-1); }
    Xdr& symbol(const std::string& name) { return i32(1).chars(name); }
};

}  // namespace

TEST_CASE("R data: a named character vector with NA") {
    Xdr x;
    x.header().i32(16 | (1 << 9)).i32(3).chars("one").na_string().chars("three");
    x.i32(2 | (1 << 10)).symbol("names").i32(16).i32(3).chars("a").chars("b").chars("c").i32(254);
    const auto o = rwkvt::unserialize_r(x.bytes, "test");
    REQUIRE(o->type == rwkvt::RObject::Type::character);
    CHECK(o->strings == std::vector<std::string>{"one", "", "three"});
    CHECK(o->na == std::vector<bool>{false, true, false});
    CHECK(o->names == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("R data: an .rda file with two objects and a symbol back-reference") {
    rwkvt::test::ScratchDir dir;
    Xdr x;
    x.bytes = "RDX2\n";
    x.header();
    // pairlist (tag words = c("hello")) -> (tag nums = 1:2) -> (tag <ref to symbol 1> = "again")
    x.i32(2 | (1 << 10)).symbol("words").i32(16).i32(1).chars("hello");
    x.i32(2 | (1 << 10)).symbol("nums").i32(13).i32(2).i32(1).i32(2);
    x.i32(2 | (1 << 10)).i32(255 | (1 << 8)).i32(16).i32(1).chars("again");
    x.i32(254);
    {
        std::ofstream f(dir.file("test.rda"), std::ios::binary);
        f << x.bytes;
    }
    const auto objects = rwkvt::read_rda_file(dir.file("test.rda"));
    REQUIRE(objects.size() == 2);  // the third entry reuses the name "words"
    CHECK(objects.at("words")->strings == std::vector<std::string>{"again"});
    CHECK(objects.at("nums")->integers == std::vector<int>{1, 2});
    std::filesystem::create_directories(dir.file("pkg/data"));
    std::filesystem::copy_file(dir.file("test.rda"), dir.file("pkg/data/words.rda"));
    CHECK(rwkvt::read_r_package_strings(dir.file("pkg"), "words") == std::vector<std::string>{"again"});
    CHECK_THROWS_AS(rwkvt::read_r_package_strings(dir.file("pkg"), "other"), std::runtime_error);
}

TEST_CASE("R data: malformed input is a clear error") {
    CHECK_THROWS_AS(rwkvt::unserialize_r("A\n", "t"), std::runtime_error);
    Xdr truncated;
    truncated.header().i32(16).i32(5).chars("only one");
    CHECK_THROWS_AS(rwkvt::unserialize_r(truncated.bytes, "t"), std::runtime_error);
    Xdr environment;
    environment.header().i32(4);
    CHECK_THROWS_AS(rwkvt::unserialize_r(environment.bytes, "t"), std::runtime_error);
    CHECK_THROWS_AS(rwkvt::read_rda_file("/nonexistent.rda"), std::runtime_error);
}

TEST_CASE("R data: the installed packages' lazy-load databases (needs r-cran-janeaustenr)") {
    const std::string dir = "/usr/lib/R/site-library/janeaustenr";
    if (!std::filesystem::exists(dir + "/data/Rdata.rdx")) {
        MESSAGE("skipped: r-cran-janeaustenr is not installed");
        return;
    }
    const auto all = rwkvt::read_lazyload_db(dir + "/data/Rdata");
    CHECK(all.size() == 6);
    const auto emma = rwkvt::read_r_package_strings(dir, "emma");
    REQUIRE(emma.size() > 10000);
    CHECK(emma[0] == "EMMA");
}
