// The subcommands of `rwkvt`. Each add_* registers its options and handler on the app; handlers
// throw std::runtime_error for user errors, which main() prints as one line with exit status 1.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace rwkvt::cli {

void add_transcribe(CLI::App& app);
void add_info(CLI::App& app);
void add_init(CLI::App& app);
void add_dump(CLI::App& app);
void add_bench(CLI::App& app);

// --model's default: $RWKVT_MODEL, else the model shipped in the source tree's models/ folder.
std::string default_model_path();
// Says on stderr when a model was never trained, so nobody mistakes its output for transcription.
void warn_if_untrained(const std::string& origin, const std::string& path);

// Set by a handler that printed per-file errors but carried on with the other files.
extern int exit_status;

}  // namespace rwkvt::cli
