#include "model_average.hpp"

#include <stdexcept>

namespace rwkvt {

Model average_models(const std::vector<Model>& models, const std::vector<std::string>& names) {
    if (models.empty()) throw std::runtime_error("no models to average");
    if (names.size() != models.size()) throw std::runtime_error("average_models: one name per model");
    const Model& first = models.front();
    for (size_t m = 1; m < models.size(); ++m) {
        const Model& other = models[m];
        auto differs = [&](const std::string& what) {
            throw std::runtime_error(names[m] + ": its " + what + " differs from " + names[0] + "'s: only models of one config, trained from one start, can be averaged");
        };
        if (other.config.to_json() != first.config.to_json()) differs("config");
        if (other.tokenizer.to_json() != first.tokenizer.to_json()) differs("tokenizer");
        if (other.weights.all().size() != first.weights.all().size()) differs("set of tensors");
        for (const auto& [name, tensor] : first.weights.all())
            if (!other.weights.contains(name) || other.weights.at(name).shape != tensor.shape) differs("tensor " + name);
    }
    Model mean;
    mean.config = first.config;
    mean.tokenizer = first.tokenizer;
    std::string origin = "average of " + std::to_string(models.size()) + " models:";
    for (size_t m = 0; m < models.size(); ++m) origin += (m ? ", " : " ") + models[m].origin;
    mean.origin = origin;
    for (const auto& [name, tensor] : first.weights.all()) {
        std::vector<double> sum(tensor.data.size(), 0.0);
        for (const Model& model : models) {
            const Tensor& t = model.weights.at(name);
            for (size_t i = 0; i < sum.size(); ++i) sum[i] += t.data[i];
        }
        Tensor averaged;
        averaged.shape = tensor.shape;
        averaged.data.resize(sum.size());
        for (size_t i = 0; i < sum.size(); ++i) averaged.data[i] = static_cast<float>(sum[i] / static_cast<double>(models.size()));
        averaged.from_bf16 = models.size() == 1 && tensor.from_bf16;  // a mean of bf16 values is generally not one
        mean.weights.set(name, std::move(averaged));
    }
    mean.validate();
    return mean;
}

}  // namespace rwkvt
