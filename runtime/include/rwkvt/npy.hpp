// NumPy .npy files of float32 arrays: how rwkvt hands features, logits and states to Python tools
// and tests (np.load reads them directly).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rwkvt {

// Writes `data` (C order, product(shape) floats) as NPY format 1.0 with dtype '<f4'. The write is
// atomic (temporary file, fsync, rename): on failure the previous file stays and
// std::runtime_error names the path. An empty shape writes a 0-d array holding data[0].
void write_npy(const std::string& path, const float* data, const std::vector<size_t>& shape);

// Reads an NPY 1.0/2.0/3.0 file of '<f4' in C order; sets `shape` and returns the values.
// Other dtypes, Fortran order, malformed headers and short data throw std::runtime_error.
std::vector<float> read_npy(const std::string& path, std::vector<size_t>& shape);

}  // namespace rwkvt
