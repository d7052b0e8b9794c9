// Text normalisation (data/normalize): numbers, ordinals, money, percentages, years, times and
// abbreviations spelled out; punctuation and accents dropped; the strict form refusing text whose
// reading is uncertain. Also sentence splitting and the source parsers' text handling.
#include <doctest/doctest.h>

#include "normalize.hpp"
#include "number_words.hpp"
#include "sentence_split.hpp"
#include "text_sources.hpp"

using rwkvt::normalize_strict;
using rwkvt::normalize_text;

TEST_CASE("number words: cardinals, ordinals, years, decades") {
    CHECK(rwkvt::cardinal_words(0) == "zero");
    CHECK(rwkvt::cardinal_words(13) == "thirteen");
    CHECK(rwkvt::cardinal_words(21) == "twenty one");
    CHECK(rwkvt::cardinal_words(105) == "one hundred five");
    CHECK(rwkvt::cardinal_words(1000) == "one thousand");
    CHECK(rwkvt::cardinal_words(1234567) == "one million two hundred thirty four thousand five hundred sixty seven");
    CHECK(rwkvt::cardinal_words(2000000000) == "two billion");
    CHECK(rwkvt::ordinal_words(1) == "first");
    CHECK(rwkvt::ordinal_words(2) == "second");
    CHECK(rwkvt::ordinal_words(3) == "third");
    CHECK(rwkvt::ordinal_words(12) == "twelfth");
    CHECK(rwkvt::ordinal_words(20) == "twentieth");
    CHECK(rwkvt::ordinal_words(21) == "twenty first");
    CHECK(rwkvt::ordinal_words(100) == "one hundredth");
    CHECK(rwkvt::year_words(1984) == "nineteen eighty four");
    CHECK(rwkvt::year_words(1900) == "nineteen hundred");
    CHECK(rwkvt::year_words(1905) == "nineteen oh five");
    CHECK(rwkvt::year_words(2000) == "two thousand");
    CHECK(rwkvt::year_words(2007) == "two thousand seven");
    CHECK(rwkvt::year_words(2019) == "twenty nineteen");
    CHECK(rwkvt::decade_words(1960) == "nineteen sixties");
    CHECK(rwkvt::decade_words(80) == "eighties");
    CHECK(rwkvt::digit_words("007") == "zero zero seven");
}

TEST_CASE("normalise: numbers, ordinals, years, decades, times") {
    CHECK(normalize_text("I have 3 cats and 1,000 fish.") == "i have three cats and one thousand fish");
    CHECK(normalize_text("It is 3.14 long") == "it is three point one four long");
    CHECK(normalize_text("the 21st century, the 2nd and 3rd days, the 4th of July") ==
          "the twenty first century the second and third days the fourth of july");
    CHECK(normalize_text("In 1984 it rained.") == "in nineteen eighty four it rained");
    CHECK(normalize_text("the 1960s and the 80s") == "the nineteen sixties and the eighties");
    CHECK(normalize_text("at 10:30 or 9:05 or 6:00") == "at ten thirty or nine oh five or six o'clock");
    CHECK(normalize_text("agent 007") == "agent zero zero seven");
}

TEST_CASE("normalise: money and percentages") {
    CHECK(normalize_text("It costs $3.50.") == "it costs three dollars and fifty cents");
    CHECK(normalize_text("$1 or $0.99 or $20") == "one dollar or ninety nine cents or twenty dollars");
    CHECK(normalize_text("a $3 million deal") == "a three million dollars deal");
    CHECK(normalize_text("\xC2\xA3" "5 and \xE2\x82\xAC" "2") == "five pounds and two euros");
    CHECK(normalize_text("50% of them") == "fifty percent of them");
    CHECK(normalize_text("up 3.5%") == "up three point five percent");
}

