// The tuner's timing harness: every candidate is timed in every round, in an order that changes
// from round to round, and a call's preparation (putting its buffers where transcription finds
// them) runs before each of its calls, never timed with another call.
#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "interleaved_timing.hpp"

using rwkvt::tune::time_interleaved;
using rwkvt::tune::Timing;

namespace {
// Records which callable ran, as calls (i) and preparations (-1 - i).
struct EventLog {
    std::vector<int> events;
    std::vector<std::function<void()>> calls(int n) {
        std::vector<std::function<void()>> out;
        for (int i = 0; i < n; ++i) out.push_back([this, i] { events.push_back(i); });
        return out;
    }
    std::vector<std::function<void()>> preparations(int n) {
        std::vector<std::function<void()>> out;
        for (int i = 0; i < n; ++i) out.push_back([this, i] { events.push_back(-1 - i); });
        return out;
    }
};
}  // namespace

TEST_CASE("each call runs right after its own preparation, and every candidate in every round") {
    std::mt19937 rng(std::random_device{}());
    const int n = 2 + static_cast<int>(rng() % 4), rounds = 3 + static_cast<int>(rng() % 5);
    EventLog log;
    const std::vector<Timing> timings = time_interleaved(log.calls(n), rounds, 1e-4, rng(), log.preparations(n));
    REQUIRE(timings.size() == static_cast<size_t>(n));
    for (const Timing& t : timings) CHECK(t.rounds.size() == static_cast<size_t>(rounds));
    REQUIRE(log.events.size() % 2 == 0);
    std::vector<int> calls_of(n, 0);
    for (size_t e = 0; e < log.events.size(); e += 2) {
        const int prepared = -1 - log.events[e], called = log.events[e + 1];
        REQUIRE(prepared >= 0);
        CHECK(called == prepared);
        ++calls_of[called];
    }
    for (int count : calls_of) CHECK(count >= rounds + 1);  // a warm-up call, then at least one per round
}

TEST_CASE("without preparations, calls run back to back and the order of candidates changes between rounds") {
    const int n = 6, rounds = 8;
    EventLog log;
    // A sample far shorter than a call: one call per candidate per round, after one warm-up each.
    time_interleaved(log.calls(n), rounds, 1e-12, 7);
    REQUIRE(log.events.size() == static_cast<size_t>(n * (rounds + 1)));
    std::set<std::vector<int>> orders;
    for (int r = 0; r < rounds; ++r) {
        const auto first = log.events.begin() + n * (r + 1);
        std::vector<int> order(first, first + n);
        CHECK(std::set<int>(order.begin(), order.end()).size() == static_cast<size_t>(n));  // each candidate once
        orders.insert(order);
    }
    CHECK(orders.size() > 1);
}

TEST_CASE("a preparation list that does not match the calls is refused") {
    EventLog log;
    CHECK_THROWS_AS(time_interleaved(log.calls(3), 3, 1e-4, 1, log.preparations(2)), std::logic_error);
}
