// The training loop behind `rwkvt train` (and `rwkvt export`, which shares its model loading).
//
// One step: the global batch of the epoch's plan (batch_plan.hpp) -> this rank's shard -> audio,
// log-mel (FastLogMel), normalisation with the run's feature statistics, optional augmentation ->
// loss of the mode -> backward -> gradients summed over ranks -> finiteness check -> clipping ->
// AdamW with the scheduled learning rate. Checkpoints capture everything the next step depends on,
// so a resumed run computes exactly what the uninterrupted run would have.
#include "trainer.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "batch_plan.hpp"
#include "checkpoint.hpp"
#include "distributed.hpp"
#include "encode_text.hpp"
#include "fast_log_mel.hpp"
#include "fused_adamw.hpp"
#include "frontend_tables.hpp"
#include "init.hpp"
#include "linear_op.hpp"
#include "lr_schedule.hpp"
#include "model_file.hpp"
#include "rwkvt/audio.hpp"
#include "rwkvt/data/augment.hpp"
#include "rwkvt/data/manifest.hpp"
#include "rwkvt/recognizer.hpp"
#include "scoring.hpp"
#include "training_step.hpp"

namespace rwkvt::train {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
// Greedy decoding's cap on tokens per encoder frame, as the runtime's default.
constexpr int kMaxSymbolsPerFrame = 5;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buffer;
}

int configure_threads(int requested) {
    const int threads = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // LibTorch here defaults to one intra-op thread: set it explicitly.
    at::set_num_threads(threads);
    return threads;
}

// ---- the model and where its weights come from ----------------------------------------------

struct LoadedModel {
    ModelConfig config;
    Tokenizer tokenizer;
    Transducer model{nullptr};
    torch::Tensor feature_mean, feature_std;
    bool has_feature_stats = false;  // false: fresh initialisation, statistics still to compute
};

// A model file or a checkpoint, loaded into a fresh Transducer.
LoadedModel load_source(const std::string& path) {
    LoadedModel m;
    if (is_model_file(path)) {
        const Model file = load_model(path);
        m.config = file.config;
        m.tokenizer = file.tokenizer;
        m.model = Transducer(m.config);
        m.model->load_from(file);
        const Tensor& mean = file.weights.at("frontend.feature_mean");
        const Tensor& std_dev = file.weights.at("frontend.feature_std");
        m.feature_mean = torch::tensor(mean.data, torch::kFloat32);
        m.feature_std = torch::tensor(std_dev.data, torch::kFloat32);
    } else {
        CheckpointInfo info = read_checkpoint_info(path);
        m.config = info.config;
        m.tokenizer = info.tokenizer;
        m.model = Transducer(m.config);
        load_checkpoint_weights(path, m.model);
        m.feature_mean = info.feature_mean;
        m.feature_std = info.feature_std;
    }
    m.has_feature_stats = true;
    return m;
}

bool is_encoder_side(const std::string& name) {
    return name.rfind("encoder.", 0) == 0 || name.rfind("ctc_head.", 0) == 0 || name.rfind("frontend.", 0) == 0;
}

LoadedModel build_model(const TrainConfig& cfg) {
    LoadedModel m;
    if (!cfg.model_config.empty()) {
        m.config = ModelConfig::from_yaml_file(cfg.model_config);
        m.model = Transducer(m.config);
        const Model fresh = init_model(m.config, cfg.init_seed);
        m.model->load_from(fresh);
        m.tokenizer = fresh.tokenizer;
        m.feature_mean = torch::tensor(fresh.weights.at("frontend.feature_mean").data, torch::kFloat32);
        m.feature_std = torch::tensor(fresh.weights.at("frontend.feature_std").data, torch::kFloat32);
    } else if (!cfg.init_from.empty()) {
        m = load_source(cfg.init_from);
    } else {
        // Stage 3: encoder, CTC head and feature statistics from the CTC run; predictor and joiner from
        // the language-model run.
        m = load_source(cfg.encoder_from);
        LoadedModel predictor = load_source(cfg.predictor_from);
        if (predictor.config.to_json() != m.config.to_json())
            throw std::runtime_error("model.predictor_from '" + cfg.predictor_from + "' has model config '" + predictor.config.name +
                                     "', which differs from model.encoder_from's '" + m.config.name + "'");
        torch::NoGradGuard no_grad;
        const auto theirs = predictor.model->named_parameters();
        for (auto& item : m.model->named_parameters())
            if (!is_encoder_side(item.key())) item.value().copy_(theirs[item.key()]);
    }
    if (!cfg.tokenizer.empty()) {
        try {
            m.tokenizer = Tokenizer::from_json_file(cfg.tokenizer);
        } catch (const std::exception& e) {
            throw std::runtime_error(cfg.source_path + ": tokenizer: " + e.what());
        }
    }
    if (m.tokenizer.vocab_size() != m.config.vocab_size || m.tokenizer.blank_id() != m.config.blank_id)
        throw std::runtime_error(cfg.source_path + ": tokenizer has " + std::to_string(m.tokenizer.vocab_size()) + " pieces and blank " +
                                 std::to_string(m.tokenizer.blank_id()) + ", the model config wants " +
                                 std::to_string(m.config.vocab_size) + " and " + std::to_string(m.config.blank_id));
    return m;
}

