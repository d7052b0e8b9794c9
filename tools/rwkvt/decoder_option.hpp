// The --decoder option of the transcribing subcommands (transcribe, eval).
#pragma once

#include <CLI/CLI.hpp>

#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

// --decoder transducer|ctc on a subcommand.
void add_decoder_option(CLI::App* command, Decoder& decoder);
const char* decoder_name(Decoder decoder);

}  // namespace rwkvt::cli
