// Times the WKV-7 autograd function (Halide forward with checkpoints + Halide backward) against a
// naive autograd loop over the same recurrence, forward + backward, and prints the speed-up.
//
//   wkv7_train_bench [--threads N] [--repeats R] [B T H N]     (defaults: 1 thread, 5, 8 256 9 32)
//
// Both run with the same thread count (at::set_num_threads for torch, halide_set_num_threads for the
// kernels). Medians over the repeats; the machine is shared, so compare within one run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <HalideRuntime.h>
#include <torch/torch.h>

#include "training/wkv7_op.hpp"

namespace {

double median_seconds(int repeats, const std::function<void()>& run) {
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 1, repeats = 5;
    std::vector<int64_t> dims;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
        else if (arg == "--repeats" && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else dims.push_back(std::atoll(argv[i]));
    }
    if (dims.empty()) dims = {8, 256, 9, 32};
    if (dims.size() != 4 || threads < 1 || repeats < 1) {
        std::fprintf(stderr, "usage: wkv7_train_bench [--threads N] [--repeats R] [B T H N]\n");
        return 2;
    }
    const int64_t B = dims[0], T = dims[1], H = dims[2], N = dims[3], C = H * N;
    at::set_num_threads(threads);
    halide_set_num_threads(threads);
    torch::manual_seed(0);

    std::vector<torch::Tensor> inputs = {
        torch::randn({B, T, C}), 0.55 + 0.45 * torch::rand({B, T, C}), torch::randn({B, T, C}), torch::randn({B, T, C}),
        torch::nn::functional::normalize(torch::randn({B, T, H, N}),
                                         torch::nn::functional::NormalizeFuncOptions().dim(-1))
            .reshape({B, T, C}),
        torch::rand({B, T, C})};
    for (torch::Tensor& x : inputs) x.requires_grad_(true);
    const torch::Tensor dy = torch::randn({B, T, C});
    auto step = [&](bool custom) {
        for (torch::Tensor& x : inputs) x.mutable_grad() = torch::Tensor();
        const auto& in = inputs;
        const torch::Tensor y = custom ? rwkvt::train::wkv7(in[0], in[1], in[2], in[3], in[4], in[5], static_cast<int>(N))
                                       : rwkvt::train::wkv7_autograd_loop(in[0], in[1], in[2], in[3], in[4], in[5],
                                                                          static_cast<int>(N));
        (y * dy).sum().backward();
    };
    step(true);  // warm-up (first call picks the kernel target, allocates the thread pool)
    step(false);
    const double custom_forward = median_seconds(repeats, [&] {
        torch::NoGradGuard no_grad;
        rwkvt::train::wkv7(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5], static_cast<int>(N));
    });
    const double custom = median_seconds(repeats, [&] { step(true); });
    const double naive = median_seconds(std::max(1, repeats / 2), [&] { step(false); });
    std::printf("wkv7 forward+backward B=%lld T=%lld H=%lld N=%lld, %d thread(s):\n", static_cast<long long>(B),
                static_cast<long long>(T), static_cast<long long>(H), static_cast<long long>(N), threads);
    std::printf("  custom op (Halide)   %8.2f ms (forward alone %.2f ms)\n", custom * 1e3, custom_forward * 1e3);
    std::printf("  naive autograd loop  %8.2f ms\n", naive * 1e3);
    std::printf("  speed-up             %8.1fx\n", naive / custom);
    return 0;
}