// ---- speech and text data ------------------------------------------------------------------

struct SpeechItem {
    std::string id;  // the audio path: names the utterance in error messages
    std::string audio_path;
    double seconds = 0.0;
    std::string text;
    std::vector<int> tokens;
};

std::vector<SpeechItem> read_speech(const std::string& manifest, const TextEncoder& encoder, const ModelConfig& config,
                                    const TrainConfig& cfg, bool needs_ctc, bool verbose) {
    const std::vector<data::Utterance> utterances = data::read_manifest(manifest);
    if (utterances.empty()) throw std::runtime_error(manifest + ": manifest is empty (no utterances)");
    std::vector<SpeechItem> items;
    int too_long = 0, too_short = 0;
    for (const auto& u : utterances) {
        SpeechItem item{u.audio_filepath, u.audio_filepath, u.duration, u.text, {}};
        try {
            item.tokens = encoder.encode(u.text);
        } catch (const std::exception& e) {
            throw std::runtime_error(manifest + ": " + u.audio_filepath + ": transcript cannot be tokenized: " + e.what());
        }
        if (u.duration > cfg.max_duration) {
            ++too_long;
            continue;
        }
        // CTC needs a frame per label plus one between repeated labels; such utterances would give
        // an infinite loss, so they are left out (and counted) rather than stopping the run.
        if (needs_ctc) {
            int repeats = 0;
            for (size_t k = 1; k < item.tokens.size(); ++k) repeats += item.tokens[k] == item.tokens[k - 1];
            const int frames = encoder_frame_count(frame_count(std::lround(u.duration * kSampleRate)));
            if (static_cast<int>(item.tokens.size()) + repeats > frames) {
                ++too_short;
                continue;
            }
        }
        items.push_back(std::move(item));
    }
    (void)config;
    if (verbose && (too_long || too_short))
        std::fprintf(stderr, "rwkvt train: %s: skipped %d utterances longer than %.1f s and %d too short for their transcript\n",
                     manifest.c_str(), too_long, cfg.max_duration, too_short);
    if (items.empty()) throw std::runtime_error(manifest + ": no usable utterances (all too long or too short for their transcripts)");
    return items;
}

struct TextItem {
    std::string id;  // file:line
    std::vector<int> tokens;
};

std::vector<TextItem> read_text(const std::string& path, const TextEncoder& encoder) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the text corpus");
    std::vector<TextItem> items;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        TextItem item{path + ":" + std::to_string(number), {}};
        try {
            item.tokens = encoder.encode(line);
        } catch (const std::exception& e) {
            throw std::runtime_error(item.id + ": cannot be tokenized: " + e.what());
        }
        if (!item.tokens.empty()) items.push_back(std::move(item));
    }
    if (items.empty()) throw std::runtime_error(path + ": text corpus is empty");
    return items;
}

// Audio -> unnormalised log-mel, with an in-memory cache while the data fits (features are
// deterministic unless waveform augmentation is on, in which case nothing is cached).
class FeatureSource {
public:
    FeatureSource(int n_mels, bool cache) : log_mel_(n_mels), cache_(cache) {}
    int n_mels() const { return log_mel_.n_mels(); }

    std::vector<float> log_mel(const SpeechItem& item, int& frames, const data::augment::WaveformAugmentOptions* augment, uint64_t seed) {
        if (!augment && cache_) {
            auto found = cached_.find(item.id);
            if (found != cached_.end()) {
                frames = found->second.second;
                return found->second.first;
            }
        }
        std::vector<float> samples = load_audio_16k_mono(item.audio_path);
        if (augment) samples = data::augment::augment_waveform(samples, *augment, seed);
        std::vector<float> features = log_mel_.compute(samples, frames);
        if (frames == 0) throw std::runtime_error(item.id + ": audio shorter than one 25 ms frame");
        if (!augment && cache_ && cached_bytes_ + features.size() * sizeof(float) <= kCacheBytes) {
            cached_bytes_ += features.size() * sizeof(float);
            cached_[item.id] = {features, frames};
        }
        return features;
    }

private:
    static constexpr size_t kCacheBytes = size_t{2} << 30;
    FastLogMel log_mel_;
    bool cache_;
    size_t cached_bytes_ = 0;
    std::map<std::string, std::pair<std::vector<float>, int>> cached_;
};

