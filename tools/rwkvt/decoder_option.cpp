#include "decoder_option.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include "commands.hpp"

namespace rwkvt::cli {

void add_decoder_options(CLI::App* command, RecognizerOptions& options) {
    const std::map<std::string, Decoder> names{{"transducer", Decoder::Transducer}, {"beam", Decoder::Beam}, {"ctc", Decoder::Ctc}};
    command
        ->add_option("--decoder", options.decoder,
                     "transducer (greedy: predictor + joiner, the default), beam (modified beam search over the transducer: "
                     "slower, usually fewer errors) or ctc (greedy on the CTC head: fastest, no language context)")
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case));
    CLI::Option* beam =
        command->add_option("--beam", options.beam, "Hypotheses kept by --decoder beam")->check(CLI::Range(1, 64))->capture_default_str();
    CLI::Option* lm = command->add_option("--lm", options.lm_path,
                        "Token n-gram language model (`rwkvt data ngram`) fused into --decoder beam, e.g. models/rwkvt-19m-4gram.bin");
    CLI::Option* lm_weight =
        command->add_option("--lm-weight", options.lm_weight, "Weight of the language model's log probabilities in the beam's scores")
            ->check(finite_range(0.0, 10.0))
            ->capture_default_str();
    // Given to another decoder these would be ignored; the user meant beam search. Checked as soon
    // as the options are parsed, before a model is loaded.
    command->parse_complete_callback([&options, beam, lm, lm_weight]() {
        if (options.decoder == Decoder::Beam) return;
        if (lm->count() > 0) throw std::runtime_error("a language model (--lm) is only used by beam search: choose --decoder beam");
        if (beam->count() > 0 || lm_weight->count() > 0)
            throw std::runtime_error(std::string(beam->count() > 0 ? "--beam" : "--lm-weight") + " applies to --decoder beam only");
    });
}

const char* decoder_name(Decoder decoder) {
    switch (decoder) {
        case Decoder::Beam: return "beam";
        case Decoder::Ctc: return "ctc";
        case Decoder::Transducer: break;
    }
    return "transducer";
}

}  // namespace rwkvt::cli
