// A model in memory: its config, every tensor of tensor_specs(config) as fp32, and its tokenizer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "schema.hpp"
#include "tokenizer.hpp"

namespace rwkvt {

struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> data;  // row-major (last dimension contiguous), like PyTorch
    // Read from a BF16 tensor of a model file: every value is exactly a bfloat16, so a consumer may
    // keep the matrix in bf16 (the runtime's bf16 GEMMs) without rounding anything again.
    bool from_bf16 = false;
    int64_t numel() const;
};

class Weights {
public:
    // Throws std::runtime_error("model has no tensor NAME") when absent.
    const Tensor& at(const std::string& name) const;
    Tensor& at(const std::string& name);
    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    void set(const std::string& name, Tensor tensor) { tensors_[name] = std::move(tensor); }
    // Moves a tensor out (and forgets it), so a consumer can repack weights without holding two copies.
    Tensor take(const std::string& name);
    const std::map<std::string, Tensor>& all() const { return tensors_; }

private:
    std::map<std::string, Tensor> tensors_;
};

struct Model {
    ModelConfig config;
    Weights weights;
    Tokenizer tokenizer;
    // Free-form provenance stored in the file's metadata ("initialised", "trained", ...).
    std::string origin = "initialised";

    // Every tensor of tensor_specs(config) present with the right shape and nothing else;
    // throws std::runtime_error naming the first mismatch.
    void validate() const;
};

}  // namespace rwkvt
