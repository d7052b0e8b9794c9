// rwkvt train / rwkvt export: the three training stages, exact resume, data parallelism, the
// training benchmark, and checkpoint -> model file. Compiled only with RWKVT_TRAINING (LibTorch);
// the torch code itself lives in model/training (rwkvt_trainer), so this file stays light.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "json_text.hpp"
#include "trainer.hpp"

namespace rwkvt::cli {

namespace {

nlohmann::json operators_json(const std::vector<train::OperatorTime>& operators) {
    nlohmann::json list = nlohmann::json::array();
    for (const train::OperatorTime& op : operators)
        list.push_back({{"name", op.name}, {"calls", op.calls}, {"self_seconds", op.self_seconds}});
    return list;
}

}  // namespace

void add_train(CLI::App& app) {
    struct Options {
        std::string mode = "joint", config;
        bool resume = false, benchmark = false, quiet = false, profile = false;
        int world_size = 1, rank = 0, master_port = 29500;
        std::string master_addr = "127.0.0.1";
        int64_t stop_after = 0;
        // --benchmark
        std::string model_config = "model/configs/rwkvt-19m.yaml", format = "text";
        int batch = 16, steps = 4, threads = 0, prune_range = 5;
        std::string matmul_precision = "f32";
        double seconds = 10.0, tokens_per_second = 3.0;
    };
    auto options = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("train", "Train a model: --mode ctc (encoder), lm (predictor) or joint (RNN-T + CTC)");
    cmd->add_option("--mode", options->mode, "ctc | lm | joint")->check(CLI::IsMember({"ctc", "lm", "joint"}));
    cmd->add_option("--config", options->config, "training config (YAML, see model/training/train_config.hpp)");
    cmd->add_flag("--resume", options->resume, "continue exactly from run.out_dir/checkpoint.ckpt");
    cmd->add_option("--world-size", options->world_size, "data-parallel processes (one per rank)");
    cmd->add_option("--rank", options->rank, "this process's rank, 0 .. world-size - 1");
    cmd->add_option("--master-addr", options->master_addr, "address of rank 0 (rendezvous and Gloo)");
    cmd->add_option("--master-port", options->master_port, "port of rank 0's rendezvous store");
    cmd->add_option("--stop-after", options->stop_after, "stop after this many steps (writing a checkpoint), as if killed there")->group("");
    cmd->add_flag("--quiet", options->quiet, "no progress lines");
    CLI::Option* benchmark = cmd->add_flag("--benchmark", options->benchmark, "measure joint-training speed and peak memory on synthetic input (no --config)");
    cmd->add_option("--model-config", options->model_config, "--benchmark: model config")->group("Benchmark");
    cmd->add_option("--batch", options->batch, "--benchmark: utterances per step")->group("Benchmark");
    cmd->add_option("--seconds", options->seconds, "--benchmark: seconds of audio per utterance")->check(finite_range(0.1, 3600.0))->group("Benchmark");
    cmd->add_option("--tokens-per-second", options->tokens_per_second, "--benchmark: label length per second")
        ->check(finite_range(0.0, 100.0))
        ->group("Benchmark");
    cmd->add_option("--steps", options->steps, "--benchmark: timed steps (after one warm-up step)")->group("Benchmark");
    cmd->add_option("--prune-range", options->prune_range, "--benchmark: pruned RNN-T window, 0 = full lattice")->group("Benchmark");
    cmd->add_option("--threads", options->threads, "--benchmark: threads (0 = all cores)")->group("Benchmark");
    cmd->add_option("--matmul-precision", options->matmul_precision, "--benchmark: f32 | bf16 matrix products (optim.matmul_precision)")
        ->group("Benchmark")
        ->check(CLI::IsMember(train::matmul_precision_names()));
    cmd->add_flag("--profile", options->profile, "--benchmark: also time every operator (LibTorch's profiler; slows the steps)")
        ->group("Benchmark")
        ->needs(benchmark);
    cmd->add_option("--format", options->format, "--benchmark: text | json")->group("Benchmark")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([options] {
        if (options->benchmark) {
            train::BenchmarkOptions b;
            b.model_config = options->model_config;
            b.batch = options->batch;
            b.seconds = options->seconds;
            b.tokens_per_second = options->tokens_per_second;
            b.steps = options->steps;
            b.threads = options->threads;
            b.prune_range = options->prune_range;
            b.matmul_precision = *train::parse_matmul_precision(options->matmul_precision);  // checked by IsMember
            b.profile = options->profile;
            const train::BenchmarkResult r = train::run_benchmark(b);
            double profiled_seconds = 0.0;
            for (const train::OperatorTime& op : r.operators) profiled_seconds += op.self_seconds;
            if (options->format == "json") {
                std::printf("%s\n", json_text(nlohmann::json{{"model_config", b.model_config}, {"batch", b.batch}, {"seconds", b.seconds},
                                                   {"threads", r.threads}, {"prune_range", b.prune_range}, {"matmul_precision", train::matmul_precision_name(b.matmul_precision)}, {"step_seconds_median", r.step_seconds_median},
                                                   {"audio_hours_per_hour", r.audio_hours_per_hour}, {"peak_rss_mb", r.peak_rss_mb},
                                                   {"features_share", r.features_share}, {"profiled", b.profile},  // steps slowed by the profiler
                                                   {"operators", operators_json(r.operators)}})
                                        .c_str());
            } else {
                const std::string loss = b.prune_range > 0 ? "pruned RNN-T (S = " + std::to_string(b.prune_range) + ")" : "full-lattice RNN-T";
                std::printf("joint training, %s, %s, %d x %.1f s per step, %d threads, %s matrix products\n", loss.c_str(),
                            b.model_config.c_str(), b.batch, b.seconds, r.threads, train::matmul_precision_name(b.matmul_precision));
                std::printf("  step (median of %d%s): %.2f s  ->  %.1f hours of audio per wall hour (features: %.1f%% of a step)\n",
                            b.steps, b.profile ? ", slowed by the profiler" : "", r.step_seconds_median, r.audio_hours_per_hour,
                            100.0 * r.features_share);
                std::printf("  peak RSS: %.0f MB\n", r.peak_rss_mb);
                if (!r.operators.empty()) {
                    // Self times of the timed steps, as shares of all profiled time (what is not
                    // inside any operator, such as feature extraction, is not in the table).
                    std::printf("\n  %-64s %8s %12s %7s\n", "operator (self time)", "calls", "ms per step", "share");
                    for (size_t i = 0; i < r.operators.size() && i < 25; ++i) {
                        const train::OperatorTime& op = r.operators[i];
                        std::printf("  %-64.64s %8lld %12.1f %6.1f%%\n", op.name.c_str(), static_cast<long long>(op.calls / b.steps),
                                    1e3 * op.self_seconds / b.steps, 100.0 * op.self_seconds / profiled_seconds);
                    }
                }
            }
            return;
        }
        if (options->config.empty()) throw std::runtime_error("train: --config is required (or --benchmark)");
        train::RunOptions o;
        o.mode = train::parse_mode(options->mode);
        o.config_path = options->config;
        o.resume = options->resume;
        o.world_size = options->world_size;
        o.rank = options->rank;
        o.master_addr = options->master_addr;
        o.master_port = options->master_port;
        o.stop_after_step = options->stop_after;
        o.quiet = options->quiet;
        train::run_training(o);
    });
}

void add_export(CLI::App& app) {
    struct Options {
        std::string checkpoint, out, dtype = "f32";
    };
    auto options = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("export", "Write a training checkpoint as a model file (config, tokenizer, feature statistics)");
    cmd->add_option("CHECKPOINT", options->checkpoint, "checkpoint (run.out_dir/checkpoint.ckpt)")->required();
    cmd->add_option("--out", options->out, "model file to write (.safetensors)")->required();
    cmd->add_option("--dtype", options->dtype, "f32, or bf16 for the matrices (half the size)")->check(CLI::IsMember({"f32", "bf16"}));
    cmd->callback([options] {
        refuse_overwriting_input(options->out, "--out", {options->checkpoint});
        train::export_checkpoint(options->checkpoint, options->out, options->dtype == "bf16");
    });
}

}  // namespace rwkvt::cli
