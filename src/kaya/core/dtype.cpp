// SPDX-License-Identifier: MIT
#include "kaya/core/dtype.h"

#include <algorithm>

namespace kaya {

std::string_view dtype_name(DType dt) {
    switch (dt) {
        case DType::Bool: return "bool";
        case DType::Int64: return "int64";
        case DType::Float32: return "float32";
        case DType::Float64: return "float64";
    }
    return "unknown";
}

size_t dtype_size(DType dt) {
    switch (dt) {
        case DType::Bool: return 1;
        case DType::Int64: return 8;
        case DType::Float32: return 4;
        case DType::Float64: return 8;
    }
    return 0;
}

// The enum is declared in promotion order, so the larger enumerator wins.
DType promote_types(DType a, DType b) { return std::max(a, b); }

}  // namespace kaya
