// rwkvt average: one model file whose weights are the mean of several model files' (fine-tunes of
// one model, such as training sittings that each started from the same model file).
#include <cstdio>

#include "commands.hpp"
#include "model_average.hpp"
#include "model_file.hpp"

namespace rwkvt::cli {

void add_average(CLI::App& app) {
    struct Options {
        std::vector<std::string> models;
        std::string out, dtype;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("average", "Average the weights of models fine-tuned from one model");
    cmd->add_option("MODELS", opt->models, "Model files of one config and tokenizer (two or more)")
        ->required()
        ->expected(2, 1000)
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", opt->out, "Model file to write (atomically; may not be one of MODELS)")->required();
    cmd->add_option("--dtype", opt->dtype,
                    "Storage of the matrices: f32 or bf16 (default: bf16 if every input stores its matrices in bf16, else f32)")
        ->check(CLI::IsMember({"f32", "bf16"}));
    cmd->callback([opt]() {
        refuse_overwriting_input(opt->out, "--out", opt->models);
        std::vector<Model> models;
        bool all_bf16 = true;
        for (const std::string& path : opt->models) {
            models.push_back(load_model(path));
            for (const auto& [name, tensor] : models.back().weights.all())
                if (tensor.shape.size() >= 2) all_bf16 = all_bf16 && tensor.from_bf16;
        }
        const bool bf16 = opt->dtype.empty() ? all_bf16 : opt->dtype == "bf16";
        save_model(average_models(models, opt->models), opt->out, bf16 ? StorageDtype::BF16 : StorageDtype::F32);
        std::printf("wrote %s: the mean of %zu models (%s matrices)\n", opt->out.c_str(), models.size(), bf16 ? "bf16" : "f32");
    });
}

}  // namespace rwkvt::cli
