// SPDX-License-Identifier: MIT
#include "kaya/ops/factory.h"

#include <cmath>

#include "kaya/ops/convert.h"
#include "kaya/ops/internal.h"

namespace kaya {

Tensor empty(const Shape& shape, DType dtype) { return Tensor::empty(shape, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
    Tensor t = Tensor::empty(shape, dtype);
    visit_dtype(dtype, [&]<class T>() {
        T v = static_cast<T>(value);
        T* p = t.data<T>();
        const int64_t n = t.numel();
        parallel_for(n, even_grain(n, kParallelGrain), [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) p[i] = v;
        });
    });
    return t;
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return full(t.shape(), 0.0, t.dtype()); }
Tensor ones_like(const Tensor& t) { return full(t.shape(), 1.0, t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }

Tensor arange(double start, double end, double step, DType dtype) {
    KAYA_CHECK(step != 0, ValueError, "arange: step must be nonzero");
    KAYA_CHECK(std::isfinite(start) && std::isfinite(end), ValueError,
               "arange: start and end must be finite, got ", start, " and ", end);
    double count = std::ceil((end - start) / step);
    int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
    Tensor t = Tensor::empty({n}, dtype);
    visit_dtype(dtype, [&]<class T>() {
        T* p = t.data<T>();
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
    });
    return t;
}

Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
    KAYA_CHECK(steps >= 0, ValueError, "linspace: steps must be non-negative, got ", steps);
    Tensor t = Tensor::empty({steps}, dtype);
    const double delta = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
    visit_dtype(dtype, [&]<class T>() {
        T* p = t.data<T>();
        // Fill the second half from the end, as PyTorch does, so both endpoints are exact.
        for (int64_t i = 0; i < steps; ++i) {
            double v = i < steps / 2 ? start + delta * static_cast<double>(i)
                                     : end - delta * static_cast<double>(steps - 1 - i);
            p[i] = static_cast<T>(v);
        }
    });
    return t;
}

Tensor eye(int64_t n, int64_t m, DType dtype) {
    if (m < 0) m = n;
    Tensor t = zeros({n, m}, dtype);
    visit_dtype(dtype, [&]<class T>() {
        T* p = t.data<T>();
        for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
    });
    return t;
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
    check_sizes(shape, "from_vector");
    KAYA_CHECK(static_cast<int64_t>(values.size()) == numel(shape), ShapeError,
               "from_vector: ", values.size(), " values do not fill shape ", format_shape(shape),
               " (", numel(shape), " elements)");
    Tensor t = Tensor::empty(shape, dtype_of<T>());
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
    return t;
}
template Tensor from_vector(const std::vector<float>&, const Shape&);
template Tensor from_vector(const std::vector<double>&, const Shape&);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&);
template <>
Tensor from_vector(const std::vector<bool>& values, const Shape& shape) {
    KAYA_CHECK(static_cast<int64_t>(values.size()) == numel(shape), ShapeError,
               "from_vector: ", values.size(), " values do not fill shape ", format_shape(shape));
    Tensor t = Tensor::empty(shape, DType::Bool);
    for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
    return t;
}

Tensor tensor(std::initializer_list<double> values, DType dtype) {
    return to(from_vector(std::vector<double>(values), {static_cast<int64_t>(values.size())}),
              dtype);
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

template <class T>
std::vector<T> to_vector(const Tensor& t) {
    Tensor c = contiguous(to(t, dtype_of<T>()));
    const T* p = c.data<T>();
    return std::vector<T>(p, p + c.numel());
}
template std::vector<float> to_vector(const Tensor&);
template std::vector<double> to_vector(const Tensor&);
template std::vector<int64_t> to_vector(const Tensor&);
template <>
std::vector<bool> to_vector(const Tensor& t) {
    Tensor c = contiguous(to(t, DType::Bool));
    const bool* p = c.data<bool>();
    return std::vector<bool>(p, p + c.numel());
}

}  // namespace kaya
