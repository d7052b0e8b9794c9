// rwkvt-tune (run as `rwkvt tune`): searches the schedule parameters of every kernel for the shapes
// of a model config on this machine, and writes the winners as a schedule file
// (schedules/<variant>.json) for the build.
//
// Per kernel: the generator is JIT-compiled with each candidate's parameters (coordinate descent:
// one parameter at a time, the others at the best values so far), the candidates are timed against
// the incumbent in interleaved rounds, and a challenger wins only by more than the machine's
// measured noise. The winner's outputs are checked against the hand schedule's on the same inputs.
// The file is rewritten after every kernel, so an interrupted run resumes where it stopped.
#include <CLI/CLI.hpp>
#include <Halide.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "cold_weights.hpp"
#include "config.hpp"
#include "interleaved_timing.hpp"
#include "kernel_cases.hpp"
#include "cpu_features.hpp"
#include "model_file.hpp"
#include "schedule_version.h"

using namespace rwkvt;
using namespace rwkvt::tune;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string variant, config = RWKVT_DEFAULT_CONFIG, out;
    std::vector<std::string> kernels;
    double budget = 1800;
    int rounds = 10;
    bool force = false;
    bool cold_weights = false;
    unsigned seed = 1;
};

// The schedule parameters of a candidate ("tile" stands for tile_vectors and tile_rows).
Params expand(const Params& schedule) {
    Params out;
    for (const auto& [key, value] : schedule) {
        if (key == "tile") {
            const size_t x = value.find('x');
            out["tile_vectors"] = value.substr(0, x);
            out["tile_rows"] = value.substr(x + 1);
        } else {
            out[key] = value;
        }
    }
    return out;
}

std::string describe(const Params& schedule) {
    if (schedule.empty()) return "hand schedule";
    std::string s;
    for (const auto& [key, value] : expand(schedule)) s += (s.empty() ? "" : " ") + key + "=" + value;
    return s;
}

// A candidate compiled for every call of its kernel.
struct Compiled {
    Params schedule;
    std::vector<Halide::Pipeline> pipelines;
};

// The autoscheduler, timed for reference, with this machine's parameters: cores, last-level
// cache, and the cost ratio of a cache miss to an arithmetic operation (Halide's default, 40).
constexpr const char* kAutoscheduler = "Adams2019";
std::string machine_params() {
    const long cache = sysconf(_SC_LEVEL3_CACHE_SIZE) > 0 ? sysconf(_SC_LEVEL3_CACHE_SIZE) : 32L << 20;
    return std::to_string(std::max(1u, std::thread::hardware_concurrency())) + "," + std::to_string(cache) + ",40";
}

bool compile(const KernelCase& k, const Params& schedule, const Halide::Target& target, Compiled& out, std::string& why) {
    Params params = k.fixed;
    const bool autoscheduled = schedule.count("autoscheduler") > 0;
    if (autoscheduled) params["auto_schedule"] = "true";  // the generators then leave scheduling to it
    for (const auto& [key, value] : expand(schedule))
        if (key != "autoscheduler" && key != "machine_params") params[key] = value;
    out.schedule = schedule;
    out.pipelines.clear();
    try {
        for (const Call& call : k.calls) {
            Halide::Pipeline p = k.build(params, target, call);
            if (autoscheduled) p.auto_schedule(schedule.at("autoscheduler"), target, Halide::MachineParams(schedule.at("machine_params")));
            p.compile_jit(target);
            out.pipelines.push_back(p);
        }
    } catch (const Halide::CompileError& e) {  // a value the generator rejects: not a candidate
        why = e.what();
        return false;
    }
    return true;
}

void run(const Compiled& c, const KernelCase& k, size_t call) {
    std::vector<Halide::Buffer<>> outputs(k.calls[call].outputs.begin(), k.calls[call].outputs.end());
    Halide::Pipeline pipeline = c.pipelines[call];  // a handle: realize() is not const
    pipeline.realize(Halide::Realization(outputs));
}

