// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kaya/core/error.h"

namespace kaya {

// Element types. Float32 is the default for new tensors; Float64 is for gradient checks and
// references; Int64 holds indices and labels; Bool holds masks (one byte per element).
enum class DType : uint8_t { Bool, Int64, Float32, Float64 };

inline constexpr DType kDefaultDType = DType::Float32;

// Name as PyTorch prints it ("float32").
std::string_view dtype_name(DType dt);
// Bytes per element.
size_t dtype_size(DType dt);
inline bool is_floating(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

// PyTorch's promotion for two tensors of the same category rank: bool < int64 < float32 <
// float64, the result is the larger one (torch.promote_types).
DType promote_types(DType a, DType b);

template <class T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }

// Calls f.template operator()<T>() with T the C++ type of dt. Use with a templated lambda:
// visit_dtype(dt, [&]<class T>() { ... });
template <class F>
decltype(auto) visit_dtype(DType dt, F&& f) {
    switch (dt) {
        case DType::Bool: return f.template operator()<bool>();
        case DType::Int64: return f.template operator()<int64_t>();
        case DType::Float32: return f.template operator()<float>();
        case DType::Float64: return f.template operator()<double>();
    }
    throw DTypeError("visit_dtype: unknown dtype");
}

// Like visit_dtype for float32/float64 only; other dtypes throw DTypeError naming `op`.
template <class F>
decltype(auto) visit_floating(DType dt, std::string_view op, F&& f) {
    switch (dt) {
        case DType::Float32: return f.template operator()<float>();
        case DType::Float64: return f.template operator()<double>();
        default: break;
    }
    throw DTypeError(detail::concat(op, ": expected a floating-point tensor (float32 or float64), got ",
                                    dtype_name(dt)));
}

// Like visit_dtype, excluding Bool (arithmetic that PyTorch refuses on booleans).
template <class F>
decltype(auto) visit_numeric(DType dt, std::string_view op, F&& f) {
    switch (dt) {
        case DType::Int64: return f.template operator()<int64_t>();
        case DType::Float32: return f.template operator()<float>();
        case DType::Float64: return f.template operator()<double>();
        default: break;
    }
    throw DTypeError(detail::concat(op, ": expected a numeric tensor, got ", dtype_name(dt)));
}

}  // namespace kaya
