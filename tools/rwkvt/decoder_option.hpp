// The decoder options of the transcribing subcommands (transcribe, eval).
#pragma once

#include <CLI/CLI.hpp>

#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

// --decoder transducer|beam|ctc, --beam N, --lm FILE and --lm-weight W on a subcommand.
void add_decoder_options(CLI::App* command, RecognizerOptions& options);
const char* decoder_name(Decoder decoder);

}  // namespace rwkvt::cli