// Per-bin mean and standard deviation over a seeded sample of the training utterances (spec §1:
// computed once over the training set, stored in the model; never per utterance).
std::pair<torch::Tensor, torch::Tensor> compute_feature_stats(const std::vector<SpeechItem>& items, FeatureSource& source, int sample,
                                                              uint64_t seed) {
    std::vector<int> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    SplitMix64 g(mix_seed(seed, 0x7374617473ull));
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[g.below(i)]);
    const int n_mels = source.n_mels();
    std::vector<double> sum(n_mels, 0.0), sum_sq(n_mels, 0.0);
    double count = 0;
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(sample); ++k) {
        int frames = 0;
        const std::vector<float> f = source.log_mel(items[static_cast<size_t>(order[k])], frames, nullptr, 0);
        for (int t = 0; t < frames; ++t)
            for (int m = 0; m < n_mels; ++m) {
                const double v = f[static_cast<size_t>(t) * n_mels + m];
                sum[m] += v;
                sum_sq[m] += v * v;
            }
        count += frames;
    }
    torch::Tensor mean = torch::empty({n_mels}, torch::kFloat32), std_dev = torch::empty({n_mels}, torch::kFloat32);
    for (int m = 0; m < n_mels; ++m) {
        const double mu = sum[m] / count;
        mean[m] = static_cast<float>(mu);
        // A floor keeps a constant bin (e.g. all log floor in digital silence) from dividing by zero.
        std_dev[m] = static_cast<float>(std::sqrt(std::max(sum_sq[m] / count - mu * mu, 1e-6)));
    }
    return {mean, std_dev};
}

// ---- metrics -------------------------------------------------------------------------------

// Drops metric lines written after `step` (by a run that was killed before its next checkpoint), so
// a resumed run's curve has no duplicate or orphaned points.
void trim_metrics(const std::string& path, int64_t step) {
    std::ifstream in(path);
    if (!in) return;
    std::string kept, line;
    while (std::getline(in, line)) {
        try {
            if (nlohmann::json::parse(line).value("step", int64_t{0}) > step) continue;
        } catch (const std::exception&) {
            continue;  // a half-written last line of a killed run
        }
        kept += line + "\n";
    }
    in.close();
    write_file_atomically(path, {{kept.data(), kept.size()}});
}

void append_metrics(const std::string& path, const nlohmann::json& record) {
    std::ofstream out(path, std::ios::app);
    out << record.dump() << "\n";
}

// ---- the trainer -----------------------------------------------------------------------------

class Trainer {
public:
    explicit Trainer(const RunOptions& options)
        : options_(options),
          cfg_(load_train_config(options.config_path)),
          parallel_(options.world_size, options.rank, options.master_addr, options.master_port) {
        cfg_.require_inputs_for(options.mode);
        verbose_ = !options.quiet && parallel_.is_primary();
        threads_ = configure_threads(cfg_.threads);
        try {
            set_matmul_precision(cfg_.matmul_precision);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(cfg_.source_path + ": optim.matmul_precision: " + e.what());
        }
        if (verbose_ && !std::getenv("OMP_WAIT_POLICY"))
            std::fprintf(stderr, "rwkvt train: note: OMP_WAIT_POLICY is unset: `rwkvt train` sets it to passive, which trains ~1.4x faster\n");
        if (parallel_.is_primary()) fs::create_directories(cfg_.out_dir);

        loaded_ = build_model(cfg_);
        model_ = loaded_.model;
        encoder_ = std::make_unique<TextEncoder>(loaded_.tokenizer);
        const bool speech = options.mode != Mode::Lm;
        if (speech) {
            source_ = std::make_unique<FeatureSource>(loaded_.config.n_mels, !cfg_.augment);
            train_speech_ = read_speech(cfg_.train_manifest, *encoder_, loaded_.config, cfg_, true, verbose_);
            if (!cfg_.valid_manifest.empty()) valid_speech_ = read_speech(cfg_.valid_manifest, *encoder_, loaded_.config, cfg_, true, false);
            for (const auto& item : train_speech_) sizes_.push_back(item.seconds);
            budget_ = cfg_.batch_seconds;
        } else {
            train_text_ = read_text(cfg_.text_corpus, *encoder_);
            for (const auto& item : train_text_) sizes_.push_back(static_cast<double>(item.tokens.size()));
            budget_ = cfg_.lm_batch_tokens;
            // The language model is validated on the transcripts of the validation manifest, if any.
            if (!cfg_.valid_manifest.empty())
                for (const auto& u : data::read_manifest(cfg_.valid_manifest)) valid_text_.push_back({u.audio_filepath, encoder_->encode(u.text)});
        }

        const int64_t batches_per_epoch = static_cast<int64_t>(plan_epoch(sizes_, budget_, cfg_.buckets, cfg_.seed, 0).size());
        total_steps_ = cfg_.max_steps > 0 ? cfg_.max_steps : batches_per_epoch * cfg_.epochs;

        make_optimizer();
        if (options.resume) {
            resume();
        } else {
            if (!loaded_.has_feature_stats && speech) {
                auto [mean, std_dev] = compute_feature_stats(train_speech_, *source_, cfg_.feature_stats_utterances, cfg_.seed);
                loaded_.feature_mean = mean;
                loaded_.feature_std = std_dev;
            }
            if (parallel_.is_primary()) std::remove(cfg_.metrics_path().c_str());
        }
        model_->set_feature_stats(loaded_.feature_mean, loaded_.feature_std);
        mean_ = std::vector<float>(loaded_.feature_mean.data_ptr<float>(), loaded_.feature_mean.data_ptr<float>() + loaded_.feature_mean.numel());
        std_ = std::vector<float>(loaded_.feature_std.data_ptr<float>(), loaded_.feature_std.data_ptr<float>() + loaded_.feature_std.numel());
        if ((cfg_.augment || cfg_.spec_augment) && verbose_)
            std::fprintf(stderr, "rwkvt train: augmentation on (%s%s)\n", cfg_.augment ? "waveform " : "", cfg_.spec_augment ? "SpecAugment" : "");
    }

