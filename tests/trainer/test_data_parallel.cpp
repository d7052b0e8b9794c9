// Data parallelism: two `rwkvt train` processes (ranks 0 and 1 over loopback, c10d Gloo) give the
// model that one process gets from the same combined batches.
#include <doctest/doctest.h>
// LibTorch brings glog, whose CHECK macro shadows doctest's: these tests spell DOCTEST_CHECK.

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <random>

#include "model_file.hpp"
#include "trainer.hpp"
#include "training_fixture.hpp"

using namespace rwkvt;
using rwkvt::test::RunSettings;
using rwkvt::test::ScratchDir;

namespace {

pid_t start(const std::vector<std::string>& argv) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        std::_Exit(127);
    }
    return pid;
}

int finish(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("data parallel: 2 ranks over loopback == 1 process with the combined batch (within 1e-5)") {
    ScratchDir dir;
    test::make_speech_set(dir);
    // With eps = 1 AdamW's update is nearly proportional to the gradient (not its sign), so a
    // wrongly reduced gradient shows up as a large difference and rounding as a tiny one.
    RunSettings s;
    s.max_steps = 3;
    s.lr = 0.05;
    s.final_lr = 0.05;
    s.warmup = 0;
    s.eps = 1.0;
    s.weight_decay = 0.0;
    s.batch_seconds = 20.0;  // all five utterances in one global batch: rank 0 gets 3, rank 1 gets 2
    s.threads = 1;
    s.out_dir = "single";
    const std::string single = test::write_train_config(dir, s, "single.yaml");
    s.out_dir = "parallel";
    const std::string parallel = test::write_train_config(dir, s, "parallel.yaml");

    REQUIRE(finish(start({RWKVT_BINARY, "train", "--mode", "joint", "--config", single, "--quiet"})) == 0);
    const std::string port = std::to_string(20000 + std::random_device{}() % 30000);
    const pid_t rank0 = start({RWKVT_BINARY, "train", "--mode", "joint", "--config", parallel, "--quiet", "--world-size", "2",
                               "--rank", "0", "--master-addr", "127.0.0.1", "--master-port", port});
    const pid_t rank1 = start({RWKVT_BINARY, "train", "--mode", "joint", "--config", parallel, "--quiet", "--world-size", "2",
                               "--rank", "1", "--master-addr", "127.0.0.1", "--master-port", port});
    REQUIRE(finish(rank0) == 0);
    REQUIRE(finish(rank1) == 0);

    train::export_checkpoint(dir.file("single/checkpoint.ckpt"), dir.file("single.safetensors"), false);
    train::export_checkpoint(dir.file("parallel/checkpoint.ckpt"), dir.file("parallel.safetensors"), false);
    const Model a = load_model(dir.file("single.safetensors"));
    const Model b = load_model(dir.file("parallel.safetensors"));
    double worst = 0;
    for (const auto& [name, t] : a.weights.all()) {
        const Tensor& u = b.weights.at(name);
        for (size_t i = 0; i < t.data.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(t.data[i] - u.data[i])));
    }
    DOCTEST_CHECK(worst <= 1e-5);
}
