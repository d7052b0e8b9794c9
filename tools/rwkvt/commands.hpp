// The subcommands of `rwkvt`. Each add_* registers its options and handler on the app; handlers
// throw std::runtime_error for user errors, which main() prints as one line with exit status 1.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace rwkvt::cli {

void add_transcribe(CLI::App& app);
void add_info(CLI::App& app);
void add_init(CLI::App& app);
void add_convert(CLI::App& app);  // convert.cpp: f32 <-> bf16 matrices
void add_average(CLI::App& app);  // average.cpp: the mean of fine-tuned models' weights
void add_dump(CLI::App& app);
void add_bench(CLI::App& app);
void add_plot(CLI::App& app);    // plot.cpp: training curves (gnuplot)
void add_train(CLI::App& app);   // train.cpp: `rwkvt train` (LibTorch builds only)
void add_export(CLI::App& app);  // train.cpp: `rwkvt export`

// `rwkvt data ...`: add_data (tools/rwkvt/data.cpp) creates the `data` subcommand and registers
// each part of it on that subcommand.
void add_data(CLI::App& app);
void add_data_text(CLI::App& data);       // data.cpp: training sentences
void add_data_tokenizer(CLI::App& data);  // data.cpp: tokenizer training
void add_data_synth(CLI::App& data);    // data_synth.cpp: TTS rendering into a data set
void add_data_evalset(CLI::App& data);  // data_evalset.cpp: Harvard and Asterisk evaluation sets
void add_data_ngram(CLI::App& data);    // data_ngram.cpp: token n-gram language models
// `rwkvt eval` (eval.cpp): WER/CER/RTFx of a model on manifests, optionally against pocketsphinx.
void add_eval(CLI::App& app);

// --model's default: $RWKVT_MODEL, else the model shipped in the source tree's models/ folder.
std::string default_model_path();
// Says on stderr when a model (or the part of it that decodes: the CTC head when ctc_head_decodes)
// was never trained, so nobody mistakes its output for transcription.
void warn_if_untrained(const std::string& origin, const std::string& path, bool ctc_head_decodes = false);

// Encoder frames (40 ms each) in a streaming chunk of `chunk_ms`; throws, naming `option`, unless
// chunk_ms is a positive multiple of 40.
int chunk_frames_of(int chunk_ms, const std::string& option);

// An option check for a floating-point option: a finite number within [min, max].
CLI::Validator finite_range(double min, double max);

// Throws, naming `option`, when the output path `out` is one of `inputs` (by any name: links
// included): writing it would destroy that input.
void refuse_overwriting_input(const std::string& out, const std::string& option, const std::vector<std::string>& inputs);

// Sends what is printed to standard output on its way; throws when it could not be written (a full
// disk): output lost is a failure, and a command should stop rather than work on for nothing.
void flush_output();

// Parses and runs the chosen subcommand; user errors (an unknown command or option, a handler's
// exception, output that could not be written) become one line on stderr and a non-zero status.
int run(CLI::App& app, int argc, char** argv);

// Set by a handler that printed per-file errors but carried on with the other files.
extern int exit_status;

}  // namespace rwkvt::cli
