#include "sentence_split.hpp"

#include "abbreviations.hpp"

namespace rwkvt {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Closing quotes and brackets that may follow a sentence's final punctuation, as byte counts:
// ASCII ones are one byte, U+2019 and U+201D three.
size_t closing_mark_length(const std::string& s, size_t i) {
    const char c = s[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']') return 1;
    if (s.compare(i, 3, "\xE2\x80\x99") == 0 || s.compare(i, 3, "\xE2\x80\x9D") == 0) return 3;
    return 0;
}

// True when the '.' at `dot` ends a title ("Mr.") or an initial ("J."), so no sentence ends there.
bool period_continues(const std::string& s, size_t dot) {
    size_t start = dot;
    while (start > 0 && (is_alpha(s[start - 1]) || s[start - 1] == '.')) --start;
    const std::string word = s.substr(start, dot - start);
    if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z') return true;
    std::string lower;
    for (char c : word) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const Abbreviation* a = find_abbreviation(lower);
    return a && a->precedes_a_word;
}

// Appends `piece` with whitespace runs collapsed and ends trimmed, if anything is left.
void push_clean(std::vector<std::string>& out, const std::string& piece) {
    std::string clean;
    for (char c : piece) {
        if (is_space(c)) {
            if (!clean.empty() && clean.back() != ' ') clean += ' ';
        } else {
            clean += c;
        }
    }
    while (!clean.empty() && clean.back() == ' ') clean.pop_back();
    if (!clean.empty()) out.push_back(clean);
}

}  // namespace

std::vector<std::string> split_sentences(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0, i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '.' && c != '!' && c != '?') {
            ++i;
            continue;
        }
        const size_t mark = i;
        while (i < text.size() && (text[i] == '.' || text[i] == '!' || text[i] == '?')) ++i;
        while (i < text.size()) {
            const size_t n = closing_mark_length(text, i);
            if (n == 0) break;
            i += n;
        }
        const bool at_break = i == text.size() || is_space(text[i]);
        if (!at_break) continue;
        if (c == '.' && i == mark + 1 && period_continues(text, mark)) continue;
        push_clean(out, text.substr(start, i - start));
        start = i;
    }
    push_clean(out, text.substr(start));
    return out;
}

std::vector<std::string> split_clauses(const std::string& sentence) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < sentence.size(); ++i) {
        size_t cut = 0;  // length of the separator at i
        if (sentence[i] == ';') cut = 1;
        else if (sentence[i] == ':' && (i + 1 == sentence.size() || is_space(sentence[i + 1]))) cut = 1;  // not 10:30
        else if (sentence.compare(i, 2, "--") == 0) cut = 2;
        else if (sentence.compare(i, 3, " - ") == 0) cut = 3;
        else if (sentence.compare(i, 3, "\xE2\x80\x94") == 0) cut = 3;  // em dash
        if (cut == 0) continue;
        push_clean(out, sentence.substr(start, i - start));
        start = i + cut;
        i = start - 1;
    }
    push_clean(out, sentence.substr(start));
    return out;
}

}  // namespace rwkvt
