#include "cache_state.hpp"

#include <algorithm>
#include <cstdint>

#include <unistd.h>

namespace rwkvt::tune {

namespace {

constexpr size_t kLineBytes = 64;
// When the system does not report its L2 size: larger than the L2 of the x86-64 and AArch64
// cores the project has run on (1-2 MB).
constexpr size_t kDefaultScratchBytes = size_t{8} << 20;

// Reads one byte per cache line of [data, data + bytes); the sum keeps the loads from being elided.
unsigned touch(const void* data, size_t bytes) {
    const volatile unsigned char* p = static_cast<const unsigned char*>(data);
    unsigned sum = 0;
    for (size_t i = 0; i < bytes; i += kLineBytes) sum += p[i];
    return sum;
}

size_t bytes_of(const Halide::Buffer<>& b) { return b.size_in_bytes(); }

}  // namespace

TranscriptionCacheState::TranscriptionCacheState(size_t scratch_bytes) {
    if (scratch_bytes == 0) {
        const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        scratch_bytes = l2 > 0 ? 2 * static_cast<size_t>(l2) : kDefaultScratchBytes;
    }
    scratch_.assign(scratch_bytes, 1);  // written once, so that its pages are real memory
}

void TranscriptionCacheState::prepare(const Call& call) {
    unsigned sum = touch(scratch_.data(), scratch_.size());
    for (size_t i = 0; i < call.inputs.size(); ++i)
        if (std::find(call.weight_inputs.begin(), call.weight_inputs.end(), i) == call.weight_inputs.end())
            sum += touch(call.inputs[i].data(), bytes_of(call.inputs[i]));
    for (const auto& out : call.outputs) sum += touch(out.data(), bytes_of(out));
    scratch_[0] = static_cast<unsigned char>(sum | 1);  // a use of the sum the compiler cannot drop
}

}  // namespace rwkvt::tune
