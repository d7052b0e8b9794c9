#include "decoder_option.hpp"

#include <map>
#include <string>

namespace rwkvt::cli {

void add_decoder_option(CLI::App* command, Decoder& decoder) {
    const std::map<std::string, Decoder> names{{"transducer", Decoder::Transducer}, {"ctc", Decoder::Ctc}};
    command->add_option("--decoder", decoder, "transducer (predictor + joiner, the default) or ctc (the CTC head: faster, no language context)")
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case));
}

const char* decoder_name(Decoder decoder) { return decoder == Decoder::Ctc ? "ctc" : "transducer"; }

}  // namespace rwkvt::cli
