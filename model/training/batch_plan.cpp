#include "batch_plan.hpp"

#include <algorithm>
#include <numeric>

namespace rwkvt::train {

uint64_t SplitMix64::next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t n) {
    // Rejection sampling: no modulo bias, and still fully specified.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
}

uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c) {
    SplitMix64 g(a);
    uint64_t s = g.next() ^ (b * 0xd1342543de82ef95ull);
    SplitMix64 h(s);
    return h.next() ^ (c * 0x9e3779b97f4a7c15ull);
}

namespace {

template <typename T>
void shuffle(std::vector<T>& v, SplitMix64& g) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[g.below(i)]);
}

}  // namespace

std::vector<Batch> plan_epoch(const std::vector<double>& sizes, double budget, int buckets, uint64_t seed, int64_t epoch) {
    SplitMix64 g(mix_seed(seed, static_cast<uint64_t>(epoch), 0x6261746368ull));
    std::vector<int> order(sizes.size());
    std::iota(order.begin(), order.end(), 0);
    // Sort by size (ties by index, so the order is total) and cut into equal-count buckets.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sizes[a] < sizes[b]; });
    const int bucket_count = std::max(1, std::min<int>(buckets, static_cast<int>(order.size())));
    std::vector<Batch> batches;
    for (int b = 0; b < bucket_count; ++b) {
        const size_t begin = order.size() * b / bucket_count, end = order.size() * (b + 1) / bucket_count;
        std::vector<int> bucket(order.begin() + begin, order.begin() + end);
        shuffle(bucket, g);
        Batch current;
        double longest = 0.0;
        for (int item : bucket) {
            const double longest_if_added = std::max(longest, sizes[item]);
            if (!current.empty() && longest_if_added * static_cast<double>(current.size() + 1) > budget) {
                batches.push_back(std::move(current));
                current.clear();
                longest = 0.0;
            }
            current.push_back(item);
            longest = std::max(longest, sizes[item]);
        }
        if (!current.empty()) batches.push_back(std::move(current));
    }
    shuffle(batches, g);
    return batches;
}

Batch shard(const Batch& batch, int rank, int world_size) {
    Batch mine;
    for (size_t i = static_cast<size_t>(rank); i < batch.size(); i += static_cast<size_t>(world_size)) mine.push_back(batch[i]);
    return mine;
}

}  // namespace rwkvt::train
