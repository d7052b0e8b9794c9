// Which utterances go into which batch, epoch by epoch. Utterances are put into length buckets (so a
// batch pads little), shuffled within their bucket, packed greedily into batches whose PADDED size
// (count x longest) stays within the budget (that bounds memory, not just the audio total), and the
// batches are shuffled. Everything is a pure function of (items, seed, epoch) with a fully specified
// generator, so a resumed run re-derives the same order and only needs (epoch, batch index).
//
// In data-parallel training every rank computes the same global plan and takes its shard of each
// batch (utterance i goes to rank i mod world): the ranks together see exactly the batch one process
// would see.
#pragma once

#include <cstdint>
#include <vector>

namespace rwkvt::train {

// A fully specified generator (splitmix64): std::shuffle and the std:: distributions differ between
// standard libraries, and a run's data order should not.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next();
    uint64_t below(uint64_t n);  // uniform in [0, n), n > 0

private:
    uint64_t state_;
};

// Mixes several numbers into one seed (for per-epoch and per-utterance streams).
uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0);

using Batch = std::vector<int>;  // indices into the item list

// `sizes`: one length per item (seconds of audio, or tokens for text). An item larger than the
// budget gets a batch of its own.
std::vector<Batch> plan_epoch(const std::vector<double>& sizes, double budget, int buckets, uint64_t seed, int64_t epoch);

// Rank `rank`'s share of a global batch.
Batch shard(const Batch& batch, int rank, int world_size);

}  // namespace rwkvt::train