    RunSummary run();

private:
    void make_optimizer();
    void resume();
    void save(const std::string& why);
    std::vector<UtteranceFeatures> load_features(const std::vector<int>& indices, const std::vector<SpeechItem>& items, bool augment);
    double batch_tokens(const Batch& batch) const;
    void step(const Batch& global);
    void validate();
    void log_progress(double lr);

    RunOptions options_;
    TrainConfig cfg_;
    DataParallel parallel_;
    bool verbose_ = false;
    int threads_ = 1;
    LoadedModel loaded_;
    Transducer model_{nullptr};
    std::unique_ptr<TextEncoder> encoder_;
    std::unique_ptr<FeatureSource> source_;
    std::vector<SpeechItem> train_speech_, valid_speech_;
    std::vector<TextItem> train_text_, valid_text_;
    std::vector<double> sizes_;
    double budget_ = 0.0;
    int64_t total_steps_ = 0;
    std::vector<float> mean_, std_;
    std::unique_ptr<FusedAdamW> optimizer_;
    std::vector<torch::Tensor> trained_;  // the parameters this mode trains
    Progress progress_;
    LossTerms last_{};
    double last_loss_ = 0.0;
    RunSummary summary_;
    // This session's counters for throughput and ETA (a resumed run starts a new session).
    Clock::time_point session_start_ = Clock::now();
    double session_audio_ = 0.0;
    int64_t session_steps_ = 0;
};

void Trainer::make_optimizer() {
    // Which parameters the mode trains: CTC the encoder side, LM the predictor side, joint all.
    // Weight decay only on matrices and convolution kernels named ".weight" (RWKV-7's rule: not on
    // LoRA factors, mixes, decay offsets, norms or biases).
    std::vector<torch::Tensor> decay, no_decay;
    for (auto& item : model_->named_parameters()) {
        const std::string& name = item.key();
        const bool encoder_side = is_encoder_side(name);
        if (options_.mode == Mode::Ctc && !encoder_side) continue;
        if (options_.mode == Mode::Lm && encoder_side) continue;
        item.value().set_requires_grad(true);
        const bool is_weight = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
        (item.value().dim() >= 2 && is_weight ? decay : no_decay).push_back(item.value());
        trained_.push_back(item.value());
    }
    auto options = torch::optim::AdamWOptions(cfg_.lr).betas({cfg_.beta1, cfg_.beta2}).eps(cfg_.eps);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options).weight_decay(cfg_.weight_decay)));
    groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options).weight_decay(0.0)));
    optimizer_ = std::make_unique<FusedAdamW>(groups, options);
}

void Trainer::resume() {
    const std::string path = cfg_.checkpoint_path();
    if (!fs::exists(path)) throw std::runtime_error("--resume: no checkpoint at '" + path + "'");
    const CheckpointInfo info = read_checkpoint_info(path);
    if (info.mode != mode_name(options_.mode))
        throw std::runtime_error("checkpoint '" + path + "' was written by --mode " + info.mode + "; resume it with that mode, or start a new run with model.init_from");
    load_checkpoint_weights(path, model_);  // checks the model config
    load_checkpoint_optimizer(path, *optimizer_);
    restore_checkpoint_rng(path);
    progress_ = info.progress;
    loaded_.tokenizer = info.tokenizer;
    loaded_.feature_mean = info.feature_mean;
    loaded_.feature_std = info.feature_std;
    if (parallel_.is_primary()) trim_metrics(cfg_.metrics_path(), progress_.step);
    if (verbose_) std::fprintf(stderr, "rwkvt train: resuming at step %lld (epoch %lld, batch %lld)\n",
                               static_cast<long long>(progress_.step), static_cast<long long>(progress_.epoch),
                               static_cast<long long>(progress_.batch_in_epoch));
}

