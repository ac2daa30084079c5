// SPDX-License-Identifier: MIT
#include "kaya/core/shape.h"

#include "kaya/core/error.h"

namespace kaya {

std::string format_shape(const Shape& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

int64_t numel(const Shape& shape) {
    for (int64_t s : shape) {
        if (s == 0) return 0;  // Before multiplying: [2^62, 4, 0] holds nothing, not an overflow.
    }
    int64_t n = 1;
    for (int64_t s : shape) {
        KAYA_CHECK(!__builtin_mul_overflow(n, s, &n), ValueError, "shape ", format_shape(shape),
                   " has more elements than an int64 can count");
    }
    return n;
}

Strides contiguous_strides(const Shape& shape) {
    Strides st(shape.size());
    int64_t acc = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        st[i] = acc;
        // Saturates instead of overflowing: such a shape either holds nothing (a zero-size dim
        // elsewhere) or is refused by numel(). Found by fuzzing the npy and IDX readers.
        if (__builtin_mul_overflow(acc, std::max<int64_t>(shape[i], 1), &acc)) acc = INT64_MAX;
    }
    return st;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
    if (a == b) return a;
    size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (size_t i = 0; i < n; ++i) {
        // Align from the right, missing leading dims act as 1.
        int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
        int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
        KAYA_CHECK(sa == sb || sa == 1 || sb == 1, ShapeError, op,
                   ": shapes cannot be broadcast together: ", format_shape(a), " and ",
                   format_shape(b), " (dimension ", i, " has sizes ", sa, " and ", sb, ")");
        out[i] = sa == 1 ? sb : sa;
    }
    return out;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, std::string_view op) {
    int64_t n = std::max<int64_t>(ndim, 1);
    KAYA_CHECK(dim >= -n && dim < n, IndexError, op, ": dimension ", dim,
               " out of range for a tensor with ", ndim, " dimensions (expected in [", -n, ", ",
               n - 1, "])");
    return dim < 0 ? dim + n : dim;
}

void check_sizes(const Shape& shape, std::string_view op) {
    for (int64_t s : shape) {
        KAYA_CHECK(s >= 0, ValueError, op, ": sizes must be non-negative, got ",
                   format_shape(shape));
    }
}

}  // namespace kaya
