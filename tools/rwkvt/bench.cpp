// rwkvt bench: whole-file transcription speed (RTFx) with and without the front end, time and
// GFLOP/s per kernel against the measured machine peak, peak RSS, and the reference implementation
// on the same audio in the same run as the baseline.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "json_text.hpp"
#include "model_file.hpp"
#include "peak_flops.hpp"
#include "reference/reference.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/profile.hpp"
#include "rwkvt/kernel_variants.hpp"
#include "rwkvt/recognizer.hpp"

namespace rwkvt::cli {

namespace {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
double median_seconds(int repeats, F&& f) {
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const double start = now_seconds();
        f();
        times.push_back(now_seconds() - start);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

// `seconds` of audio: the source repeated end to end.
std::vector<float> tile(const std::vector<float>& source, double seconds) {
    const size_t n = static_cast<size_t>(seconds * 16000);
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = source[i % source.size()];
    return out;
}

}  // namespace

void add_bench(CLI::App& app) {
    struct Options {
        std::string model = default_model_path(), audio = RWKVT_SAMPLE_AUDIO, format = "text";
        double seconds = 60.0, reference_seconds = 10.0;
        int threads = 0, repeats = 3, max_symbols = 5;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("bench", "Measure transcription speed, kernel efficiency and memory");
    cmd->add_option("--model", opt->model, "Model file")->capture_default_str();
    cmd->add_option("--audio", opt->audio, "Audio to repeat up to --seconds")->capture_default_str();
    cmd->add_option("--seconds", opt->seconds, "Seconds of audio to transcribe")->check(finite_range(1.0, 36000.0))->capture_default_str();
    cmd->add_option("--reference-seconds", opt->reference_seconds, "Seconds of it the reference implementation runs on")
        ->check(finite_range(1.0, 36000.0))->capture_default_str();
    cmd->add_option("--threads", opt->threads, "Kernel threads (0 = all cores)")->check(CLI::Range(0, 1024));
    cmd->add_option("--repeats", opt->repeats, "Timed runs; the median is reported")->check(CLI::Range(1, 100))->capture_default_str();
    cmd->add_option("--max-symbols", opt->max_symbols, "Tokens per encoder frame at most (greedy decoding)")
        ->check(CLI::Range(1, 100))->capture_default_str();
    cmd->add_option("--format", opt->format, "Output: text or json")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([opt]() {
        const int threads = opt->threads > 0 ? opt->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        RecognizerOptions ro;
        ro.model_path = opt->model;
        ro.threads = threads;
        ro.max_symbols_per_frame = opt->max_symbols;
        Recognizer recognizer(ro);
        warn_if_untrained(recognizer.summary().origin, opt->model);
        const std::vector<float> audio = tile(load_audio_16k_mono(opt->audio), opt->seconds);

        recognizer.transcribe(tile(audio, std::min(3.0, opt->seconds)));  // warm-up: caches, thread pool
        Result result;
        const double t_total = median_seconds(opt->repeats, [&] { result = recognizer.transcribe(audio); });
        set_kernel_profiling(true);
        reset_kernel_timings();
        const double t_profiled = median_seconds(1, [&] { recognizer.transcribe(audio); });
        set_kernel_profiling(false);
        const std::vector<KernelTiming> timings = kernel_timings();
        const double rss_mb = peak_rss_mb();
        // The front end's share, from the profiled run, scaled to the median run.
        double t_features = 0.0;
        for (const KernelTiming& k : timings)
            if (k.kernel == "log_mel") t_features = k.seconds * t_total / t_profiled;

        // Baseline: the reference implementation on the first reference_seconds of the same audio.
        const double ref_seconds = std::min(opt->reference_seconds, opt->seconds);
        const std::vector<float> ref_audio(audio.begin(), audio.begin() + static_cast<long>(ref_seconds * 16000));
        const Model ref_model = load_model(opt->model);
        const double t_ref = median_seconds(1, [&] { ref::transcribe(ref_model, ref_audio, ro.max_symbols_per_frame); });
        const double peak = measure_peak_gflops(threads, 0.5);
        const KernelVariantInfo active = active_kernel_variant();
        const std::string& variant = active.name;
        // bf16 GEMMs on vdpbf16ps are held to its peak (twice the FMAs' on AMD's Zen 4 and Zen 5, half
        // on Intel's), on the AMX tile unit to the tiles' peak, except decode steps (one token),
        // which stay on vdpbf16ps.
        const bool amx = active.bf16_products == "amx";
        const bool bf16_dot = active.bf16_products != "f32";
        const double peak_bf16 = bf16_dot ? measure_peak_bf16_gflops(threads, 0.5) : 0.0;
        const double peak_amx = amx ? measure_peak_amx_gflops(threads, 0.5) : 0.0;
        // Which peak a kernel's products are held to: "amx", "bf16" (vdpbf16ps) or "f32" (FMA). The
        // bf16 joiner's products of a few pairs never take the AMX tiles.
        auto peak_of = [&](const std::string& kernel) -> std::string {
            if (bf16_dot && kernel.rfind("joiner_bf16", 0) == 0) return "bf16";
            if (!bf16_dot || kernel.rfind("gemm_bf16", 0) != 0) return "f32";
            const bool step = kernel.size() >= 5 && kernel.compare(kernel.size() - 5, 5, "/step") == 0;
            return amx && !step ? "amx" : "bf16";
        };
        auto peak_value = [&](const std::string& which) { return which == "amx" ? peak_amx : which == "bf16" ? peak_bf16 : peak; };

        nlohmann::json j;
        j["model"] = opt->model;
        j["audio_seconds"] = opt->seconds;
        j["threads"] = threads;
        j["kernel_variant"] = variant;
        j["rtfx"] = opt->seconds / t_total;
        j["rtfx_without_features"] = opt->seconds / std::max(1e-9, t_total - t_features);
        j["rtfx_reference"] = ref_seconds / t_ref;
        j["speedup_vs_reference"] = (opt->seconds / t_total) / (ref_seconds / t_ref);
        j["peak_rss_mb"] = rss_mb;
        j["state_bytes"] = recognizer.summary().state_bytes;
        j["tokens_emitted"] = result.tokens.size();
        j["tokens_per_second"] = result.tokens.size() / opt->seconds;
        j["peak_gflops"] = peak;
        if (bf16_dot) j["peak_bf16_gflops"] = peak_bf16;
        if (amx) j["peak_amx_gflops"] = peak_amx;
        j["kernels"] = nlohmann::json::array();
        double kernel_seconds = 0.0;
        for (const KernelTiming& k : timings) kernel_seconds += k.seconds;
        for (const KernelTiming& k : timings) {
            const double gflops = k.flops / std::max(1e-12, k.seconds) / 1e9;
            const std::string which = peak_of(k.kernel);
            j["kernels"].push_back({{"kernel", k.kernel}, {"calls", k.calls}, {"seconds", k.seconds}, {"gflops", gflops},
                                    {"peak", which}, {"percent_of_peak", 100.0 * gflops / peak_value(which)},
                                    {"share", k.seconds / t_profiled}});
        }
        j["kernel_seconds_share"] = kernel_seconds / t_profiled;
        if (opt->format == "json") {
            std::printf("%s\n", json_text(j, 2).c_str());
            return;
        }
        std::printf("%.0f s of audio, %d threads, kernel variant %s, median of %d runs\n", opt->seconds, threads,
                    j["kernel_variant"].get<std::string>().c_str(), opt->repeats);
        std::printf("RTFx                 %8.1f  (features + encoder + greedy decoding, model loaded)\n", j["rtfx"].get<double>());
        std::printf("RTFx without features%8.1f\n", j["rtfx_without_features"].get<double>());
        std::printf("RTFx reference       %8.1f  (plain C++/Eigen, %.0f s of the same audio): %.1fx faster\n",
                    j["rtfx_reference"].get<double>(), ref_seconds, j["speedup_vs_reference"].get<double>());
        std::printf("peak RSS             %8.1f MB (before the reference ran)\n", rss_mb);
        std::printf("state per stream     %8lld bytes\n", static_cast<long long>(recognizer.summary().state_bytes));
        std::printf("tokens emitted       %8zu  (%.1f per second of audio; each runs the predictor once)\n",
                    result.tokens.size(), result.tokens.size() / opt->seconds);
        std::printf("measured f32 peak    %8.1f GFLOP/s on %d threads (FMA)\n", peak, threads);
        if (bf16_dot) std::printf("measured bf16 peak   %8.1f GFLOP/s on %d threads (vdpbf16ps: the bf16 GEMMs' peak)\n", peak_bf16, threads);
        if (amx) std::printf("measured AMX peak    %8.1f GFLOP/s on %d threads (full tiles: the bf16 GEMMs of several tokens)\n", peak_amx, threads);
        std::printf("\n%-26s %8s %10s %9s %8s %5s %7s\n", "kernel", "calls", "seconds", "GFLOP/s", "%peak", "of", "share");
        for (const auto& k : j["kernels"])
            std::printf("%-26s %8ld %10.4f %9.1f %7.1f%% %5s %6.1f%%\n", k["kernel"].get<std::string>().c_str(),
                        k["calls"].get<long>(), k["seconds"].get<double>(), k["gflops"].get<double>(),
                        k["percent_of_peak"].get<double>(), k["peak"].get<std::string>().c_str(), 100.0 * k["share"].get<double>());
        std::printf("kernels cover %.1f%% of the profiled run\n", 100.0 * j["kernel_seconds_share"].get<double>());
    });
}

}  // namespace rwkvt::cli
