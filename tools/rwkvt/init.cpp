// rwkvt init: a model file initialised as spec section 3 says (optionally with noise on every tensor).
#include <cstdio>

#include "commands.hpp"
#include "init.hpp"
#include "model_file.hpp"

namespace rwkvt::cli {

void add_init(CLI::App& app) {
    struct Options {
        std::string config, out, dtype = "f32";
        uint64_t seed = 0;
        float noise = 0.0f;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("init", "Write a freshly initialised model file");
    cmd->add_option("--config", opt->config, "Model config (YAML)")->required();
    cmd->add_option("--out", opt->out, "Model file to write (atomically)")->required();
    cmd->add_option("--seed", opt->seed, "Random seed")->capture_default_str();
    cmd->add_option("--noise", opt->noise, "Add noise of this scale to every tensor")->check(finite_range(0.0, 100.0));
    cmd->add_option("--dtype", opt->dtype, "f32, or bf16 for the matrices (half the size; the runtime's bf16 GEMMs)")
        ->check(CLI::IsMember({"f32", "bf16"}))
        ->capture_default_str();
    cmd->callback([opt]() {
        refuse_overwriting_input(opt->out, "--out", {opt->config});
        const ModelConfig config = ModelConfig::from_yaml_file(opt->config);
        save_model(init_model(config, opt->seed, opt->noise), opt->out,
                   opt->dtype == "bf16" ? StorageDtype::BF16 : StorageDtype::F32);
        std::printf("wrote %s (%s, seed %llu, noise %g, %s)\n", opt->out.c_str(), config.name.c_str(),
                    static_cast<unsigned long long>(opt->seed), opt->noise, opt->dtype.c_str());
    });
}

}  // namespace rwkvt::cli
