// FusedAdamW against torch::optim::AdamW: the same parameters and moments after several steps with
// fresh random gradients, two param groups (with and without weight decay) and a changing learning
// rate, for the fused float32 path and the fallback path (a strided parameter, a double one); and a
// checkpoint written by torch's optimiser continues identically in the fused one.
#include "torch_doctest.hpp"

#include <sstream>

#include "model/scratch.hpp"
#include "training/fused_adamw.hpp"

using rwkvt::train::FusedAdamW;

namespace {

struct Setup {
    std::vector<torch::Tensor> decayed, plain;  // the two groups' parameters
};

Setup make_parameters(const Setup* copy_of = nullptr) {
    Setup s;
    if (copy_of) {
        for (const torch::Tensor& p : copy_of->decayed) s.decayed.push_back(p.detach().clone().requires_grad_(true));
        for (const torch::Tensor& p : copy_of->plain) s.plain.push_back(p.detach().clone().requires_grad_(true));
        return s;
    }
    s.decayed.push_back(torch::randn({37, 13}).requires_grad_(true));
    s.decayed.push_back(torch::randn({13, 37}).t().requires_grad_(true));  // strided: the fallback path
    s.plain.push_back(torch::randn({13}).requires_grad_(true));
    s.plain.push_back(torch::randn({5}, torch::kFloat64).requires_grad_(true));  // double: the fallback path
    s.plain.push_back(torch::randn({100003}).requires_grad_(true));             // several parallel chunks
    return s;
}

template <typename Optimizer>
std::unique_ptr<Optimizer> make_optimizer(Setup& s) {
    auto options = torch::optim::AdamWOptions(1e-2).betas({0.9, 0.98}).eps(1e-8);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(s.decayed, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options).weight_decay(0.1)));
    groups.emplace_back(s.plain, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options).weight_decay(0.0)));
    return std::make_unique<Optimizer>(groups, options);
}

std::vector<torch::Tensor> all(const Setup& s) {
    std::vector<torch::Tensor> v = s.decayed;
    v.insert(v.end(), s.plain.begin(), s.plain.end());
    return v;
}

// One step of both with the same gradients and learning rate.
template <typename A, typename B>
void step_both(Setup& a, A& opt_a, Setup& b, B& opt_b, int step) {
    const double lr = 1e-2 * (1.0 + 0.5 * std::sin(step));
    for (auto* opt : {static_cast<torch::optim::Optimizer*>(&opt_a), static_cast<torch::optim::Optimizer*>(&opt_b)})
        for (auto& group : opt->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    const std::vector<torch::Tensor> pa = all(a), pb = all(b);
    for (size_t i = 0; i < pa.size(); ++i) {
        const torch::Tensor g = torch::randn(pa[i].sizes(), pa[i].options());
        pa[i].mutable_grad() = g.clone();
        pb[i].mutable_grad() = g.clone();
    }
    opt_a.step();
    opt_b.step();
}

void check_same(const Setup& a, const torch::optim::Optimizer& opt_a, const Setup& b, const torch::optim::Optimizer& opt_b) {
    const std::vector<torch::Tensor> pa = all(a), pb = all(b);
    for (size_t i = 0; i < pa.size(); ++i) {
        CAPTURE(i);
        CHECK(relative_error(pa[i], pb[i]) < 1e-6);
        const auto& sa = static_cast<const torch::optim::AdamWParamState&>(*opt_a.state().at(c10::guts::to_string(pa[i].unsafeGetTensorImpl())));
        const auto& sb = static_cast<const torch::optim::AdamWParamState&>(*opt_b.state().at(c10::guts::to_string(pb[i].unsafeGetTensorImpl())));
        CHECK(sa.step() == sb.step());
        CHECK(relative_error(sa.exp_avg(), sb.exp_avg()) < 1e-6);
        CHECK(relative_error(sa.exp_avg_sq(), sb.exp_avg_sq()) < 1e-6);
    }
}

}  // namespace

TEST_CASE("fused AdamW takes the same steps as torch::optim::AdamW") {
    at::set_num_threads(2);
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    Setup ours = make_parameters();
    Setup theirs = make_parameters(&ours);
    const torch::Tensor first_before = ours.decayed[0].detach().clone();
    auto fused = make_optimizer<FusedAdamW>(ours);
    auto reference = make_optimizer<torch::optim::AdamW>(theirs);
    for (int step = 0; step < 6; ++step) {
        CAPTURE(step);
        step_both(ours, *fused, theirs, *reference, step);
        check_same(ours, *fused, theirs, *reference);
    }
    // The parameters really moved: the comparison above is not between two unchanged copies.
    CHECK(relative_error(ours.decayed[0], first_before) > 1e-3);
}

TEST_CASE("fused AdamW continues from a checkpoint of torch::optim::AdamW") {
    at::set_num_threads(2);
    const uint64_t seed = rwkvt::test::fresh_seed();
    INFO("seed " << seed);
    torch::manual_seed(seed);
    Setup start = make_parameters();
    const std::vector<torch::Tensor> initial = [&] {
        std::vector<torch::Tensor> v;
        for (const torch::Tensor& p : all(start)) v.push_back(p.detach().clone());
        return v;
    }();
    Setup other = make_parameters(&start);
    auto written = make_optimizer<torch::optim::AdamW>(start);
    auto twin = make_optimizer<FusedAdamW>(other);
    for (int step = 0; step < 3; ++step) step_both(start, *written, other, *twin, step);
    bool moved = false;
    for (size_t i = 0; i < initial.size(); ++i) moved = moved || !torch::equal(all(start)[i].detach(), initial[i]);
    CHECK(moved);

    // torch's optimiser state into a fused optimiser over copies of the same parameters.
    std::stringstream buffer;
    torch::save(*written, buffer);
    Setup resumed = make_parameters(&start);
    auto loaded = make_optimizer<FusedAdamW>(resumed);
    torch::load(*loaded, buffer);
    for (int step = 3; step < 6; ++step) step_both(start, *written, resumed, *loaded, step);
    check_same(resumed, *loaded, start, *written);
}
