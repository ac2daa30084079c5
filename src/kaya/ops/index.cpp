// SPDX-License-Identifier: MIT
#include "kaya/ops/index.h"

#include "kaya/kernels/ref/index.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Flat position of the first entry of an int64 index outside [0, n), or -1.
int64_t find_out_of_range(const Tensor& index, int64_t n) {
    const int64_t* strides[1] = {index.strides().data()};
    auto loop = kernels::make_loop(static_cast<int>(index.dim()), index.shape().data(), 1, strides);
    return kernels::find_bad_index(index.data<int64_t>(), loop, n);
}

void check_index(const char* op, const Tensor& index, int64_t n, const Tensor& x, int64_t dim) {
    KAYA_CHECK(index.dtype() == DType::Int64, DTypeError, op,
               ": index must be an int64 tensor, got ", describe(index));
    int64_t bad = find_out_of_range(index, n);
    if (bad >= 0) {
        int64_t v = to_vector<int64_t>(index)[bad];
        KAYA_CHECK(false, IndexError, op, ": index ", v, " (at flat position ", bad,
                   ") is out of range for dim ", dim, " of size ", n, " in ", describe(x));
    }
}

// Strides of x with dim's stride zeroed, restricted to `shape` (which is <= x's shape).
Tensor indexed_view(const Tensor& x, const Shape& shape, int64_t d) {
    Strides st = x.strides();
    st[d] = 0;
    return x.alias(shape, st, x.offset());
}

void check_gather_shapes(const char* op, const Tensor& x, int64_t d, const Tensor& index) {
    KAYA_CHECK(index.dim() == x.dim(), ShapeError, op, ": index must have as many dims as x; x is ",
               describe(x), ", index is ", describe(index));
    for (int64_t k = 0; k < x.dim(); ++k) {
        KAYA_CHECK(k == d || index.shape()[k] <= x.shape()[k], ShapeError, op, ": index ",
                   describe(index), " is larger than x ", describe(x), " in dim ", k);
    }
}

}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
    detail::check_inputs("gather", {&x, &index});
    int64_t d = wrap_dim(dim, x.dim(), "gather");
    KAYA_CHECK(x.dim() > 0, ShapeError, "gather: x must have at least 1 dim, got ", describe(x));
    check_gather_shapes("gather", x, d, index);
    check_index("gather", index, x.shape()[d], x, dim);
    Tensor out = Tensor::empty(index.shape(), x.dtype());
    Tensor src = indexed_view(x, index.shape(), d);
    auto loop = detail::make_loop(out, {&index, &src});
    visit_dtype(x.dtype(), [&]<class T>() {
        kernels::gather_forward(out.data<T>(), x.data<T>(), index.data<int64_t>(), loop, x.strides()[d]);
    });
    if (needs_grad({&x})) {
        Shape in = x.shape();
        record("GatherBackward", out, {x}, [in, d, index](const Tensor& g) {
            return std::vector<Tensor>{scatter_add(zeros(in, g.dtype()), d, index, g)};
        }, {index});
    }
    return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
    detail::check_inputs("scatter_add", {&x, &index, &src});
    int64_t d = wrap_dim(dim, x.dim(), "scatter_add");
    KAYA_CHECK(src.dtype() == x.dtype(), DTypeError, "scatter_add: src ", describe(src),
               " must have x's dtype ", dtype_name(x.dtype()));
    KAYA_CHECK(index.shape() == src.shape(), ShapeError, "scatter_add: index ", describe(index),
               " and src ", describe(src), " must have the same shape");
    KAYA_CHECK(x.dim() > 0, ShapeError, "scatter_add: x must have at least 1 dim");
    check_gather_shapes("scatter_add", x, d, index);
    check_index("scatter_add", index, x.shape()[d], x, dim);
    Tensor out = contiguous(clone(detach(x)));
    Tensor dst = indexed_view(out, index.shape(), d);
    auto loop = detail::make_loop(src, {&index, &dst});
    visit_dtype(x.dtype(), [&]<class T>() {
        kernels::scatter_add_forward(out.data<T>(), src.data<T>(), index.data<int64_t>(), loop,
                                     out.strides()[d]);
    });
    if (needs_grad({&x, &src})) {
        bool gx = x.requires_grad(), gs = src.requires_grad();
        record("ScatterAddBackward", out, {x, src}, [gx, gs, d, index](const Tensor& g) {
            return std::vector<Tensor>{gx ? g : Tensor(), gs ? gather(g, d, index) : Tensor()};
        }, {index});
    }
    return out;
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
    detail::check_inputs("index_select", {&x, &index});
    KAYA_CHECK(index.dim() <= 1, ShapeError, "index_select: index must be 0-D or 1-D, got ",
               describe(index));
    Tensor xv = x.dim() == 0 ? reshape(x, {1}) : x;
    int64_t d = wrap_dim(dim, xv.dim(), "index_select");
    // Checked here, on the caller's tensors: the gather below sees reshaped ones.
    check_index("index_select", index, xv.shape()[d], x, dim);
    Tensor idx = reshape(index, {-1});
    // A gather whose index varies only along dim: broadcast the index over the other dims.
    Shape shape = xv.shape();
    shape[d] = idx.numel();
    Shape ishape(xv.dim(), 1);
    ishape[d] = idx.numel();
    Tensor full_index = expand(reshape(idx, ishape), shape);
    Tensor out = gather(xv, d, full_index);
    return x.dim() == 0 ? reshape(out, {}) : out;
}

