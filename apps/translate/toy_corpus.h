// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace kaya::translate {

// A parallel corpus any machine can make, for tests and the tour: 1-5 digits spelt out in
// English, written as Chinese numerals ("three one four." <TAB> "三一四。"), seeded; lines in
// the form read_pairs reads.
std::string make_toy_pairs(int n, uint64_t seed);

}  // namespace kaya::translate