void Trainer::save(const std::string& why) {
    if (parallel_.is_primary()) {
        CheckpointInfo info;
        info.config = loaded_.config;
        info.tokenizer = loaded_.tokenizer;
        info.mode = mode_name(options_.mode);
        info.progress = progress_;
        info.feature_mean = loaded_.feature_mean;
        info.feature_std = loaded_.feature_std;
        save_checkpoint(cfg_.checkpoint_path(), info, model_, optimizer_.get());
        if (verbose_ && why != "periodic") std::fprintf(stderr, "rwkvt train: checkpoint at step %lld (%s)\n", static_cast<long long>(progress_.step), why.c_str());
    }
    parallel_.barrier();
}

std::vector<UtteranceFeatures> Trainer::load_features(const std::vector<int>& indices, const std::vector<SpeechItem>& items, bool augment) {
    data::augment::WaveformAugmentOptions waveform;
    waveform.probability = cfg_.augment_fraction;
    waveform.formant_probability = cfg_.formant_probability;
    waveform.formant_min = cfg_.formant_min;
    waveform.formant_max = cfg_.formant_max;
    std::vector<UtteranceFeatures> out;
    const int n_mels = loaded_.config.n_mels;
    for (int index : indices) {
        const SpeechItem& item = items[static_cast<size_t>(index)];
        // Augmentation draws from a seed of (run seed, step, utterance): reproducible and resumable.
        const uint64_t seed = mix_seed(cfg_.seed, static_cast<uint64_t>(progress_.step), static_cast<uint64_t>(index));
        UtteranceFeatures u;
        u.id = item.id;
        u.tokens = item.tokens;
        u.seconds = item.seconds;
        u.features = source_->log_mel(item, u.frames, augment && cfg_.augment ? &waveform : nullptr, seed);
        for (int t = 0; t < u.frames; ++t)
            for (int m = 0; m < n_mels; ++m) {
                float& v = u.features[static_cast<size_t>(t) * n_mels + m];
                v = (v - mean_[m]) / std_[m];
            }
        if (augment && cfg_.spec_augment) {
            data::augment::SpecAugmentOptions masks;
            masks.frequency_masks = cfg_.spec_augment_frequency_masks;
            masks.time_masks = cfg_.spec_augment_time_masks;
            data::augment::spec_augment(u.features.data(), u.frames, n_mels, masks, seed ^ 0x5350454355ull);
        }
        out.push_back(std::move(u));
    }
    return out;
}

double Trainer::batch_tokens(const Batch& batch) const {
    double tokens = 0;
    for (int i : batch)
        tokens += options_.mode == Mode::Lm ? train_text_[static_cast<size_t>(i)].tokens.size() : train_speech_[static_cast<size_t>(i)].tokens.size();
    return std::max(1.0, tokens);
}

