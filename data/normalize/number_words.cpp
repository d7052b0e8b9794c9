#include "number_words.hpp"

#include <stdexcept>

namespace rwkvt {

namespace {

const char* const kOnes[] = {"zero",    "one",     "two",       "three",    "four",
                             "five",    "six",     "seven",     "eight",    "nine",
                             "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                             "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* const kTens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

// 1..999 (0 gives "").
std::string below_thousand(unsigned n) {
    std::string out;
    if (n >= 100) {
        out = std::string(kOnes[n / 100]) + " hundred";
        n %= 100;
        if (n) out += ' ';
    }
    if (n >= 20) {
        out += kTens[n / 10];
        if (n % 10) out += std::string(" ") + kOnes[n % 10];
    } else if (n > 0) {
        out += kOnes[n];
    }
    return out;
}

void append_word(std::string& out, const std::string& word) {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += word;
}

}  // namespace

std::string cardinal_words(uint64_t n) {
    if (n == 0) return "zero";
    static const struct {
        uint64_t value;
        const char* name;
    } kScales[] = {{1000000000000ull, "trillion"}, {1000000000ull, "billion"}, {1000000ull, "million"}, {1000ull, "thousand"}};
    if (n >= 1000000000000000ull) throw std::out_of_range("number too large to spell");
    std::string out;
    for (const auto& scale : kScales) {
        if (n >= scale.value) {
            append_word(out, below_thousand(static_cast<unsigned>(n / scale.value)) + " " + scale.name);
            n %= scale.value;
        }
    }
    append_word(out, below_thousand(static_cast<unsigned>(n)));
    return out;
}

std::string ordinal_words(uint64_t n) {
    std::string words = cardinal_words(n);
    // Only the last word changes: "twenty one" -> "twenty first".
    const size_t space = words.rfind(' ');
    const std::string head = space == std::string::npos ? "" : words.substr(0, space + 1);
    std::string last = space == std::string::npos ? words : words.substr(space + 1);
    static const struct {
        const char* cardinal;
        const char* ordinal;
    } kIrregular[] = {{"one", "first"},  {"two", "second"}, {"three", "third"}, {"five", "fifth"},
                      {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};
    for (const auto& irregular : kIrregular)
        if (last == irregular.cardinal) return head + irregular.ordinal;
    if (last.back() == 'y') return head + last.substr(0, last.size() - 1) + "ieth";  // twenty -> twentieth
    return head + last + "th";
}

std::string year_words(uint64_t year) {
    if (year < 1000 || year > 2099) return cardinal_words(year);
    const unsigned century = static_cast<unsigned>(year / 100), rest = static_cast<unsigned>(year % 100);
    // 2000..2009 are said "two thousand (seven)"; so are 1000, 1001.. (rare in text, and "ten oh one"
    // sounds odd).
    if ((century == 20 && rest < 10) || century == 10) return cardinal_words(year);
    std::string out = below_thousand(century);
    if (rest == 0) return out + " hundred";
    if (rest < 10) return out + " oh " + kOnes[rest];
    return out + " " + below_thousand(rest);
}

std::string digit_words(const std::string& digits) {
    std::string out;
    for (char c : digits) {
        if (c < '0' || c > '9') throw std::invalid_argument("digit_words: not a digit");
        append_word(out, kOnes[c - '0']);
    }
    return out;
}

std::string decade_words(uint64_t n) {
    if (n % 10 != 0) return "";
    std::string words = (n >= 1000 && n <= 2099) ? year_words(n) : cardinal_words(n);
    if (words.back() == 'y') return words.substr(0, words.size() - 1) + "ies";  // sixty -> sixties
    return words + "s";                                                         // hundred -> hundreds
}

}  // namespace rwkvt
