// The voice naming scheme, the training and reserved voice lists, licence rules, availability.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "rwkvt/data/synth.hpp"
#include "rwkvt/data/external_program.hpp"

namespace rwkvt::data::synth {

namespace fs = std::filesystem;

namespace {

// Voices whose licences forbid commercial use; rwkvt must never train on or ship them. Festival's
// British voices (rab_diphone, don_diphone) are free themselves but speak through the OALD lexicon
// (festlex-oald), which is "restricted to non-commercial use only".
bool is_non_commercial(Engine engine, const std::string& id) {
    if (engine == Engine::rhvoice) return id == "evgeniy-eng" || id == "lyubov";
    if (engine == Engine::festival) return id == "rab_diphone" || id == "don_diphone";
    if (engine == Engine::espeak) return id.rfind("mb-", 0) == 0 || id.find("+mb-") != std::string::npos;  // MBROLA
    return false;
}

}  // namespace

Voice parse_voice(const std::string& name) {
    const size_t colon = name.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == name.size())
        throw std::runtime_error("voice \"" + name + "\" is not ENGINE:VOICE (e.g. flite:slt, espeak:en-us, rhvoice:alan)");
    const std::string engine = name.substr(0, colon), id = name.substr(colon + 1);
    if (engine == "mbrola")
        throw std::runtime_error("voice \"" + name + "\": MBROLA voices have a non-commercial licence and are never used");
    Voice v{name, Engine::espeak, id};
    if (engine == "espeak") v.engine = Engine::espeak;
    else if (engine == "flite") v.engine = Engine::flite;
    else if (engine == "festival") v.engine = Engine::festival;
    else if (engine == "pico") v.engine = Engine::pico;
    else if (engine == "rhvoice") v.engine = Engine::rhvoice;
    else throw std::runtime_error("voice \"" + name + "\": unknown engine \"" + engine + "\" (espeak, flite, festival, pico, rhvoice)");
    if (is_non_commercial(v.engine, id))
        throw std::runtime_error("voice \"" + name + "\" has a non-commercial licence (MBROLA, RHVoice evgeniy-eng/lyubov, festival's OALD lexicon) and is never used");
    // Names reach engine command lines and Scheme scripts: allow only plain voice-name characters.
    if (!std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+'; }))
        throw std::runtime_error("voice \"" + name + "\": unexpected characters in the voice name");
    return v;
}

std::vector<Voice> training_voices() {
    // Weights are shares in percent. espeak-ng sounds least natural (a real-speech recognizer finds it
    // hardest), so its accents and variants together are a 10% minority; the rest is split between
    // the more natural engines.
    std::vector<Voice> voices;
    auto add = [&](const std::string& name, double weight) {
        Voice v = parse_voice(name);
        v.weight = weight;
        voices.push_back(v);
    };
    for (const char* e : {"espeak:en-us", "espeak:en-us+f3", "espeak:en-us+m3", "espeak:en-gb", "espeak:en-gb+f2",
                          "espeak:en-gb-scotland", "espeak:en-gb-x-rp+f4", "espeak:en-gb-x-gbclan", "espeak:en-gb-x-gbcwmd+m5",
                          "espeak:en-029"})
        add(e, 1.0);
    for (const char* f : {"flite:kal16", "flite:awb", "flite:rms", "flite:slt"}) add(f, 8.0);
    for (const char* f : {"festival:kal_diphone", "festival:ked_diphone", "festival:cmu_us_slt_arctic_hts"}) add(f, 7.0);
    add("pico:en-US", 12.0);
    add("rhvoice:alan", 12.5);
    add("rhvoice:slt", 12.5);
    return voices;
}

std::vector<Voice> reserved_voices() {
    // Speakers the training mix never contains, so evaluation measures generalisation to new voices.
    return {parse_voice("rhvoice:bdl"), parse_voice("rhvoice:clb"), parse_voice("pico:en-GB")};
}

std::vector<Voice> expand_voices(const std::string& list) {
    std::vector<Voice> out;
    auto add = [&](const Voice& v) {
        if (std::none_of(out.begin(), out.end(), [&](const Voice& o) { return o.name == v.name; })) out.push_back(v);
    };
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        const std::string item = list.substr(start, comma - start);
        start = comma + 1;
        if (item.empty()) continue;
        if (item == "train") for (const Voice& v : training_voices()) add(v);
        else if (item == "reserved") for (const Voice& v : reserved_voices()) add(v);
        else add(parse_voice(item));
    }
    if (out.empty()) throw std::runtime_error("no voices given (e.g. --voices train, or flite:slt,espeak:en-us)");
    return out;
}

std::string missing_requirement(const Voice& v) {
    auto needs = [&](const std::string& what, const std::string& package) {
        return v.name + " needs " + what + ": install the Debian package " + package + " (tools/setup.sh does)";
    };
    switch (v.engine) {
    case Engine::espeak: {
        if (find_program("espeak-ng").empty()) return needs("the espeak-ng program", "espeak-ng");
        // espeak-ng silently falls back to a default voice for unknown names, so check the data files.
        const std::string lang = v.id.substr(0, v.id.find('+'));
        const fs::path data = "/usr/lib/x86_64-linux-gnu/espeak-ng-data";
        if (v.id.find('+') != std::string::npos) {
            const std::string variant = v.id.substr(v.id.find('+') + 1);
            if (fs::is_directory(data / "voices" / "!v") && !fs::exists(data / "voices" / "!v" / variant))
                return v.name + ": espeak-ng has no variant \"" + variant + "\" (see " + (data / "voices" / "!v").string() + ")";
        }
        if (lang.rfind("en", 0) != 0) return v.name + ": only English espeak-ng voices (en-*) are supported";
        return "";
    }
    case Engine::flite: {
        if (find_program("flite").empty()) return needs("the flite program", "flite");
        static const char* builtin[] = {"kal", "kal16", "awb", "rms", "slt", "awb_time"};
        if (std::find(std::begin(builtin), std::end(builtin), v.id) == std::end(builtin))
            return v.name + ": flite has no voice \"" + v.id + "\" (kal, kal16, awb, rms, slt)";
        return "";
    }
    case Engine::festival: {
        if (find_program("festival").empty()) return needs("the festival program", "festival");
        struct Known { const char* id; const char* folder; const char* package; };
        static const Known known[] = {{"kal_diphone", "english/kal_diphone", "festvox-kallpc16k"},
                                      {"ked_diphone", "english/ked_diphone", "festvox-kdlpc16k"},
                                      {"cmu_us_slt_arctic_hts", "us/cmu_us_slt_arctic_hts", "festvox-us-slt-hts"}};
        for (const Known& k : known)
            if (v.id == k.id)
                return fs::is_directory(fs::path("/usr/share/festival/voices") / k.folder) ? "" : needs("its voice data", k.package);
        return v.name + ": unsupported festival voice (kal_diphone, ked_diphone, cmu_us_slt_arctic_hts)";
    }
    case Engine::pico:
        if (v.id != "en-US" && v.id != "en-GB") return v.name + ": pico English voices are en-US and en-GB";
        return find_program("pico2wave").empty() ? needs("the pico2wave program", "libttspico-utils (Debian non-free)") : "";
    case Engine::rhvoice:
        if (find_program("RHVoice-test").empty()) return needs("the RHVoice-test program", "rhvoice (Debian non-free)");
        if (!fs::is_directory(fs::path("/usr/share/RHVoice/voices") / v.id))
            return needs("its voice data", "rhvoice-english (Debian non-free)") + "; English voices: alan, bdl, clb, slt";
        return "";
    }
    return "unknown engine";
}

}  // namespace rwkvt::data::synth
