// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::test {

// One differentiable op under test: input shapes, the function, and the input range that
// keeps it away from kinks and poles. The same names appear in tools/gen_reference.py, which
// writes PyTorch's outputs and gradients for each case into tests/data/ref/.
struct OpCase {
    std::string name;
    std::vector<Shape> shapes;
    std::function<Tensor(const std::vector<Tensor>&)> f;
    double lo = -1.0, hi = 1.0;
};

inline std::ostream& operator<<(std::ostream& os, const OpCase& c) { return os << c.name; }

// Every differentiable op, with broadcast variants.
std::vector<OpCase> op_cases();

}  // namespace kaya::test
