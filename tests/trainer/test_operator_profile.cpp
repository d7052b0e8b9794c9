// The benchmark's operator profile: every call of a known sequence of operators is counted once,
// under its own name, nested ranges split into self times, and the self times add up to no more
// than the wall time they were recorded in.
#include <doctest/doctest.h>
// LibTorch brings glog, whose CHECK macro shadows doctest's: these tests spell DOCTEST_CHECK.

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <chrono>

#include "operator_profile.hpp"

namespace {

const rwkvt::train::OperatorTime* find(const std::vector<rwkvt::train::OperatorTime>& ops, const std::string& name) {
    for (const auto& op : ops)
        if (op.name == name) return &op;
    return nullptr;
}

}  // namespace

TEST_CASE("operator profile: calls are counted per operator and self times exclude nested operators") {
    const torch::Tensor a = torch::randn({64, 64}), b = torch::randn({64, 64});
    const auto start = std::chrono::steady_clock::now();
    rwkvt::train::OperatorProfile profile;
    for (int i = 0; i < 5; ++i) {
        RECORD_FUNCTION("test::outer", std::vector<c10::IValue>());
        torch::Tensor c = torch::mm(a, b);
        for (int j = 0; j < 3; ++j) c = torch::mm(c, b);
    }
    const std::vector<rwkvt::train::OperatorTime> ops = profile.stop();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const rwkvt::train::OperatorTime* outer = find(ops, "test::outer");
    const rwkvt::train::OperatorTime* mm = find(ops, "aten::mm");
    REQUIRE(outer != nullptr);
    REQUIRE(mm != nullptr);
    DOCTEST_CHECK(outer->calls == 5);
    DOCTEST_CHECK(mm->calls == 20);
    double total = 0.0;
    for (size_t i = 0; i < ops.size(); ++i) {
        DOCTEST_CHECK(ops[i].self_seconds >= 0.0);
        if (i > 0) DOCTEST_CHECK(ops[i - 1].self_seconds >= ops[i].self_seconds);  // largest first
        total += ops[i].self_seconds;
    }
    DOCTEST_CHECK(total <= wall);
    DOCTEST_CHECK(profile.stop().empty());  // stopping twice returns nothing
}

TEST_CASE("operator profile: stop() ends the recording, and a new profile sees only its own calls") {
    const torch::Tensor a = torch::randn({16, 16});
    rwkvt::train::OperatorProfile first;
    torch::mm(a, a);
    const std::vector<rwkvt::train::OperatorTime> first_ops = first.stop();
    REQUIRE(find(first_ops, "aten::mm") != nullptr);
    DOCTEST_CHECK(find(first_ops, "aten::mm")->calls == 1);
    for (int i = 0; i < 3; ++i) torch::mm(a, a);  // not watched by anyone
    rwkvt::train::OperatorProfile second;
    torch::mm(a, a);
    torch::mm(a, a);
    const std::vector<rwkvt::train::OperatorTime> second_ops = second.stop();
    REQUIRE(find(second_ops, "aten::mm") != nullptr);
    DOCTEST_CHECK(find(second_ops, "aten::mm")->calls == 2);
}
