// End to end: the tiny model (model/configs/tiny.yaml, char tokenizer) learns five espeak-ng
// sentences until greedy decoding by the inference runtime reproduces them, and the exported model
// run by the runtime matches the LibTorch model (encoder output, greedy tokens).
#include <doctest/doctest.h>
// LibTorch brings glog, whose CHECK macro shadows doctest's: these tests spell DOCTEST_CHECK.

#include <cmath>

#include "fast_log_mel.hpp"
#include "model_file.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/recognizer.hpp"
#include "trainer.hpp"
#include "training_fixture.hpp"
#include "transducer.hpp"

using namespace rwkvt;
using rwkvt::test::RunSettings;
using rwkvt::test::ScratchDir;

namespace {

// Normalised features of a file, as the trainer makes them, as a [1, T, M] tensor.
torch::Tensor features_of(const std::string& wav, const Model& model) {
    int frames = 0;
    std::vector<float> f = train::FastLogMel(model.config.n_mels).compute(load_audio_16k_mono(wav), frames);
    const auto& mean = model.weights.at("frontend.feature_mean").data;
    const auto& std_dev = model.weights.at("frontend.feature_std").data;
    const int m = model.config.n_mels;
    for (int t = 0; t < frames; ++t)
        for (int k = 0; k < m; ++k) f[static_cast<size_t>(t) * m + k] = (f[static_cast<size_t>(t) * m + k] - mean[k]) / std_dev[k];
    return torch::from_blob(f.data(), {1, frames, m}, torch::kFloat32).clone();
}

// Greedy transducer decoding in LibTorch, written plainly from algorithms.md (re-running the
// predictor on the whole prefix each time: slow, obviously correct).
std::vector<int> torch_greedy(train::Transducer& model, const torch::Tensor& features, int max_symbols) {
    torch::NoGradGuard no_grad;
    auto [enc, lengths] = model->encode(features, torch::tensor({features.size(1)}, torch::kInt64));
    const int blank = model->config().blank_id;
    std::vector<int64_t> prefix = {blank};
    for (int64_t t = 0; t < lengths[0].item<int64_t>(); ++t) {
        for (int n = 0; n < max_symbols; ++n) {
            const torch::Tensor pred = model->predict(torch::tensor(prefix, torch::kInt64).unsqueeze(0)).narrow(1, static_cast<int64_t>(prefix.size()) - 1, 1);
            const int k = static_cast<int>(model->joint(enc.narrow(1, t, 1), pred).reshape({-1}).argmax().item<int64_t>());
            if (k == blank) break;
            prefix.push_back(k);
        }
    }
    return std::vector<int>(prefix.begin() + 1, prefix.end());
}

}  // namespace

TEST_CASE("end to end: the tiny model learns five espeak-ng sentences (CER <= 5%), runtime == LibTorch") {
    ScratchDir dir;
    test::make_speech_set(dir);
    RunSettings s;
    s.valid = "data.jsonl";  // the task is memorisation: the training sentences are the validation set
    s.max_steps = 120;  // the RNN-T loss is ~3e-3 per token by then; at 80 steps (~0.09) CER depended on rounding
    s.lr = 5e-3;
    s.final_lr = 5e-4;
    s.warmup = 10;
    s.batch_seconds = 30.0;  // the whole set in every step
    s.checkpoint_every = 40;
    train::RunOptions o;
    o.mode = train::Mode::Joint;
    o.config_path = test::write_train_config(dir, s);
    o.quiet = true;
    const train::RunSummary summary = train::run_training(o);
    MESSAGE("final loss " << summary.last_loss << ", validation WER " << summary.valid_wer << ", CER " << summary.valid_cer);
    DOCTEST_CHECK(summary.steps == s.max_steps);
    DOCTEST_CHECK(summary.valid_cer >= 0.0);
    DOCTEST_CHECK(summary.valid_cer <= 0.05);

    // The exported model in the runtime against the LibTorch model it came from.
    const std::string model_path = dir.file("out/model.safetensors");
    const Model exported = load_model(model_path);
    train::Transducer torch_model(exported.config);
    torch_model->load_from(exported);
    RecognizerOptions ro;
    ro.model_path = model_path;
    ro.threads = 2;
    Recognizer recognizer(ro);
    for (size_t i = 0; i < test::sentences().size(); ++i) {
        const std::string wav = dir.file("utt" + std::to_string(i) + ".wav");
        const std::vector<float> samples = load_audio_16k_mono(wav);
        int frames = 0;
        const std::vector<float> runtime_enc = recognizer.encoder_output(samples, frames);
        const torch::Tensor features = features_of(wav, exported);
        torch::NoGradGuard no_grad;
        const torch::Tensor torch_enc = torch_model->encode(features, torch::tensor({features.size(1)}, torch::kInt64)).first[0];
        REQUIRE(frames == torch_enc.size(0));
        const torch::Tensor diff = (torch::from_blob(const_cast<float*>(runtime_enc.data()), {frames, exported.config.width}) - torch_enc).abs();
        INFO("utterance " << i);
        DOCTEST_CHECK(diff.max().item<double>() < 2e-3);

        std::vector<int> runtime_tokens;
        for (const auto& token : recognizer.transcribe(samples).tokens) runtime_tokens.push_back(token.id);
        DOCTEST_CHECK(runtime_tokens == torch_greedy(torch_model, features, ro.max_symbols_per_frame));
    }
}