void Trainer::step(const Batch& global) {
    const Batch mine = shard(global, parallel_.rank(), parallel_.world_size());
    const double normaliser = batch_tokens(global);
    optimizer_->zero_grad();
    LossTerms terms;
    std::vector<std::string> ids;
    if (!mine.empty()) {
        if (options_.mode == Mode::Lm) {
            std::vector<const std::vector<int>*> lists;
            for (int i : mine) {
                lists.push_back(&train_text_[static_cast<size_t>(i)].tokens);
                ids.push_back(train_text_[static_cast<size_t>(i)].id);
            }
            terms = text_loss(model_, collate_text(lists, ids, loaded_.config.blank_id), normaliser);
        } else {
            const SpeechBatch batch = collate_speech(load_features(mine, train_speech_, true), loaded_.config.n_mels, loaded_.config.blank_id);
            ids = batch.ids;
            terms = speech_loss(model_, batch, options_.mode, normaliser, cfg_.ctc_lambda, cfg_.prune_range);
        }
        terms.total.backward();
    }
    // Every rank contributes a gradient for every trained parameter (zeros for an empty shard), and
    // the sum over ranks is the whole batch's gradient.
    std::vector<torch::Tensor> grads;
    for (auto& p : trained_) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    parallel_.all_reduce_sum(grads);
    const double local = mine.empty() ? 0.0 : terms.total.item<double>();
    const double loss = parallel_.all_reduce_sum(local);
    last_.rnnt = parallel_.all_reduce_sum(terms.rnnt);
    last_.ctc = parallel_.all_reduce_sum(terms.ctc);
    last_.lm = parallel_.all_reduce_sum(terms.lm);

    auto stop = [&](const std::string& what) {
        std::string list;
        for (int i : global) {
            list += list.empty() ? "" : ", ";
            list += options_.mode == Mode::Lm ? train_text_[static_cast<size_t>(i)].id : train_speech_[static_cast<size_t>(i)].id;
        }
        throw std::runtime_error("step " + std::to_string(progress_.step + 1) + ": " + what + " on the batch of [" + list +
                                 "]; stopped before updating the model (the last good checkpoint '" + cfg_.checkpoint_path() + "' is kept)");
    };
    if (!std::isfinite(loss)) stop("loss is " + std::to_string(loss));
    double norm = 0.0;
    if (cfg_.grad_clip > 0) {
        norm = torch::nn::utils::clip_grad_norm_(trained_, cfg_.grad_clip);
    } else {
        for (auto& g : grads) norm += g.pow(2).sum().item<double>();
        norm = std::sqrt(norm);
    }
    if (!std::isfinite(norm)) stop("gradient norm is " + std::to_string(norm));

    const double lr = learning_rate(progress_.step, cfg_.lr, cfg_.final_lr, cfg_.warmup_steps, total_steps_);
    for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer_->step();

    double audio = 0.0;
    if (options_.mode != Mode::Lm)
        for (int i : global) audio += train_speech_[static_cast<size_t>(i)].seconds;
    progress_.step += 1;
    progress_.batch_in_epoch += 1;
    progress_.audio_seconds += audio;
    session_audio_ += audio;
    session_steps_ += 1;
    last_loss_ = loss;

    if (parallel_.is_primary() && (progress_.step % cfg_.log_every == 0 || progress_.step == total_steps_)) {
        const double elapsed = seconds_since(session_start_);
        nlohmann::json record = {{"type", "train"}, {"step", progress_.step}, {"epoch", progress_.epoch}, {"loss", loss},
                                 {"lr", lr}, {"grad_norm", norm}, {"audio_hours", progress_.audio_seconds / 3600.0},
                                 {"audio_hours_per_hour", elapsed > 0 ? session_audio_ / elapsed : 0.0}, {"elapsed_s", elapsed}};
        if (options_.mode != Mode::Lm) record["ctc"] = last_.ctc;
        if (options_.mode == Mode::Joint) record["rnnt"] = last_.rnnt;
        append_metrics(cfg_.metrics_path(), record);
        log_progress(lr);
    }
}

void Trainer::log_progress(double lr) {
    if (!verbose_) return;
    const double elapsed = seconds_since(session_start_);
    const double per_step = session_steps_ > 0 ? elapsed / static_cast<double>(session_steps_) : 0.0;
    const double eta = per_step * static_cast<double>(total_steps_ - progress_.step);
    std::string parts;
    char buffer[160];
    if (options_.mode == Mode::Joint) {
        std::snprintf(buffer, sizeof buffer, " (rnnt %.4f ctc %.4f)", last_.rnnt, last_.ctc);
        parts = buffer;
    }
    std::snprintf(buffer, sizeof buffer, "step %lld/%lld  epoch %lld  loss %.4f", static_cast<long long>(progress_.step),
                  static_cast<long long>(total_steps_), static_cast<long long>(progress_.epoch), last_loss_);
    std::string line = buffer + parts;
    if (options_.mode != Mode::Lm) {
        std::snprintf(buffer, sizeof buffer, "  lr %.2e  %.1f h audio/h  ETA %s", lr, elapsed > 0 ? session_audio_ / elapsed : 0.0,
                      format_duration(eta).c_str());
    } else {
        std::snprintf(buffer, sizeof buffer, "  lr %.2e  %.1f steps/s  ETA %s", lr, per_step > 0 ? 1.0 / per_step : 0.0, format_duration(eta).c_str());
    }
    std::fprintf(stderr, "%s%s\n", line.c_str(), buffer);
}

