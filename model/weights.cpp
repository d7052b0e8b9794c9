#include "weights.hpp"

#include <stdexcept>

namespace rwkvt {

namespace {
std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}
}  // namespace

int64_t Tensor::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

const Tensor& Weights::at(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw std::runtime_error("model has no tensor " + name);
    return it->second;
}

Tensor& Weights::at(const std::string& name) {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw std::runtime_error("model has no tensor " + name);
    return it->second;
}

Tensor Weights::take(const std::string& name) {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw std::runtime_error("model has no tensor " + name);
    Tensor t = std::move(it->second);
    tensors_.erase(it);
    return t;
}

void Model::validate() const {
    config.validate();
    const auto specs = tensor_specs(config);
    for (const TensorSpec& spec : specs) {
        if (!weights.contains(spec.name)) throw std::runtime_error("model lacks tensor " + spec.name);
        const Tensor& t = weights.at(spec.name);
        if (t.shape != spec.shape)
            throw std::runtime_error("tensor " + spec.name + " has shape " + shape_string(t.shape) +
                                     " but the config needs " + shape_string(spec.shape));
        if (static_cast<int64_t>(t.data.size()) != t.numel())
            throw std::runtime_error("tensor " + spec.name + " holds the wrong number of values");
    }
    if (weights.all().size() != specs.size()) {
        for (const auto& kv : weights.all()) {
            bool known = false;
            for (const TensorSpec& spec : specs) known = known || spec.name == kv.first;
            if (!known) throw std::runtime_error("model has tensor " + kv.first + " that its config does not define");
        }
    }
    if (tokenizer.vocab_size() != config.vocab_size)
        throw std::runtime_error("tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                                 " pieces but the config says vocab_size " + std::to_string(config.vocab_size));
}

}  // namespace rwkvt