TEST_CASE("normalise: abbreviations") {
    CHECK(normalize_text("Dr. Smith met Mr. Jones and Mrs. Brown.") == "doctor smith met mister jones and missus brown");
    CHECK(normalize_text("St. Paul lived on Baker St. in town") == "saint paul lived on baker street in town");
    CHECK(normalize_text("Mr Darcy") == "mister darcy");
    CHECK(normalize_text("apples, pears, etc.") == "apples pears et cetera");
    CHECK(normalize_text("fruit, e.g. apples") == "fruit for example apples");
    CHECK(normalize_text("the U.S.A. and the U.K.") == "the u s a and the u k");
    CHECK(normalize_text("No. 5 is here") == "number five is here");
    CHECK(normalize_text("I said no.") == "i said no");
    CHECK(normalize_text("Martin Luther King Jr. spoke") == "martin luther king junior spoke");
    CHECK(normalize_text("rock & roll") == "rock and roll");
}

TEST_CASE("normalise: case, apostrophes, punctuation, accents") {
    CHECK(normalize_text("Don't say 'hello' to the dogs' owner!") == "don't say hello to the dogs owner");
    CHECK(normalize_text("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94 she said") == "it's she said");
    CHECK(normalize_text("Caf\xC3\xA9 na\xC3\xAFve") == "cafe naive");
    CHECK(normalize_text("well-known (twenty-one)") == "well known twenty one");
    CHECK(normalize_text("  spaces\tand\nlines  ") == "spaces and lines");
    CHECK(normalize_text("") == "");
    CHECK(normalize_text("B\bBo\bol\bld") == "bold");  // overstriking in old fortune files
}

TEST_CASE("normalise strictly: uncertain readings are refused") {
    CHECK(normalize_strict("Hello there, Mr. Smith.") == std::optional<std::string>("hello there mister smith"));
    CHECK_FALSE(normalize_strict("visit example.com today"));
    CHECK_FALSE(normalize_strict("my mp3 player"));
    CHECK_FALSE(normalize_strict("and/or"));
    CHECK_FALSE(normalize_strict("email me @ home"));
    CHECK_FALSE(normalize_strict("smile \xF0\x9F\x98\x80"));
    CHECK_FALSE(normalize_strict("\xD0\x9F\xD1\x80\xD0\xB8"));  // Cyrillic
    CHECK_FALSE(normalize_strict("bad \xFF byte"));
    CHECK_FALSE(normalize_strict("..."));
    // The lenient form reads them anyway.
    CHECK(normalize_text("my mp3 player") == "my mp three player");
    CHECK(normalize_text("and/or") == "and or");
}

TEST_CASE("sentence splitting keeps titles and initials together") {
    using rwkvt::split_sentences;
    const auto s = split_sentences("Mr. Darcy came.  She left!\nDid he? \"Yes,\" said J. R. R. Tolkien. The end");
    REQUIRE(s.size() == 5);
    CHECK(s[0] == "Mr. Darcy came.");
    CHECK(s[1] == "She left!");
    CHECK(s[2] == "Did he?");
    CHECK(s[3] == "\"Yes,\" said J. R. R. Tolkien.");
    CHECK(s[4] == "The end");
    const auto c = rwkvt::split_clauses("one two; three four: five -- six at 10:30");
    REQUIRE(c.size() == 4);
    CHECK(c[3] == "six at 10:30");
}

TEST_CASE("source text: novels, fortunes, Brown corpus") {
    const auto novel = rwkvt::novel_sentences({"CHAPTER I", "", "It is a _truth_ universally", "acknowledged. Yes.", "", ""});
    REQUIRE(novel.size() == 2);
    CHECK(novel[0] == "It is a truth universally acknowledged.");
    const auto fortunes = rwkvt::fortune_sentences("A stitch in time.\n\t\t-- Someone\n%\nTwo lines\nof text.\n%\n");
    REQUIRE(fortunes.size() == 2);
    CHECK(fortunes[0] == "A stitch in time.");
    CHECK(fortunes[1] == "Two lines of text.");
    const auto brown = rwkvt::brown_sentences("\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ./.\n\n\tDone/vbn ./.\n");
    REQUIRE(brown.size() == 2);
    CHECK(normalize_text(brown[0]) == "the jury said no");
}
