// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::io {

// NumPy .npy files (format version 1 and 2, C order, little-endian): float32 '<f4', float64
// '<f8', int64 '<i8' and bool '|b1'. load_npy throws ParseError with the path for anything
// else or for a truncated file; save_npy writes atomically.
Tensor load_npy(const std::string& path);
Tensor decode_npy(std::string_view bytes, const std::string& source);
void save_npy(const std::string& path, const Tensor& t);

}  // namespace kaya::io