void Trainer::validate() {
    if (!parallel_.is_primary()) return;
    torch::NoGradGuard no_grad;
    nlohmann::json record = {{"type", "valid"}, {"step", progress_.step}};
    const int limit = cfg_.valid_max_utterances;
    if (options_.mode == Mode::Lm) {
        if (valid_text_.empty()) return;
        double total = 0, tokens = 0;
        for (size_t begin = 0; begin < valid_text_.size() && begin < static_cast<size_t>(limit); begin += 32) {
            std::vector<const std::vector<int>*> lists;
            std::vector<std::string> ids;
            double batch_tokens = 0;
            for (size_t i = begin; i < std::min({valid_text_.size(), begin + 32, static_cast<size_t>(limit)}); ++i) {
                lists.push_back(&valid_text_[i].tokens);
                ids.push_back(valid_text_[i].id);
                batch_tokens += valid_text_[i].tokens.size();
            }
            total += text_loss(model_, collate_text(lists, ids, loaded_.config.blank_id), 1.0).total.item<double>();
            tokens += batch_tokens;
        }
        record["loss"] = total / std::max(1.0, tokens);
        record["perplexity"] = std::exp(total / std::max(1.0, tokens));
    } else {
        if (valid_speech_.empty()) return;
        const size_t count = std::min(valid_speech_.size(), static_cast<size_t>(limit));
        double total = 0, tokens = 0;
        ErrorCounts words, chars;
        // The joint model is decoded by the inference runtime itself (export, load, greedy transducer
        // decoding): validation then measures the real path, kernels and all.
        std::unique_ptr<Recognizer> recognizer;
        const std::string exported = cfg_.out_dir + "/.validation.safetensors";
        const bool use_runtime = options_.mode == Mode::Joint && cfg_.valid_decoder == "runtime";
        if (use_runtime) {
            Model m = model_->to_model(loaded_.tokenizer, "validation export at step " + std::to_string(progress_.step));
            save_model(m, exported);
            RecognizerOptions ro;
            ro.model_path = exported;
            ro.threads = threads_;
            recognizer = std::make_unique<Recognizer>(ro);
        }
        for (size_t begin = 0; begin < count; begin += 8) {
            std::vector<int> indices;
            for (size_t i = begin; i < std::min(count, begin + 8); ++i) indices.push_back(static_cast<int>(i));
            const SpeechBatch batch = collate_speech(load_features(indices, valid_speech_, false), loaded_.config.n_mels, loaded_.config.blank_id);
            double batch_tokens = 0;
            for (int i : indices) batch_tokens += valid_speech_[static_cast<size_t>(i)].tokens.size();
            total += speech_loss(model_, batch, options_.mode, 1.0, cfg_.ctc_lambda, cfg_.prune_range).total.item<double>();
            tokens += batch_tokens;
            std::vector<std::string> hypotheses;
            if (options_.mode == Mode::Ctc) {
                for (const auto& ids : ctc_greedy_decode(model_, batch)) hypotheses.push_back(loaded_.tokenizer.decode(ids));
            } else if (!use_runtime) {
                auto [encoded, lengths] = model_->encode(batch.features, batch.feature_lengths);
                for (int64_t b = 0; b < encoded.size(0); ++b)
                    hypotheses.push_back(loaded_.tokenizer.decode(
                        transducer_greedy_decode(model_, encoded[b].narrow(0, 0, lengths[b].item<int64_t>()), kMaxSymbolsPerFrame)));
            } else {
                for (int i : indices) hypotheses.push_back(recognizer->transcribe(load_audio_16k_mono(valid_speech_[static_cast<size_t>(i)].audio_path)).text);
            }
            for (size_t k = 0; k < indices.size(); ++k) {
                const std::string& reference = valid_speech_[static_cast<size_t>(indices[k])].text;
                words += word_errors(reference, hypotheses[k]);
                chars += char_errors(reference, hypotheses[k]);
            }
        }
        if (recognizer) {
            recognizer.reset();
            std::remove(exported.c_str());
        }
        record["loss"] = total / std::max(1.0, tokens);
        record["wer"] = words.rate();
        record["cer"] = chars.rate();
        record["utterances"] = count;
        summary_.valid_wer = words.rate();
        summary_.valid_cer = chars.rate();
    }
    append_metrics(cfg_.metrics_path(), record);
    if (verbose_) std::fprintf(stderr, "validation at step %lld: %s\n", static_cast<long long>(progress_.step), record.dump().c_str());
}

RunSummary Trainer::run() {
    std::vector<Batch> plan;
    int64_t planned_epoch = -1;
    bool validated_now = false;
    while (progress_.step < total_steps_) {
        if (cfg_.max_steps == 0 && progress_.epoch >= cfg_.epochs) break;
        if (planned_epoch != progress_.epoch) {
            plan = plan_epoch(sizes_, budget_, cfg_.buckets, cfg_.seed, progress_.epoch);
            planned_epoch = progress_.epoch;
        }
        if (progress_.batch_in_epoch >= static_cast<int64_t>(plan.size())) {
            progress_.epoch += 1;
            progress_.batch_in_epoch = 0;
            continue;
        }
        step(plan[static_cast<size_t>(progress_.batch_in_epoch)]);
        if (progress_.batch_in_epoch >= static_cast<int64_t>(plan.size())) {
            progress_.epoch += 1;
            progress_.batch_in_epoch = 0;
        }
        validated_now = false;
        if (cfg_.valid_every > 0 && progress_.step % cfg_.valid_every == 0) {
            validate();
            validated_now = true;
            parallel_.barrier();
        }
        if (options_.stop_after_step > 0 && progress_.step >= options_.stop_after_step) {
            save("stopped as asked");
            summary_.steps = progress_.step;
            summary_.last_loss = last_loss_;
            return summary_;
        }
        if (progress_.step % cfg_.checkpoint_every == 0) save("periodic");
    }
    if (!validated_now) {
        validate();
        parallel_.barrier();
    }
    save("end of training");
    if (parallel_.is_primary() && options_.mode != Mode::Lm) {
        save_model(model_->to_model(loaded_.tokenizer, std::string("trained: rwkvt train --mode ") + mode_name(options_.mode) + ", step " +
                                                           std::to_string(progress_.step)),
                   cfg_.final_model_path());
        if (verbose_) std::fprintf(stderr, "rwkvt train: model written to %s\n", cfg_.final_model_path().c_str());
    }
    summary_.steps = progress_.step;
    summary_.last_loss = last_loss_;
    return summary_;
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

}  // namespace

