// SPDX-License-Identifier: MIT
#include "support/npy.h"

#include "kaya/io/npy.h"

namespace kaya::test {

std::string data_path(const std::string& name) { return std::string(KAYA_TEST_DATA) + "/" + name; }

Tensor load_npy(const std::string& path) { return io::load_npy(path); }

}  // namespace kaya::test
