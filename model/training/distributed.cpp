#include "distributed.hpp"

#include <chrono>
#include <stdexcept>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace rwkvt::train {

struct DataParallel::Group {
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

DataParallel::DataParallel(int world_size, int rank, const std::string& master_addr, int master_port)
    : world_size_(world_size), rank_(rank) {
    if (world_size < 1) throw std::runtime_error("--world-size must be at least 1");
    if (rank < 0 || rank >= world_size)
        throw std::runtime_error("--rank must be in [0, " + std::to_string(world_size) + "), got " + std::to_string(rank));
    if (world_size == 1) return;
    if (master_port < 1 || master_port > 65535) throw std::runtime_error("--master-port must be in [1, 65535]");
    group_ = std::make_unique<Group>();
    try {
        c10d::TCPStoreOptions store_options;
        store_options.port = static_cast<uint16_t>(master_port);
        store_options.isServer = rank == 0;
        store_options.numWorkers = static_cast<size_t>(world_size);
        store_options.timeout = std::chrono::minutes(5);
        group_->store = c10::make_intrusive<c10d::TCPStore>(master_addr, store_options);
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::minutes(30));
        // Gloo talks over the interface that reaches master_addr (loopback when it is 127.0.0.1).
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(master_addr));
        group_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank, world_size, options);
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw std::runtime_error("cannot join the process group at " + master_addr + ":" + std::to_string(master_port) +
                                 " as rank " + std::to_string(rank) + " of " + std::to_string(world_size) + ": " + what);
    }
}

DataParallel::~DataParallel() = default;

void DataParallel::all_reduce_sum(const std::vector<torch::Tensor>& tensors) {
    if (!group_ || tensors.empty()) return;
    std::vector<torch::Tensor> flat_parts;
    for (const auto& t : tensors) flat_parts.push_back(t.reshape({-1}));
    std::vector<torch::Tensor> buffer = {torch::cat(flat_parts)};
    group_->group->allreduce(buffer)->wait();
    int64_t offset = 0;
    for (const auto& t : tensors) {
        const int64_t n = t.numel();
        t.copy_(buffer[0].narrow(0, offset, n).view_as(t));
        offset += n;
    }
}

double DataParallel::all_reduce_sum(double value) {
    if (!group_) return value;
    std::vector<torch::Tensor> buffer = {torch::full({1}, value, torch::kFloat64)};
    group_->group->allreduce(buffer)->wait();
    return buffer[0].item<double>();
}

void DataParallel::barrier() {
    if (group_) group_->group->barrier()->wait();
}

}  // namespace rwkvt::train
