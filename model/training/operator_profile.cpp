// The operator profile on LibTorch's legacy CPU profiler, whose per-thread event lists are
// push/pop pairs in call order: a stack per thread turns them into inclusive and self times.
#include "operator_profile.hpp"

#include <algorithm>
#include <map>

#include <torch/csrc/autograd/profiler_legacy.h>

namespace rwkvt::train {

namespace prof = torch::autograd::profiler;

OperatorProfile::OperatorProfile() {
    prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    recording_ = true;
}

OperatorProfile::~OperatorProfile() {
    if (recording_) prof::disableProfilerLegacy();
}

std::vector<OperatorTime> OperatorProfile::stop() {
    if (!recording_) return {};
    recording_ = false;
    const prof::thread_event_lists threads = prof::disableProfilerLegacy();
    std::map<std::string, OperatorTime> by_name;
    struct Open {
        const prof::LegacyEvent* push;
        double children_us;
    };
    for (const std::vector<prof::LegacyEvent>& events : threads) {
        std::vector<Open> stack;
        for (const prof::LegacyEvent& e : events) {
            if (e.kind() == prof::EventKind::PushRange) {
                stack.push_back({&e, 0.0});
            } else if (e.kind() == prof::EventKind::PopRange) {
                // A pop closes the innermost open range with its handle. Ranges nest on one thread,
                // but a range ended on another thread pops out of order: only the matched range is
                // closed, and the ranges above it stay open for their own pops.
                auto open = std::find_if(stack.rbegin(), stack.rend(),
                                         [&](const Open& o) { return o.push->handle() == e.handle(); });
                if (open == stack.rend()) continue;
                const auto closed = std::prev(open.base());
                const double inclusive_us = closed->push->cpuElapsedUs(e);
                OperatorTime& t = by_name[closed->push->name()];
                t.name = closed->push->name();
                t.calls += 1;
                t.self_seconds += std::max(0.0, inclusive_us - closed->children_us) * 1e-6;
                if (closed != stack.begin()) std::prev(closed)->children_us += inclusive_us;
                stack.erase(closed);
            }
        }
    }
    std::vector<OperatorTime> sorted;
    for (auto& [name, t] : by_name) sorted.push_back(t);
    std::sort(sorted.begin(), sorted.end(),
              [](const OperatorTime& a, const OperatorTime& b) { return a.self_seconds > b.self_seconds; });
    return sorted;
}

}  // namespace rwkvt::train