RunSummary run_training(const RunOptions& options) {
    try {
        Trainer trainer(options);
        return trainer.run();
    } catch (const c10::Error& e) {
        // torch's messages carry a C++ stack trace over many lines; the first line says what happened.
        throw std::runtime_error("torch: " + std::string(e.what_without_backtrace()).substr(0, std::string(e.what_without_backtrace()).find('\n')));
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(one_line(e.what()));
    }
}

void export_checkpoint(const std::string& checkpoint_path, const std::string& model_path, bool bf16) {
    const CheckpointInfo info = read_checkpoint_info(checkpoint_path);
    Transducer model(info.config);
    load_checkpoint_weights(checkpoint_path, model);
    model->set_feature_stats(info.feature_mean, info.feature_std);
    const Model m = model->to_model(info.tokenizer, "trained: rwkvt train --mode " + info.mode + ", step " + std::to_string(info.progress.step));
    save_model(m, model_path, bf16 ? StorageDtype::BF16 : StorageDtype::F32);
}

// ---- benchmark ---------------------------------------------------------------------------------

BenchmarkResult run_benchmark(const BenchmarkOptions& options) {
    BenchmarkResult result;
    result.threads = configure_threads(options.threads);
    set_matmul_precision(options.matmul_precision);
    const ModelConfig config = ModelConfig::from_yaml_file(options.model_config);
    Transducer model(config);
    model->load_from(init_model(config, 1));
    auto adam = torch::optim::AdamWOptions(1e-4).betas({0.9, 0.99}).weight_decay(0.01);
    FusedAdamW optimizer(model->parameters(), adam);  // as the trainer
    FastLogMel log_mel(config.n_mels);
    SplitMix64 g(42);
    const size_t samples = static_cast<size_t>(options.seconds * kSampleRate);
    const int tokens = std::max(1, static_cast<int>(std::lround(options.seconds * options.tokens_per_second)));
    std::vector<double> step_times, feature_times;
    std::unique_ptr<OperatorProfile> profile;
    for (int s = 0; s < options.steps + 1; ++s) {
        if (s == 1 && options.profile) profile = std::make_unique<OperatorProfile>();  // after the warm-up step
        const auto start = Clock::now();
        std::vector<UtteranceFeatures> utterances;
        for (int b = 0; b < options.batch; ++b) {
            // Noise at a speech-like level; the model's cost does not depend on what the audio says.
            std::vector<float> audio(samples);
            for (float& x : audio) x = static_cast<float>(static_cast<double>(g.next() >> 11) / 9007199254740992.0 - 0.5) * 0.2f;
            UtteranceFeatures u;
            u.features = log_mel.compute(audio, u.frames);
            for (float& v : u.features) v = (v + 5.0f) / 4.0f;
            for (int k = 0; k < tokens; ++k) {
                // Any id but the blank.
                const int id = static_cast<int>(g.below(static_cast<uint64_t>(config.vocab_size - 1)));
                u.tokens.push_back(id >= config.blank_id ? id + 1 : id);
            }
            u.seconds = options.seconds;
            utterances.push_back(std::move(u));
        }
        const SpeechBatch batch = collate_speech(utterances, config.n_mels, config.blank_id);
        const double features_done = seconds_since(start);
        optimizer.zero_grad();
        LossTerms terms = speech_loss(model, batch, Mode::Joint, static_cast<double>(tokens * options.batch), 0.25, options.prune_range);
        terms.total.backward();
        torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
        optimizer.step();
        if (s > 0) {  // the first step pays one-off allocation and thread start-up
            step_times.push_back(seconds_since(start));
            feature_times.push_back(features_done);
        }
    }
    if (profile) result.operators = profile->stop();
    std::vector<double> sorted = step_times;
    std::sort(sorted.begin(), sorted.end());
    result.step_seconds_median = sorted[sorted.size() / 2];
    result.audio_hours_per_hour = options.batch * options.seconds / result.step_seconds_median;
    double f = 0, t = 0;
    for (size_t i = 0; i < step_times.size(); ++i) f += feature_times[i], t += step_times[i];
    result.features_share = f / t;
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    result.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    return result;
}

}  // namespace rwkvt::train
