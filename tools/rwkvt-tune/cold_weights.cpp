#include "cold_weights.hpp"

#include <algorithm>
#include <cstdint>

#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rwkvt::tune {

namespace {

// The cache line of the CPUs the project builds for (x86-64 and AArch64 cores use 64 bytes).
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

// Writes back and invalidates [data, data + bytes) in every cache of every core: the thread pool's
// other cores keep their share of the last call's weights in their own L2, which a sweep on this
// core cannot reach.
void flush(const void* data, size_t bytes) {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(uintptr_t{kLineBytes} - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
#if defined(__x86_64__) || defined(__i386__)
    for (uintptr_t line = begin; line < end; line += kLineBytes) _mm_clflush(reinterpret_cast<const void*>(line));
    _mm_mfence();
#elif defined(__aarch64__)
    // DC CIVAC (clean and invalidate to the point of coherency) is allowed at EL0 on Linux.
    for (uintptr_t line = begin; line < end; line += kLineBytes) asm volatile("dc civac, %0" : : "r"(line) : "memory");
    asm volatile("dsb ish" : : : "memory");
#else
#error "cold_weights.cpp: no cache flush instruction known for this architecture"
#endif
}

bool is_weight(const Call& call, size_t input) {
    return std::find(call.weight_inputs.begin(), call.weight_inputs.end(), input) != call.weight_inputs.end();
}

}  // namespace

ColdWeights::ColdWeights(size_t scratch_bytes) {
    if (scratch_bytes == 0) {
        const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        scratch_bytes = l2 > 0 ? 2 * static_cast<size_t>(l2) : kDefaultScratchBytes;
    }
    scratch_.assign(scratch_bytes, 1);  // written once, so that its pages are real memory
}

void ColdWeights::prepare(const Call& call) {
    unsigned sum = 0;
    // The weights out of every core's caches, read back through this core's L2, then pushed out of
    // that L2 by the sweep: they end in the last-level cache (AMD's L3 takes what L2 evicts; Intel's
    // non-inclusive L3 keeps most of it), as after a pass over the other blocks.
    for (size_t i = 0; i < call.inputs.size(); ++i)
        if (is_weight(call, i)) flush(call.inputs[i].data(), call.inputs[i].size_in_bytes());
    for (size_t i = 0; i < call.inputs.size(); ++i)
        if (is_weight(call, i)) sum += touch(call.inputs[i].data(), call.inputs[i].size_in_bytes());
    sum += touch(scratch_.data(), scratch_.size());
    // The activations (and the outputs the runtime's arena reuses) back in this core's L2.
    for (size_t i = 0; i < call.inputs.size(); ++i)
        if (!is_weight(call, i)) sum += touch(call.inputs[i].data(), call.inputs[i].size_in_bytes());
    for (const auto& out : call.outputs) sum += touch(out.data(), out.size_in_bytes());
    scratch_[0] = static_cast<unsigned char>(sum | 1);  // a use of the sum the compiler cannot drop
}

}  // namespace rwkvt::tune