// Each candidate's seconds for all of the kernel's calls, each weighted by how often the model
// makes it (Call::weight), per round (rounds are paired across candidates: the calls of every
// candidate are timed in each round). With `cold`, every call finds its weights beyond L2
// (cold_weights.hpp); without, as the call before left them.
std::vector<Timing> time_candidates(const std::vector<Compiled>& candidates, const KernelCase& k, int rounds, unsigned seed,
                                    ColdWeights* cold) {
    std::vector<std::function<void()>> calls, prepare;
    for (const Compiled& c : candidates)
        for (size_t i = 0; i < k.calls.size(); ++i) {
            calls.push_back([&c, &k, i] { run(c, k, i); });
            if (cold) prepare.push_back([cold, &k, i] { cold->prepare(k.calls[i]); });
        }
    const std::vector<Timing> each = time_interleaved(calls, rounds, 0.01, seed, prepare);
    std::vector<Timing> out(candidates.size());
    for (size_t c = 0; c < candidates.size(); ++c) {
        out[c].rounds.assign(static_cast<size_t>(rounds), 0.0);
        for (size_t i = 0; i < k.calls.size(); ++i) {
            const Timing& t = each[c * k.calls.size() + i];
            const double weight = k.calls[i].weight;
            out[c].seconds += weight * t.seconds;
            out[c].spread = std::max(out[c].spread, t.spread);
            for (int r = 0; r < rounds; ++r) out[c].rounds[static_cast<size_t>(r)] += weight * t.rounds[static_cast<size_t>(r)];
        }
    }
    return out;
}

// A challenger replaces the incumbent only if it was faster in at least 80% of the paired rounds
// and by at least 2% in the median round: a difference the machine's noise cannot explain.
bool wins(const Timing& challenger, const Timing& incumbent) {
    const Comparison c = compare(challenger, incumbent);
    return c.ratio < 0.98 && c.faster_share >= 0.8;
}

// Largest |got - want| over the largest |want|, over every output of every call.
double relative_difference(const Compiled& got, const std::vector<std::vector<Halide::Buffer<float>>>& want, const KernelCase& k) {
    double worst = 0;
    for (size_t i = 0; i < k.calls.size(); ++i) {
        run(got, k, i);
        for (size_t o = 0; o < want[i].size(); ++o) {
            const Halide::Buffer<float>& a = k.calls[i].outputs[o];
            const Halide::Buffer<float>& b = want[i][o];
            double diff = 0, scale = 1e-30;
            for (size_t e = 0; e < b.number_of_elements(); ++e) {
                diff = std::max(diff, std::fabs(static_cast<double>(a.data()[e]) - b.data()[e]));
                scale = std::max(scale, std::fabs(static_cast<double>(b.data()[e])));
            }
            worst = std::max(worst, diff / scale);
        }
    }
    return worst;
}

nlohmann::json read_existing(const std::string& path, const std::string& variant, const std::string& target) {
    nlohmann::json empty = {{"format", "rwkvt-schedules"}, {"version", rwkvt_gen::kScheduleVersion}, {"variant", variant},
                            {"target", target}, {"kernels", nlohmann::json::object()}, {"measured", nlohmann::json::object()}};
    if (!std::filesystem::exists(path)) return empty;
    std::ifstream in(path);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a schedule file (" + e.what() + ")");
    }
    if (j.value("format", "") != "rwkvt-schedules" || j.value("variant", "") != variant || j.value("target", "") != target ||
        j.value("version", -1) != rwkvt_gen::kScheduleVersion)
        throw std::runtime_error(path + ": holds schedules for another variant, target or version; choose another --out or remove it");
    if (!j.contains("kernels")) j["kernels"] = nlohmann::json::object();
    if (!j.contains("measured")) j["measured"] = nlohmann::json::object();
    return j;
}

void write(const std::string& path, const nlohmann::json& j) {
    const std::string text = j.dump(2) + "\n";
    write_file_atomically(path, {{text.data(), text.size()}});
}