Tensor unfold(const Tensor& x, int64_t dim, int64_t size, int64_t step) {
    detail::check_inputs("unfold", {&x});
    KAYA_CHECK(x.dim() >= 1, ShapeError, "unfold: expected at least one dimension, got ", describe(x));
    const int64_t d = wrap_dim(dim, x.dim(), "unfold");
    const int64_t len = x.shape()[d];
    KAYA_CHECK(size >= 1 && step >= 1, ValueError, "unfold: size and step must be positive, got size ",
               size, " and step ", step);
    KAYA_CHECK(size <= len, ValueError, "unfold: window size ", size, " exceeds dimension ", d,
               " of ", describe(x));
    const int64_t count = (len - size) / step + 1;
    std::vector<int64_t> idx(count * size);
    for (int64_t w = 0; w < count; ++w) {
        for (int64_t j = 0; j < size; ++j) idx[w * size + j] = w * step + j;
    }
    // One gather of every window's elements (index_select's gradient adds overlaps back), then
    // dim split into (count, size) and the window axis moved last.
    Tensor picked = index_select(x, d, from_vector(idx, {count * size}));
    Shape shape = x.shape();
    shape[d] = size;
    shape.insert(shape.begin() + d, count);
    Tensor windows = reshape(picked, shape);
    std::vector<int64_t> order;
    for (int64_t i = 0; i <= x.dim(); ++i) {
        if (i != d + 1) order.push_back(i);
    }
    order.push_back(d + 1);
    return permute(windows, order);
}

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
    detail::check_inputs("embedding", {&indices, &weight});
    KAYA_CHECK(weight.dim() == 2, ShapeError,
               "embedding: weight must be a 2-D table (num_embeddings, embedding_dim), got ",
               describe(weight));
    KAYA_CHECK(indices.dtype() == DType::Int64, DTypeError,
               "embedding: indices must be an int64 tensor, got ", describe(indices));
    check_index("embedding", indices, weight.shape()[0], weight, 0);
    Shape shape = indices.shape();
    shape.push_back(weight.shape()[1]);
    Tensor rows = reshape(index_select(weight, 0, reshape(indices, {-1})), shape);
    if (!padding_idx) return rows;
    const int64_t p = *padding_idx < 0 ? *padding_idx + weight.shape()[0] : *padding_idx;
    KAYA_CHECK(p >= 0 && p < weight.shape()[0], IndexError, "embedding: padding_idx ",
               *padding_idx, " is out of range for ", weight.shape()[0], " embeddings");
    // Same values; the padding positions take theirs from a detached copy, so no gradient
    // reaches the padding row.
    return where(unsqueeze(ne(indices, static_cast<int64_t>(p)), -1), rows, detach(rows));
}

Tensor one_hot(const Tensor& classes, int64_t num_classes) {
    detail::check_inputs("one_hot", {&classes});
    KAYA_CHECK(classes.dtype() == DType::Int64, DTypeError,
               "one_hot: classes must be int64, got ", describe(classes));
    if (num_classes < 0) {
        KAYA_CHECK(classes.numel() > 0, ValueError,
                   "one_hot: cannot infer num_classes from an empty tensor");
        num_classes = max(classes).item<int64_t>() + 1;
    }
    const int64_t bad = find_out_of_range(classes, num_classes);
    if (bad >= 0) {
        KAYA_CHECK(false, IndexError, "one_hot: class ", to_vector<int64_t>(classes)[bad], " (at flat position ",
                   bad, " of ", describe(classes), ") is out of range for num_classes ", num_classes);
    }
    Shape shape = classes.shape();
    shape.push_back(num_classes);
    Tensor idx = unsqueeze(classes, -1);
    return scatter_add(zeros(shape, DType::Int64), -1, idx, ones(idx.shape(), DType::Int64));
}

namespace {
// mask[i][j] = keep_lower ? j - i <= k : j - i >= k over the last two dims.
Tensor tri_mask(const Tensor& x, int64_t k, bool lower, const char* op) {
    KAYA_CHECK(x.dim() >= 2, ShapeError, op, ": expects at least 2 dims, got ", describe(x));
    int64_t r = x.shape()[x.dim() - 2], c = x.shape()[x.dim() - 1];
    Tensor rows = reshape(arange(r), {r, 1});
    Tensor cols = reshape(arange(c), {1, c});
    Tensor diff = sub(cols, rows);
    return lower ? le(diff, k) : ge(diff, k);
}
}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) {
    detail::check_inputs("tril", {&x});
    return where(tri_mask(x, diagonal, true, "tril"), x, zeros({}, x.dtype()));
}

Tensor triu(const Tensor& x, int64_t diagonal) {
    detail::check_inputs("triu", {&x});
    return where(tri_mask(x, diagonal, false, "triu"), x, zeros({}, x.dtype()));
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
    detail::check_inputs("masked_fill", {&x, &mask});
    KAYA_CHECK(mask.dtype() == DType::Bool, DTypeError, "masked_fill: mask must be bool, got ",
               describe(mask));
    Shape b = broadcast_shapes(x.shape(), mask.shape(), "masked_fill");
    KAYA_CHECK(b == x.shape(), ShapeError, "masked_fill: mask ", describe(mask),
               " does not broadcast to x ", describe(x));
    return where(mask, full({}, value, x.dtype()), x);
}

}  // namespace kaya
