// A reader for R's data files, enough to get character vectors out of R packages without R:
// R's serialization format (XDR, versions 2 and 3), .rda/.RData files (save()), .rds files
// (saveRDS()) and lazy-load databases (a package's data/Rdata.rdx + Rdata.rdb).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rwkvt {

// One R object, as far as text extraction needs: character, integer, logical and double vectors,
// generic lists and pairlists, with their "names" attribute. Other types fail to read.
struct RObject {
    enum class Type { null, symbol, pairlist, character, integer, logical, real, list, special } type = Type::null;
    std::vector<std::string> strings;    // character vector (NA as empty string, see na), or symbol name
    std::vector<bool> na;                // per element of `strings`
    std::vector<int> integers;           // integer and logical vectors
    std::vector<double> reals;
    std::vector<std::shared_ptr<RObject>> items;  // list elements, pairlist values
    std::vector<std::string> names;      // "names" attribute, or pairlist tags

    // The element called `name` of a list or pairlist; throws std::runtime_error if there is none.
    const RObject& at(const std::string& name) const;
};

// Unserializes an uncompressed serialization stream ("X\n" + XDR). `what` names the source in
// errors. Throws std::runtime_error on anything malformed or unsupported.
std::shared_ptr<RObject> unserialize_r(const std::string& bytes, const std::string& what);

// Every object saved in an .rda/.RData file (gzip/bzip2/xz compressed "RDX2"/"RDX3" format), by name.
std::map<std::string, std::shared_ptr<RObject>> read_rda_file(const std::string& path);

// The object in an .rds file.
std::shared_ptr<RObject> read_rds_file(const std::string& path);

// Every object in a lazy-load database, by name; `prefix` is the path without ".rdx"/".rdb"
// (e.g. /usr/lib/R/site-library/stringr/data/Rdata).
std::map<std::string, std::shared_ptr<RObject>> read_lazyload_db(const std::string& prefix);

// A character vector of a package's data sets, whichever way the package stores them (lazy-load
// database data/Rdata.rd[xb], or data/NAME.rda). Throws std::runtime_error naming what is missing.
std::vector<std::string> read_r_package_strings(const std::string& package_dir, const std::string& dataset);

}  // namespace rwkvt
