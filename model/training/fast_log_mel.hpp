// The spec's log-mel front end (section 1) for training: the same window, framing, DFT size, filter
// bank and log floor as ref::log_mel (model/frontend_tables.hpp is the single source of those
// constants), but with a fast Fourier transform per frame (Eigen's FFT module, double precision)
// instead of the reference's direct DFT. The reference takes about 0.3 s per second of audio, far
// too slow to feed training; this agrees with it to ~1e-5 (tests/trainer_core). A DFT written as
// one matrix product over all frames was 7-8% of a training step; the FFT does ~20x fewer
// operations. The runtime's Halide kernel is not used here because it is private to the runtime
// and its streaming buffers; all three implement the one formula and the tests hold them to it.
#pragma once

#include <vector>

namespace rwkvt::train {

class FastLogMel {
public:
    explicit FastLogMel(int n_mels);
    int n_mels() const { return n_mels_; }
    // 16 kHz samples -> row-major [frame_count(n), n_mels], unnormalised.
    std::vector<float> compute(const std::vector<float>& samples, int& frames) const;

private:
    int n_mels_;
    std::vector<double> window_;      // [kFrameLength], periodic Hann
    std::vector<double> filterbank_;  // [kSpectrumBins][n_mels]
};

}  // namespace rwkvt::train
