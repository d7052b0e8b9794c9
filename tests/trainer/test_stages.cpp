// The three training stages chained as the recipe runs them: CTC pre-training of the encoder, the
// predictor as a language model on text (its loss falls), and joint training that starts from the
// stage 1 encoder and the stage 2 predictor (with the pruned RNN-T loss) holding exactly their
// weights. Tiny config, char tokenizer.
#include <doctest/doctest.h>
// LibTorch brings glog, whose CHECK macro shadows doctest's: these tests spell DOCTEST_CHECK.

#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "model_file.hpp"
#include "trainer.hpp"
#include "training_fixture.hpp"

using namespace rwkvt;
using rwkvt::test::RunSettings;
using rwkvt::test::ScratchDir;

namespace {

// The training losses of metrics.jsonl, in step order.
std::vector<double> training_losses(const std::string& metrics) {
    std::vector<double> losses;
    std::ifstream in(metrics);
    std::string line;
    while (std::getline(in, line)) {
        const nlohmann::json record = nlohmann::json::parse(line);
        if (record.at("type") == "train") losses.push_back(record.at("loss").get<double>());
    }
    return losses;
}

// Every tensor of `a` whose name starts with one of `prefixes` equals b's, bit for bit.
void check_same_tensors(const Model& a, const Model& b, const std::vector<std::string>& prefixes) {
    int compared = 0;
    for (const auto& [name, tensor] : a.weights.all()) {
        bool wanted = false;
        for (const std::string& p : prefixes) wanted = wanted || name.rfind(p, 0) == 0;
        if (!wanted) continue;
        INFO(name);
        REQUIRE(b.weights.contains(name));
        DOCTEST_CHECK(tensor.data == b.weights.at(name).data);
        ++compared;
    }
    DOCTEST_CHECK(compared > 3);
}

}  // namespace

TEST_CASE("stages: CTC encoder, LM predictor, then joint training from both (pruned RNN-T)") {
    ScratchDir dir;
    test::make_speech_set(dir);

    // Stage 1: CTC.
    RunSettings ctc;
    ctc.out_dir = "ctc";
    ctc.max_steps = 4;
    train::RunOptions o;
    o.mode = train::Mode::Ctc;
    o.config_path = test::write_train_config(dir, ctc, "ctc.yaml");
    o.quiet = true;
    DOCTEST_CHECK(train::run_training(o).steps == 4);

    // Stage 2: the predictor learns the sentences' text; its loss falls.
    {
        std::ofstream text(dir.file("text.txt"));
        for (int repeat = 0; repeat < 20; ++repeat)
            for (const std::string& s : test::sentences()) text << s << "\n";
        std::ofstream yaml(dir.file("lm.yaml"));
        yaml << "model:\n  config: " RWKVT_SOURCE_DIR "/model/configs/tiny.yaml\n  init_seed: 5\n"
             << "data:\n  text: text.txt\n  lm_batch_tokens: 600\n"
             << "optim:\n  lr: 5.0e-3\n  final_lr: 1.0e-3\n  warmup_steps: 2\n"
             << "run:\n  out_dir: lm\n  max_steps: 25\n  seed: 2\n  threads: 2\n  log_every: 1\n  valid_every: 0\n  checkpoint_every: 100\n";
    }
    o.mode = train::Mode::Lm;
    o.config_path = dir.file("lm.yaml");
    DOCTEST_CHECK(train::run_training(o).steps == 25);
    const std::vector<double> lm_losses = training_losses(dir.file("lm/metrics.jsonl"));
    REQUIRE(lm_losses.size() == 25);
    MESSAGE("LM loss " << lm_losses.front() << " -> " << lm_losses.back());
    DOCTEST_CHECK(lm_losses.back() < 0.6 * lm_losses.front());

    // Stage 3 with a zero learning rate: one pruned-loss step leaves the weights it loaded untouched.
    RunSettings joint;
    joint.out_dir = "joint";
    joint.max_steps = 1;
    joint.lr = 0.0;
    joint.final_lr = 0.0;
    joint.extra_model = "  encoder_from: ctc/checkpoint.ckpt\n  predictor_from: lm/checkpoint.ckpt\n";
    joint.extra_optim = "  prune_range: 3\n";
    o.mode = train::Mode::Joint;
    o.config_path = test::write_train_config(dir, joint, "joint.yaml");
    const train::RunSummary summary = train::run_training(o);
    DOCTEST_CHECK(summary.steps == 1);
    DOCTEST_CHECK(std::isfinite(summary.last_loss));
    DOCTEST_CHECK(summary.last_loss > 0.0);

    const Model stage1 = load_model(dir.file("ctc/model.safetensors"));
    // The LM stage writes no model file of its own (it has no feature statistics): export its checkpoint.
    train::export_checkpoint(dir.file("lm/checkpoint.ckpt"), dir.file("lm/exported.safetensors"), false);
    const Model stage2 = load_model(dir.file("lm/exported.safetensors"));
    const Model stage3 = load_model(dir.file("joint/model.safetensors"));
    check_same_tensors(stage1, stage3, {"encoder.", "frontend.", "ctc_head."});
    check_same_tensors(stage2, stage3, {"predictor.", "joiner."});
}
