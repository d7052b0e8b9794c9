// JSON text for the user's eyes: file names and transcripts may hold bytes that are not UTF-8 (a
// Latin-1 manifest, a file name from an old disk), which nlohmann::json refuses to serialise. The
// output replaces such bytes with U+FFFD instead of failing after the work is done.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rwkvt::cli {

template <class Json>
std::string json_text(const Json& json, int indent = -1) {
    return json.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rwkvt::cli
