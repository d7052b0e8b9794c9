// Data-parallel training over torch's own distributed engine (c10d): a TCPStore for the rendezvous
// (rank 0 serves it at master_addr:master_port) and a Gloo process group for the collectives.
// Each rank runs the whole model on its shard of every batch; summing the gradients over ranks gives
// exactly the gradient of the whole batch, because each rank already divides its loss by the
// GLOBAL batch's token count (so the all-reduce sums, which is the average in the usual sense).
// With world_size 1 there is no process group and every call is a no-op.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace rwkvt::train {

class DataParallel {
public:
    DataParallel(int world_size, int rank, const std::string& master_addr, int master_port);
    ~DataParallel();
    int world_size() const { return world_size_; }
    int rank() const { return rank_; }
    bool is_primary() const { return rank_ == 0; }

    // Sums the tensors over all ranks, in place. The tensors are flattened into one buffer, so there
    // is one collective per step however many parameters there are.
    void all_reduce_sum(const std::vector<torch::Tensor>& tensors);
    double all_reduce_sum(double value);
    void barrier();

private:
    struct Group;
    int world_size_, rank_;
    std::unique_ptr<Group> group_;
};

}  // namespace rwkvt::train
