#include "abbreviations.hpp"

#include <unordered_map>

namespace rwkvt {

const Abbreviation* find_abbreviation(const std::string& lower) {
    using U = AbbreviationUse;
    static const std::unordered_map<std::string, Abbreviation> kTable = {
        // titles before a name
        {"mr", {"mister", U::always, false, true}},
        {"mrs", {"missus", U::always, false, true}},
        {"ms", {"miz", U::always, true, true}},
        {"messrs", {"messieurs", U::always, false, true}},
        {"dr", {"doctor", U::always, false, true}},
        {"prof", {"professor", U::always, true, true}},
        {"rev", {"reverend", U::always, true, true}},
        {"gen", {"general", U::always, true, true}},
        {"col", {"colonel", U::always, true, true}},
        {"capt", {"captain", U::always, true, true}},
        {"lt", {"lieutenant", U::always, true, true}},
        {"sgt", {"sergeant", U::always, true, true}},
        {"gov", {"governor", U::always, true, true}},
        {"sen", {"senator", U::always, true, true}},
        {"hon", {"honorable", U::always, true, true}},
        {"mt", {"mount", U::always, true, true}},
        {"ft", {"fort", U::always, true, true}},
        {"st", {"saint", U::saint_or_street, false, false}},
        {"vs", {"versus", U::always, false, true}},
        {"no", {"number", U::before_number, true, true}},
        // after a name or at the end of a phrase
        {"jr", {"junior", U::always, true, false}},
        {"sr", {"senior", U::always, true, false}},
        {"esq", {"esquire", U::always, true, false}},
        {"etc", {"et cetera", U::always, true, false}},
        {"co", {"company", U::always, true, false}},
        {"inc", {"incorporated", U::always, true, false}},
        {"ltd", {"limited", U::always, true, false}},
        {"corp", {"corporation", U::always, true, false}},
        {"dept", {"department", U::always, true, false}},
        {"ave", {"avenue", U::always, true, false}},
        {"blvd", {"boulevard", U::always, true, false}},
        {"approx", {"approximately", U::always, true, false}},
        {"e.g", {"for example", U::always, true, true}},
        {"i.e", {"that is", U::always, true, true}},
        {"a.m", {"a m", U::always, true, false}},
        {"p.m", {"p m", U::always, true, false}},
        // months, only before a day number (Jan is also a name, Mar and May are words)
        {"jan", {"january", U::before_number, true, true}},
        {"feb", {"february", U::before_number, true, true}},
        {"mar", {"march", U::before_number, true, true}},
        {"apr", {"april", U::before_number, true, true}},
        {"jun", {"june", U::before_number, true, true}},
        {"jul", {"july", U::before_number, true, true}},
        {"aug", {"august", U::before_number, true, true}},
        {"sep", {"september", U::before_number, true, true}},
        {"sept", {"september", U::before_number, true, true}},
        {"oct", {"october", U::before_number, true, true}},
        {"nov", {"november", U::before_number, true, true}},
        {"dec", {"december", U::before_number, true, true}},
    };
    const auto it = kTable.find(lower);
    return it == kTable.end() ? nullptr : &it->second;
}

}  // namespace rwkvt
