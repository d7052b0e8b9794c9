#include "normalize.hpp"

#include <cctype>
#include <cstdint>
#include <vector>

#include "abbreviations.hpp"
#include "number_words.hpp"

namespace rwkvt {

namespace {

// Internal stand-ins for the currency signs that are not ASCII, so the scanner sees one byte each.
constexpr char kPound = '\x01';
constexpr char kEuro = '\x02';

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Latin-1 supplement letters U+00C0..U+00FF without their accents ("" for × and ÷).
const char* latin1_letter(uint32_t cp) {
    static const char* const kTable[64] = {
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
        "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "Th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    return kTable[cp - 0xC0];
}

// UTF-8 -> ASCII the scanner understands. Typographic quotes, dashes, spaces and accented letters
// map to their plain forms; backspace overstriking (old fortune files: "_\bA") keeps the last
// character; anything else unreadable becomes a space and marks the text `unreadable`.
std::string fold_to_ascii(const std::string& in, bool& unreadable) {
    std::string out;
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
        const auto b = static_cast<unsigned char>(in[i]);
        if (b < 0x80) {
            ++i;
            if (b == '\b') {
                if (!out.empty()) out.pop_back();
            } else if (b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v') {
                out += ' ';
            } else if (b < 0x20 || b == 0x7F) {
                unreadable = true;
                out += ' ';
            } else {
                out += static_cast<char>(b);
            }
            continue;
        }
        // Decode one multi-byte sequence.
        int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
        uint32_t cp = extra == 3 ? (b & 0x07) : extra == 2 ? (b & 0x0F) : (b & 0x1F);
        bool valid = extra > 0 && i + extra < in.size();
        for (int k = 1; valid && k <= extra; ++k) {
            const auto cont = static_cast<unsigned char>(in[i + k]);
            if ((cont & 0xC0) != 0x80) valid = false;
            else cp = (cp << 6) | (cont & 0x3F);
        }
        if (!valid) {
            unreadable = true;
            out += ' ';
            ++i;
            continue;
        }
        i += extra + 1;
        if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x3000) out += ' ';
        else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x02BC || cp == 0x2032 || cp == 0xB4) out += '\'';
        else if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB || cp == 0xBB || cp == 0x2033) out += '"';
        else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) out += '-';
        else if (cp == 0x2026) out += "...";
        else if (cp == 0xA3) out += kPound;
        else if (cp == 0x20AC) out += kEuro;
        else if (cp >= 0xC0 && cp <= 0xFF && *latin1_letter(cp)) out += latin1_letter(cp);
        else if (cp == 0x152) out += "OE";
        else if (cp == 0x153) out += "oe";
        else {
            unreadable = true;
            out += ' ';
        }
    }
    return out;
}

// Turns folded ASCII into spoken words, one scan from left to right.
class Speller {
public:
    Speller(const std::string& s, bool strict) : s_(s), strict_(strict) {}

    // False when strict and something had no certain reading.
    bool run() {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (is_alpha(c)) {
                word();
            } else if (is_digit(c)) {
                number(0);
            } else if ((c == '$' || c == kPound || c == kEuro) && is_digit(at(i_ + 1))) {
                ++i_;
                number(c);
            } else {
                symbol(c);
                ++i_;
            }
        }
        return ok_;
    }

    std::string text() const {
        std::string out;
        for (const auto& w : words_) {
            if (w.empty()) continue;
            if (!out.empty()) out += ' ';
            out += w;
        }
        return out;
    }

