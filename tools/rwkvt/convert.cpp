// rwkvt convert: rewrite a model file with its matrices in another storage type (f32 or bf16),
// e.g. the shipped f32 model as a bf16 file for the runtime's bf16 GEMMs. Everything else (config,
// tokenizer, feature statistics, provenance) is carried over unchanged.
#include <cstdio>

#include "commands.hpp"
#include "model_file.hpp"

namespace rwkvt::cli {

void add_convert(CLI::App& app) {
    struct Options {
        std::string model, out, dtype;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("convert", "Rewrite a model file with f32 or bf16 matrices");
    cmd->add_option("MODEL", opt->model, "Model file to read")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out", opt->out, "Model file to write (atomically; may not be MODEL itself)")->required();
    cmd->add_option("--dtype", opt->dtype, "f32, or bf16 for the matrices (half the size; rounded to nearest even)")
        ->required()
        ->check(CLI::IsMember({"f32", "bf16"}));
    cmd->callback([opt]() {
        refuse_overwriting_input(opt->out, "--out", {opt->model});
        const Model model = load_model(opt->model);
        save_model(model, opt->out, opt->dtype == "bf16" ? StorageDtype::BF16 : StorageDtype::F32);
        std::printf("wrote %s (%s matrices, from %s)\n", opt->out.c_str(), opt->dtype.c_str(), opt->model.c_str());
    });
}

}  // namespace rwkvt::cli