struct VariantParam {
    std::string generator, name, value;
};
struct Variant {
    std::string name, halide_target;
    std::vector<VariantParam> params;  // generator parameters the variant fixes (avx512_amx: gemm amx=true)
};
// The kernel variants of this build, best first (generators/CMakeLists.txt).
const std::vector<Variant> kVariants = {
#include "variant_table.inc"
};

// --variant, or the best variant this CPU runs (what the runtime picks).
Variant choose_variant(const std::string& name) {
    for (const Variant& v : kVariants) {
        if (!name.empty() && v.name != name) continue;
        if (rt::kernels::cpu_can_run(v.name)) return v;
        if (!name.empty()) throw std::runtime_error("--variant " + name + ": this CPU cannot run it, so it cannot be tuned here");
    }
    if (!name.empty()) throw std::runtime_error("--variant " + name + ": not a kernel variant of this build");
    throw std::runtime_error("this CPU runs none of the kernel variants of this build");
}

int run_tuning(const Options& opt) {
    const Variant variant = choose_variant(opt.variant);
    const Halide::Target target(variant.halide_target);
    const std::string out = opt.out.empty() ? std::string(RWKVT_SCHEDULES_DIR) + "/" + variant.name + ".json" : opt.out;
    const ModelConfig config = ModelConfig::from_yaml_file(opt.config);
    nlohmann::json file = read_existing(out, variant.name, variant.halide_target);
    std::vector<KernelCase> cases = kernel_cases(config, target, opt.seed);
    for (KernelCase& k : cases)
        for (const VariantParam& p : variant.params)
            if (p.generator == k.generator) k.fixed[p.name] = p.value;
    if (!opt.kernels.empty()) {
        const std::set<std::string> wanted(opt.kernels.begin(), opt.kernels.end());
        for (const std::string& name : wanted) {
            bool known = false;
            for (const KernelCase& k : cases) known = known || k.kernel == name;
            if (!known) throw std::runtime_error("--kernels: no kernel '" + name + "' for this config");
        }
        cases.erase(std::remove_if(cases.begin(), cases.end(), [&](const KernelCase& k) { return !wanted.count(k.kernel); }),
                    cases.end());
    }
    // Recorded with each kernel's figures: a file's kernels may be tuned on different machines.
    const std::string machine = rt::kernels::cpu_description();
    std::optional<ColdWeights> cold_weights;  // its scratch buffer only when asked for
    if (opt.cold_weights) cold_weights.emplace();
    ColdWeights* cold = cold_weights ? &*cold_weights : nullptr;
    const std::string timed_with = opt.cold_weights ? "weights beyond L2" : "warm caches";
    std::printf("tuning %zu kernels of %s for variant %s (%s) on %s, %s, budget %.0f s -> %s\n", cases.size(),
                config.name.c_str(), variant.name.c_str(), variant.halide_target.c_str(), machine.c_str(), timed_with.c_str(),
                opt.budget, out.c_str());
    const auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    struct Row {
        std::string kernel, result;
        double hand = 0, tuned = 0;
    };
    std::vector<Row> table;
    unsigned seed = opt.seed;
    for (const KernelCase& k : cases) {
        if (!opt.force && file["measured"].contains(k.kernel)) {
            std::printf("%-20s tuned earlier (--force to tune again)\n", k.kernel.c_str());
            continue;
        }
        if (elapsed() > opt.budget) {
            std::printf("%-20s skipped: the budget of %.0f s is spent\n", k.kernel.c_str(), opt.budget);
            continue;
        }
        // The hand schedule: the incumbent, and the reference outputs.
        Compiled hand;
        std::string why;
        if (!compile(k, {}, target, hand, why)) throw std::runtime_error(k.kernel + ": the hand schedule does not compile: " + why);
        std::vector<std::vector<Halide::Buffer<float>>> reference;
        for (size_t i = 0; i < k.calls.size(); ++i) {
            run(hand, k, i);
            reference.emplace_back();
            for (const auto& b : k.calls[i].outputs) reference.back().push_back(b.copy());
        }
        Compiled best = hand;
        int tried = 0, rejected = 0;
        double noise = 0;
        for (const Axis& axis : k.axes) {
            if (elapsed() > opt.budget) break;
            std::vector<Compiled> pool = {best};
            for (const std::string& value : axis.values) {
                // The incumbent's value for this axis: its own, else the hand schedule's.
                const auto current = best.schedule.find(axis.name);
                if (value == (current != best.schedule.end() ? current->second : axis.hand)) continue;
                Params schedule = best.schedule;
                schedule[axis.name] = value;
                Compiled c;
                ++tried;
                if (compile(k, schedule, target, c, why)) pool.push_back(std::move(c));
                else ++rejected;
            }
            if (pool.size() < 2) continue;
            const std::vector<Timing> times = time_candidates(pool, k, opt.rounds, ++seed, cold);
            // The fastest challenger in the median paired round, if it wins clearly.
            size_t winner = 0;
            double best_ratio = 1;
            for (size_t c = 1; c < pool.size(); ++c) {
                const double ratio = compare(times[c], times[0]).ratio;
                if (ratio < best_ratio) {
                    best_ratio = ratio;
                    winner = c;
                }
            }
            noise = std::max(noise, times[0].spread);
            if (winner != 0 && wins(times[winner], times[0])) best = pool[winner];
            std::printf("  %-18s %-16s best: %s\n", k.kernel.c_str(), axis.name.c_str(), describe(best.schedule).c_str());
            std::fflush(stdout);
        }
        // The autoscheduler's schedule, timed against the best parameters for reference only: its
        // schedules are specialised to the estimated shapes (generators' set_estimates) and can read
        // out of bounds on smaller ones (seen: gemm with O = 288 against an estimate of 1152), while
        // one kernel library serves every shape and config. So it is reported, never written.
        double autoscheduler_speedup = 0;
        std::string autoscheduler_note;
        if (!k.try_autoscheduler) {
            autoscheduler_note = "not tried for this kernel (kernel_cases.cpp says why)";
        } else if (elapsed() <= opt.budget) {
            Compiled autoscheduled;
            if (!compile(k, {{"autoscheduler", kAutoscheduler}, {"machine_params", machine_params()}}, target, autoscheduled, why)) {
                autoscheduler_note = "failed to schedule: " + why;
            } else {
                try {
                    const std::vector<Timing> times = time_candidates({best, autoscheduled}, k, opt.rounds, ++seed, cold);
                    autoscheduler_speedup = times[0].seconds / times[1].seconds;
                } catch (const Halide::RuntimeError& e) {
                    autoscheduler_note = std::string("failed on the model's shapes: ") + e.what();
                }
            }
            std::printf("  %-18s %-16s %s\n", k.kernel.c_str(), kAutoscheduler,
                        autoscheduler_note.empty() ? ("x" + std::to_string(autoscheduler_speedup) + " against the best parameters").c_str()
                                                   : autoscheduler_note.c_str());
        }
        // The winner must compute what the hand schedule computes (up to float reassociation).
        const double difference = best.schedule.empty() ? 0.0 : relative_difference(best, reference, k);
        std::string result;
        if (difference > 1e-4) {
            result = "rejected: output differs by " + std::to_string(difference);
            best = hand;
        }
        // Before / after, timed together with more rounds (the hand schedule alone if it won).
        const std::vector<Compiled> finalists = best.schedule.empty() ? std::vector<Compiled>{hand} : std::vector<Compiled>{hand, best};
        const std::vector<Timing> final_times = time_candidates(finalists, k, 2 * opt.rounds, ++seed, cold);
        double hand_s = final_times.front().seconds, tuned_s = final_times.back().seconds;
        if (!best.schedule.empty() && !wins(final_times.back(), final_times.front())) {
            result = "not confirmed by the final timing (" + describe(best.schedule) + "): hand schedule kept";
            best = hand;
            tuned_s = hand_s;
        }
        if (result.empty()) result = describe(best.schedule);
        if (!best.schedule.empty()) {
            nlohmann::json params = nlohmann::json::object();
            for (const auto& [key, value] : expand(best.schedule)) {
                const bool number = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
                if (number) params[key] = std::stoi(value);
                else params[key] = value;
            }
            file["kernels"][k.kernel] = params;
        } else {
            file["kernels"].erase(k.kernel);
        }
        std::string shapes;
        for (const Call& call : k.calls) {
            char weight[32] = "";
            if (call.weight != 1) std::snprintf(weight, sizeof weight, " (x%.1f)", call.weight);
            shapes += (shapes.empty() ? "" : "; ") + call.shape + weight;
        }
        file["measured"][k.kernel] = {{"shapes", shapes}, {"hand_us", hand_s * 1e6}, {"tuned_us", tuned_s * 1e6},
                                      {"candidates", tried}, {"rejected_by_generator", rejected}, {"noise", noise},
                                      {"machine", machine}, {"timed_with", timed_with}};
        if (autoscheduler_note.empty() && autoscheduler_speedup > 0)
            file["measured"][k.kernel]["adams2019_speedup_over_tuned"] = autoscheduler_speedup;
        else if (!autoscheduler_note.empty())
            file["measured"][k.kernel]["adams2019"] = autoscheduler_note;
        write(out, file);
        table.push_back({k.kernel, result, hand_s, tuned_s});
        std::printf("%-20s hand %9.1f us  tuned %9.1f us  x%.2f  (%d candidates, noise %.0f%%)  %s\n", k.kernel.c_str(),
                    hand_s * 1e6, tuned_s * 1e6, hand_s / tuned_s, tried, 100 * noise, result.c_str());
        std::fflush(stdout);
    }
    double hand_total = 0, tuned_total = 0;
    std::printf("\n| kernel | hand (us) | tuned (us) | speed-up | schedule |\n|---|---|---|---|---|\n");
    for (const Row& r : table) {
        hand_total += r.hand;
        tuned_total += r.tuned;
        std::printf("| %s | %.1f | %.1f | %.2fx | %s |\n", r.kernel.c_str(), r.hand * 1e6, r.tuned * 1e6, r.hand / r.tuned, r.result.c_str());
    }
    if (!table.empty())
        std::printf("| all of the above | %.1f | %.1f | %.2fx | |\n", hand_total * 1e6, tuned_total * 1e6, hand_total / tuned_total);
    std::printf("\n%.0f s; schedule file %s (rebuild to use it)\n", elapsed(), out.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"rwkvt tune: search the kernels' schedule parameters on this machine and write a schedule file"};
    Options opt;
    app.add_option("--variant", opt.variant, "Kernel variant to tune (default: the one this CPU runs; see rwkvt info --kernels)");
    app.add_option("--config", opt.config, "Model config whose shapes are tuned")->check(CLI::ExistingFile);
    app.add_option("--kernels", opt.kernels, "Only these kernels (e.g. gemm_plain wkv7_n32)");
    app.add_option("--budget", opt.budget, "Seconds to spend; kernels not reached keep their hand schedule")->check(CLI::PositiveNumber);
    app.add_option("--out", opt.out, "Schedule file (default: schedules/<variant>.json in the source tree)");
    app.add_option("--rounds", opt.rounds, "Interleaved timing rounds per comparison")->check(CLI::Range(3, 100));
    app.add_flag("--force", opt.force, "Tune kernels the file already has results for");
    app.add_flag("--cold-weights", opt.cold_weights,
                 "Time each call with its weights pushed out to the last-level cache first, instead of back to back "
                 "(weights warm in L2)");
    app.add_option("--seed", opt.seed, "Seed of the random inputs and of the timing order");
    try {
        app.parse(argc, argv);
        Halide::load_plugin(RWKVT_ADAMS2019_PLUGIN);
        return run_tuning(opt);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rwkvt tune: error: %s\n", e.what());
        return 1;
    }
}
