// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "kaya/core/tensor.h"

namespace kaya::test {

// Reads a little-endian .npy file (float32, float64, int64 or bool; C order) written by
// tools/gen_reference.py. Throws ParseError with the path on anything else.
Tensor load_npy(const std::string& path);

// Path of a reference file in tests/data.
std::string data_path(const std::string& name);

}  // namespace kaya::test
