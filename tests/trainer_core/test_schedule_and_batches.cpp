// Learning-rate schedule and batch plans: pure functions of their inputs (what exact resume needs).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "batch_plan.hpp"
#include "lr_schedule.hpp"

using namespace rwkvt::train;

TEST_CASE("learning rate: linear warm-up, then cosine down to the final rate") {
    CHECK(learning_rate(0, 1.0, 0.1, 10, 110) == doctest::Approx(0.1));
    CHECK(learning_rate(9, 1.0, 0.1, 10, 110) == doctest::Approx(1.0));
    CHECK(learning_rate(10, 1.0, 0.1, 10, 110) == doctest::Approx(1.0));
    CHECK(learning_rate(60, 1.0, 0.1, 10, 110) == doctest::Approx(0.55));
    CHECK(learning_rate(110, 1.0, 0.1, 10, 110) == doctest::Approx(0.1));
    CHECK(learning_rate(500, 1.0, 0.1, 10, 110) == doctest::Approx(0.1));
}

TEST_CASE("batch plan: every item once per epoch, padded budget kept, same seed same order") {
    std::vector<double> sizes;
    for (int i = 0; i < 200; ++i) sizes.push_back(1.0 + (i * 37 % 19));
    const auto plan = plan_epoch(sizes, 40.0, 4, 5, 0);
    std::multiset<int> seen;
    for (const auto& batch : plan) {
        double longest = 0;
        for (int i : batch) seen.insert(i), longest = std::max(longest, sizes[i]);
        CHECK((batch.size() == 1 || longest * batch.size() <= 40.0));
    }
    CHECK(seen.size() == sizes.size());
    CHECK(std::set<int>(seen.begin(), seen.end()).size() == sizes.size());
    CHECK(plan == plan_epoch(sizes, 40.0, 4, 5, 0));
    CHECK(plan != plan_epoch(sizes, 40.0, 4, 5, 1));
    CHECK(plan != plan_epoch(sizes, 40.0, 4, 6, 0));
}

TEST_CASE("batch plan: shards of a batch partition it") {
    const Batch batch = {4, 8, 15, 16, 23};
    CHECK(shard(batch, 0, 2) == Batch{4, 15, 23});
    CHECK(shard(batch, 1, 2) == Batch{8, 16});
    CHECK(shard(batch, 0, 1) == batch);
    CHECK(shard(Batch{3}, 1, 2).empty());
}
