// rwkvt data evalset: evaluation sets made by one command each (held-out dev/test, Harvard with reserved
// voices, Asterisk).
#include <cstdio>

#include "commands.hpp"
#include "rwkvt/data/evalsets.hpp"

namespace rwkvt::cli {

void add_data_evalset(CLI::App& data) {
    CLI::App* evalset = data.add_subcommand("evalset", "Make an evaluation set: heldout (dev/test, training voices), harvard (reserved voices) or asterisk (real telephone speech)");
    evalset->require_subcommand(1);

    auto harvard = std::make_shared<data::HarvardOptions>();
    CLI::App* h = evalset->add_subcommand("harvard", "The 720 Harvard sentences, each rendered by one reserved voice (RHVoice bdl/clb, pico en-GB)");
    h->add_option("--out", harvard->out_dir, "Output folder (audio/ and manifest.jsonl)")->required();
    h->add_option("--text", harvard->text_path, "Harvard sentences, one per line (default: OUT/reserved-harvard.txt, else r-cran-stringr)");
    h->add_option("--voices", harvard->voices, "reserved, or train: the same sentences read by the training voices (what the unseen voices cost)")
        ->capture_default_str()
        ->check(CLI::IsMember(data::harvard_voice_sets()));
    h->add_option("--jobs", harvard->jobs, "Engine processes in parallel (0 = all cores)")->check(CLI::NonNegativeNumber);
    h->add_option("--seed", harvard->seed, "Seed for voice, tempo and pitch choices")->capture_default_str();
    h->callback([harvard]() {
        if (data::make_harvard_evalset(*harvard) > 0) exit_status = 1;
    });

    auto heldout = std::make_shared<data::HeldoutOptions>();
    CLI::App* d = evalset->add_subcommand("heldout", "Dev and test sets: held-out sentences (valid.txt of `rwkvt data text`) read by the training voices");
    d->add_option("--text", heldout->text_path, "Held-out sentences, one per line (valid.txt)")->required();
    d->add_option("--out", heldout->out_dir, "Output folder (dev/ and test/, each with audio/ and manifest.jsonl)")->required();
    d->add_option("--sentences", heldout->sentences, "Sentences per split")->capture_default_str()->check(CLI::PositiveNumber);
    d->add_option("--jobs", heldout->jobs, "Engine processes in parallel (0 = all cores)")->check(CLI::NonNegativeNumber);
    d->add_option("--seed", heldout->seed, "Seed for voice, tempo and pitch choices")->capture_default_str();
    d->callback([heldout]() {
        if (data::make_heldout_evalsets(*heldout) > 0) exit_status = 1;
    });

    auto asterisk = std::make_shared<std::pair<std::string, std::string>>("", RWKVT_SHARED_DIR);
    CLI::App* a = evalset->add_subcommand("asterisk", "Real speech: the Asterisk telephone prompts (shared/eval/asterisk), as OUT/manifest.jsonl");
    a->add_option("--out", asterisk->first, "Output folder")->required();
    a->add_option("--shared", asterisk->second, "The shared folder holding eval/asterisk/fetch.sh")->capture_default_str();
    a->callback([asterisk]() {
        const long n = data::make_asterisk_evalset(asterisk->first, asterisk->second);
        std::fprintf(stderr, "rwkvt: Asterisk evaluation set: %ld utterances in %s/manifest.jsonl\n", n, asterisk->first.c_str());
    });
}

}  // namespace rwkvt::cli
