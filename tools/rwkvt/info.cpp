// rwkvt info: what a model file holds: config, parameters per part, state size, tokenizer; with
// --kernels, the kernel variants built and the one this CPU runs.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "json_text.hpp"
#include "rwkvt/kernel_variants.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

namespace {

void print_kernel_variants(bool json) {
    const std::vector<KernelVariantInfo> variants = kernel_variants();
    if (json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& v : variants)
            j.push_back({{"variant", v.name}, {"halide_target", v.halide_target}, {"bf16_products", v.bf16_products}, {"cpu_can_run", v.cpu_can_run}, {"active", v.active}});
        std::printf("%s\n", json_text(nlohmann::json{{"kernel_variants", j}}, 2).c_str());
        return;
    }
    std::printf("kernel variants (best first; RWKVT_KERNELS=<variant> forces one; bf16 products: how bf16 weights multiply):\n");
    for (const auto& v : variants)
        std::printf("  %-2s %-12s %-10s bf16 products %-10s %s\n", v.active ? "*" : "", v.name.c_str(),
                    v.cpu_can_run ? "runs here" : "not here", v.bf16_products.c_str(), v.halide_target.c_str());
}

}  // namespace

void add_info(CLI::App& app) {
    struct Options {
        std::string model, format = "text";
        bool kernels = false;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("info", "Describe a model file");
    cmd->add_option("model", opt->model, "Model file (not needed with --kernels)");
    cmd->add_flag("--kernels", opt->kernels, "List the kernel variants built, which this CPU can run and which one runs "
                                             "(RWKVT_KERNELS=<name> forces one)");
    cmd->add_option("--format", opt->format, "Output: text or json")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([opt]() {
        if (opt->kernels) {
            print_kernel_variants(opt->format == "json");
            if (opt->model.empty()) return;
        }
        if (opt->model.empty()) throw CLI::ValidationError("info", "a model file is required (or --kernels)");
        RecognizerOptions ro;
        ro.model_path = opt->model;
        ro.threads = 1;
        Recognizer recognizer(ro);
        const ModelSummary& s = recognizer.summary();
        nlohmann::json j;
        j["model"] = opt->model;
        j["name"] = s.name;
        j["origin"] = s.origin;
        j["config"] = nlohmann::json::parse(s.config_json);
        j["parameters"] = {{"encoder", s.parameters_encoder}, {"predictor", s.parameters_predictor},
                           {"joiner", s.parameters_joiner}, {"ctc_head", s.parameters_ctc_head},
                           {"total", s.parameters_total}};
        j["gemm_weights"] = s.gemm_weights;
        j["state_bytes"] = s.state_bytes;
        j["tokenizer"] = {{"kind", s.tokenizer_kind}, {"vocab_size", s.vocab_size}, {"blank_id", s.blank_id}};
        if (opt->format == "json") {
            std::printf("%s\n", json_text(j, 2).c_str());
            return;
        }
        std::printf("model       %s\nname        %s\norigin      %s\n", opt->model.c_str(), s.name.c_str(), s.origin.c_str());
        std::printf("config      %s\n", s.config_json.c_str());
        std::printf("parameters  total %.2fM (encoder %.2fM, predictor %.2fM, joiner %.2fM); CTC head %.2fM not counted\n",
                    s.parameters_total / 1e6, s.parameters_encoder / 1e6, s.parameters_predictor / 1e6,
                    s.parameters_joiner / 1e6, s.parameters_ctc_head / 1e6);
        std::printf("weights     %s matrices in the GEMM layers\n", s.gemm_weights.c_str());
        std::printf("state       %lld bytes per stream (%.1f KiB), fixed whatever the audio length\n",
                    static_cast<long long>(s.state_bytes), s.state_bytes / 1024.0);
        std::printf("tokenizer   %s, %d pieces, blank id %d\n", s.tokenizer_kind.c_str(), s.vocab_size, s.blank_id);
    });
}

}  // namespace rwkvt::cli