private:
    char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }
    void uncertain() {
        if (strict_) ok_ = false;
    }
    void emit(const std::string& w) { words_.push_back(w); }

    size_t skip_spaces(size_t k) const {
        while (k < s_.size() && s_[k] == ' ') ++k;
        return k;
    }
    // The letters of the word starting at or after k (after spaces and opening quotes), lower case.
    std::string peek_word(size_t k) const {
        k = skip_spaces(k);
        std::string w;
        while (k < s_.size() && is_alpha(s_[k])) w += lower(s_[k++]);
        return w;
    }
    // First character of what follows k, past spaces and opening quotes/brackets.
    char peek_char(size_t k) const {
        k = skip_spaces(k);
        while (k < s_.size() && (s_[k] == '"' || s_[k] == '(' || s_[k] == '\'')) ++k;
        return at(k);
    }

    void symbol(char c) {
        switch (c) {
            case '&': emit("and"); return;
            case '%': emit("percent"); return;
            case '@': case '#': case '+': case '=': case '<': case '>': case '/': case '\\':
            case '*': case '_': case '|': case '~': case '^': case '{': case '}':
            case '$': case kPound: case kEuro:
                uncertain();
                return;
            default: return;  // space and punctuation that is not spoken: a word break
        }
    }

    void word() {
        const size_t start = i_;
        size_t segment_start = i_;
        bool dotted = false;  // "U.S.", "e.g.", "Ph.D."
        for (;;) {
            while (is_alpha(at(i_))) ++i_;
            if (at(i_) == '\'' && is_alpha(at(i_ + 1))) {  // don't, o'clock
                ++i_;
                continue;
            }
            if (at(i_) == '.' && is_alpha(at(i_ + 1))) {
                size_t next_end = i_ + 1;
                while (is_alpha(at(next_end))) ++next_end;
                const bool short_segments = i_ - segment_start <= 2 && next_end - (i_ + 1) <= 2 && at(next_end) != '\'';
                if (short_segments) {
                    dotted = true;
                    ++i_;
                    segment_start = i_;
                    continue;
                }
                uncertain();  // "example.com", "end.Then"
            }
            break;
        }
        std::string raw = s_.substr(start, i_ - start);
        std::string low;
        for (char c : raw) low += lower(c);
        if (is_digit(at(i_))) uncertain();  // "mp3", "B52"
        const bool period = at(i_) == '.';

        if (const Abbreviation* a = find_abbreviation(low); a && (period || !a->needs_period)) {
            const size_t after = period ? i_ + 1 : i_;
            std::string expansion;
            switch (a->use) {
                case AbbreviationUse::always: expansion = a->expansion; break;
                case AbbreviationUse::before_number:
                    if (is_digit(peek_char(after))) expansion = a->expansion;
                    break;
                case AbbreviationUse::saint_or_street:
                    expansion = is_upper(peek_char(after)) ? "saint" : "street";
                    break;
            }
            if (!expansion.empty()) {
                emit(expansion);
                i_ = after;
                return;
            }
        }
        if (dotted) {  // an initialism read letter by letter
            for (char c : low)
                if (c != '.') emit(std::string(1, c));
            if (period) ++i_;
            return;
        }
        emit(low);
    }

    // Reads digits with thousands commas and a decimal fraction at i_, then what follows them.
    // `currency` is '$', kPound, kEuro or 0.
    void number(char currency) {
        std::string whole, fraction;
        bool commas = false;
        while (is_digit(at(i_))) {
            whole += s_[i_++];
            if (at(i_) == ',' && is_digit(at(i_ + 1)) && is_digit(at(i_ + 2)) && is_digit(at(i_ + 3)) &&
                !is_digit(at(i_ + 4))) {
                commas = true;
                ++i_;
            }
        }
        if (at(i_) == '.' && is_digit(at(i_ + 1))) {
            ++i_;
            while (is_digit(at(i_))) fraction += s_[i_++];
        }
        if (whole.size() > 15) {
            uncertain();
            emit(digit_words(whole));
            if (!fraction.empty()) emit("point " + digit_words(fraction));
            return;
        }
        const uint64_t value = std::stoull(whole);
        const bool plain = fraction.empty() && !commas && currency == 0;

        if (currency) {
            money(currency, value, fraction);
            return;
        }
        // 10:30 -> ten thirty; 10:05 -> ten oh five; 10:00 -> ten o'clock
        if (plain && at(i_) == ':' && is_digit(at(i_ + 1)) && is_digit(at(i_ + 2)) && !is_digit(at(i_ + 3)) &&
            value <= 24) {
            const unsigned minutes = static_cast<unsigned>((at(i_ + 1) - '0') * 10 + (at(i_ + 2) - '0'));
            i_ += 3;
            emit(cardinal_words(value));
            if (minutes == 0) emit("o'clock");
            else if (minutes < 10) emit("oh " + cardinal_words(minutes));
            else emit(cardinal_words(minutes));
            return;
        }
        // Letters glued to the number: ordinal suffixes, decade plurals, or something unreadable.
        if (is_alpha(at(i_)) || (at(i_) == '\'' && lower(at(i_ + 1)) == 's' && !is_alpha(at(i_ + 2)))) {
            size_t end = at(i_) == '\'' ? i_ + 1 : i_;
            std::string suffix;
            while (is_alpha(at(end))) suffix += lower(s_[end++]);
            if (plain && at(i_) != '\'' && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th")) {
                emit(ordinal_words(value));
                i_ = end;
                return;
            }
            if (plain && suffix == "s" && !decade_words(value).empty()) {
                emit(decade_words(value));
                i_ = end;
                return;
            }
            uncertain();  // "3d", "10km": read the number, the letters follow as a word
        }
        if (plain && whole.size() > 1 && whole[0] == '0') emit(digit_words(whole));  // codes: 007
        else if (plain && whole.size() == 4 && value >= 1100 && value <= 2099 && at(i_) != '%') emit(year_words(value));
        else emit(cardinal_words(value));
        if (!fraction.empty()) emit("point " + digit_words(fraction));
    }

    void money(char currency, uint64_t value, const std::string& fraction) {
        const char* unit = currency == '$' ? "dollar" : currency == kPound ? "pound" : "euro";
        const char* units = currency == '$' ? "dollars" : currency == kPound ? "pounds" : "euros";
        const char* cent = currency == kPound ? "penny" : "cent";
        const char* cents = currency == kPound ? "pence" : "cents";
        // "$3 million", "$1.5 billion": the scale word comes before the unit.
        const std::string next = peek_word(i_);
        if (next == "thousand" || next == "million" || next == "billion" || next == "trillion") {
            emit(cardinal_words(value));
            if (!fraction.empty()) emit("point " + digit_words(fraction));
            emit(next);
            emit(units);
            i_ = skip_spaces(i_) + next.size();
            return;
        }
        if (!fraction.empty() && fraction.size() != 2) {  // "$3.5": read as a decimal
            emit(cardinal_words(value) + " point " + digit_words(fraction) + " " + units);
            return;
        }
        const unsigned hundredths = fraction.empty() ? 0 : static_cast<unsigned>(std::stoul(fraction));
        if (value > 0 || hundredths == 0) emit(cardinal_words(value) + " " + (value == 1 ? unit : units));
        if (hundredths > 0) {
            if (value > 0) emit("and");
            emit(cardinal_words(hundredths) + " " + (hundredths == 1 ? cent : cents));
        }
    }

    const std::string& s_;
    bool strict_;
    size_t i_ = 0;
    bool ok_ = true;
    std::vector<std::string> words_;
};

std::optional<std::string> normalize(const std::string& utf8, bool strict) {
    bool unreadable = false;
    const std::string ascii = fold_to_ascii(utf8, unreadable);
    if (strict && unreadable) return std::nullopt;
    Speller speller(ascii, strict);
    if (!speller.run()) return std::nullopt;
    std::string text = speller.text();
    if (strict && text.empty()) return std::nullopt;
    return text;
}

}  // namespace

std::string normalize_text(const std::string& utf8) { return *normalize(utf8, false); }

std::optional<std::string> normalize_strict(const std::string& utf8) { return normalize(utf8, true); }

}  // namespace rwkvt
