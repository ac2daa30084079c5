// SPDX-License-Identifier: MIT
#include "kaya/ops/view.h"

#include <numeric>
#include <optional>

#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Geometry of a strided view relative to some storage.
struct Geom {
    Shape shape;
    Strides strides;
    int64_t offset = 0;
};

Tensor embed(const Tensor& g, const Shape& base, const Geom& geom);

// t (made dense) read through `geom`, which indexes t's row-major layout. Its gradient is
// embed(), and embed's gradient is this, so views are differentiable to any order.
Tensor restride(const Tensor& t, const Geom& geom) {
    Tensor c = contiguous(t);
    Tensor out = c.alias(geom.shape, geom.strides, c.offset() + geom.offset);
    if (needs_grad({&c})) {
        Shape base = t.shape();
        record("ViewBackward", out, {c}, [base, geom](const Tensor& g) {
            return std::vector<Tensor>{embed(g, base, geom)};
        });
    }
    return out;
}

// A zero tensor of shape `base` with g written at the positions `geom` selects (no overlap).
Tensor embed(const Tensor& g, const Shape& base, const Geom& geom) {
    Tensor out = zeros(base, g.dtype());
    Tensor window = out.alias(geom.shape, geom.strides, geom.offset);
    auto loop = detail::make_loop(window, {&g});
    visit_dtype(g.dtype(), [&]<class T>() {
        kernels::map_unary(loop, window.data<T>(), g.data<T>(), [](T v) { return v; });
    });
    if (needs_grad({&g})) {
        record("EmbedBackward", out, {g}, [geom](const Tensor& gg) {
            return std::vector<Tensor>{restride(gg, geom)};
        });
    }
    return out;
}

// Applies a geometry transform to x's real strides (the forward view) and to x's row-major
// layout (the geometry its gradient is written through).
template <class Transform>
Tensor view_op(const char* name, const Tensor& x, Transform transform) {
    detail::check_inputs(name, {&x});
    Geom actual = transform(Geom{x.shape(), x.strides(), x.offset()});
    Tensor out = x.alias(actual.shape, actual.strides, actual.offset);
    if (needs_grad({&x})) {
        Shape base = x.shape();
        Geom logical = transform(Geom{x.shape(), contiguous_strides(x.shape()), 0});
        record(name, out, {x}, [base, logical](const Tensor& g) {
            return std::vector<Tensor>{embed(g, base, logical)};
        });
    }
    return out;
}

// Strides for viewing (shape, strides) as new_shape without a copy, if possible (the
// chunk-matching rule of PyTorch's computeStride).
std::optional<Strides> view_strides(const Shape& shape, const Strides& strides,
                                    const Shape& new_shape) {
    if (numel(shape) == 0 || shape.empty()) return contiguous_strides(new_shape);
    Strides out(new_shape.size());
    int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
    int64_t chunk_base = strides.back(), tensor_numel = 1, view_numel = 1;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        tensor_numel *= shape[d];
        // A chunk ends where the next outer dim is not contiguous with this one.
        if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base)) {
            while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
                out[view_d] = view_numel * chunk_base;
                view_numel *= new_shape[view_d];
                --view_d;
            }
            if (view_numel != tensor_numel) return std::nullopt;
            if (d > 0) {
                chunk_base = strides[d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    if (view_d != -1) return std::nullopt;
    return out;
}

Shape infer_shape(const char* op, const Tensor& x, Shape shape) {
    int64_t infer = -1, known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            KAYA_CHECK(infer < 0, ShapeError, op, ": only one dimension can be -1, got ",
                       format_shape(shape));
            infer = static_cast<int64_t>(i);
        } else {
            KAYA_CHECK(shape[i] >= 0, ShapeError, op, ": invalid size in ", format_shape(shape));
            known *= shape[i];
        }
    }
    if (infer >= 0) {
        KAYA_CHECK(known != 0 && x.numel() % known == 0, ShapeError, op, ": shape ",
                   format_shape(shape), " is invalid for input ", describe(x));
        shape[infer] = x.numel() / known;
    }
    KAYA_CHECK(numel(shape) == x.numel(), ShapeError, op, ": shape ", format_shape(shape),
               " is invalid for input ", describe(x), " (", x.numel(), " elements)");
    return shape;
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape_in) {
    detail::check_inputs("view", {&x});
    Shape shape = infer_shape("view", x, shape_in);
    auto st = view_strides(x.shape(), x.strides(), shape);
    KAYA_CHECK(st.has_value(), ShapeError, "view: cannot view ", describe(x), " with strides ",
               format_shape(x.strides()), " as ", format_shape(shape),
               "; use reshape (which copies)");
    Tensor out = x.alias(shape, *st, x.offset());
    if (needs_grad({&x})) {
        Shape in = x.shape();
        record("ViewBackward", out, {x}, [in](const Tensor& g) {
            return std::vector<Tensor>{reshape(g, in)};
        });
    }
    return out;
}

Tensor reshape(const Tensor& x, const Shape& shape_in) {
    detail::check_inputs("reshape", {&x});
    Shape shape = infer_shape("reshape", x, shape_in);
    if (view_strides(x.shape(), x.strides(), shape)) return view(x, shape);
    return view(clone(x), shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
    KAYA_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), ShapeError, "permute: got ",
               dims.size(), " dims for a tensor of ", x.dim(), " dims (", describe(x), ")");
    std::vector<int64_t> d(dims.size());
    std::vector<bool> used(dims.size(), false);
    for (size_t i = 0; i < dims.size(); ++i) {
        d[i] = wrap_dim(dims[i], x.dim(), "permute");
        KAYA_CHECK(!used[d[i]], ValueError, "permute: dim ", dims[i], " repeated");
        used[d[i]] = true;
    }
    Shape shape(d.size());
    Strides strides(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
        shape[i] = x.shape()[d[i]];
        strides[i] = x.strides()[d[i]];
    }
    Tensor out = x.alias(shape, strides, x.offset());
    if (needs_grad({&x})) {
        // The gradient of a permutation is the inverse permutation: a view, no copy.
        std::vector<int64_t> inverse(d.size());
        for (size_t i = 0; i < d.size(); ++i) inverse[d[i]] = static_cast<int64_t>(i);
        record("PermuteBackward", out, {x}, [inverse](const Tensor& g) {
            return std::vector<Tensor>{permute(g, inverse)};
        });
    }
    return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
    int64_t a = wrap_dim(dim0, x.dim(), "transpose"), b = wrap_dim(dim1, x.dim(), "transpose");
    if (x.dim() == 0) return x;
    std::vector<int64_t> perm(x.dim());
    for (int64_t i = 0; i < x.dim(); ++i) perm[i] = i;
    std::swap(perm[a], perm[b]);
    return permute(x, perm);
}

Tensor t(const Tensor& x) {
    KAYA_CHECK(x.dim() <= 2, ShapeError, "t: expects a tensor with <= 2 dims, got ", describe(x));
    return x.dim() < 2 ? x : transpose(x, 0, 1);
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
    KAYA_CHECK(x.dim() > 0, IndexError, "slice: cannot slice a 0-dim tensor");
    int64_t d = wrap_dim(dim, x.dim(), "slice");
    KAYA_CHECK(step > 0, ValueError, "slice: step must be positive, got ", step);
    const int64_t n = x.shape()[d];
    // Python semantics: negative bounds count from the end, then clamp into [0, n].
    if (start < 0) start += n;
    if (end < 0) end += n;
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, start, n);
    const int64_t len = (end - start + step - 1) / step;
    return view_op("SliceBackward", x, [d, start, step, len](Geom g) {
        g.offset += start * g.strides[d];
        g.shape[d] = len;
        g.strides[d] *= step;
        return g;
    });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
    KAYA_CHECK(x.dim() > 0, IndexError, "narrow: cannot narrow a 0-dim tensor");
    int64_t d = wrap_dim(dim, x.dim(), "narrow");
    const int64_t n = x.shape()[d];
    if (start < 0) start += n;
    KAYA_CHECK(start >= 0 && length >= 0 && start + length <= n, IndexError, "narrow: range [",
               start, ", ", start + length, ") out of bounds for dim ", dim, " of ", describe(x));
    return slice(x, d, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
    KAYA_CHECK(x.dim() > 0, IndexError, "select: cannot select from a 0-dim tensor");
    int64_t d = wrap_dim(dim, x.dim(), "select");
    const int64_t n = x.shape()[d];
    KAYA_CHECK(index >= -n && index < n, IndexError, "select: index ", index,
               " out of range for dim ", dim, " of size ", n, " (", describe(x), ")");
    if (index < 0) index += n;
    return view_op("SelectBackward", x, [d, index](Geom g) {
        g.offset += index * g.strides[d];
        g.shape.erase(g.shape.begin() + d);
        g.strides.erase(g.strides.begin() + d);
        return g;
    });
}

Tensor expand(const Tensor& x, const Shape& shape_in) {
    detail::check_inputs("expand", {&x});
    KAYA_CHECK(shape_in.size() >= static_cast<size_t>(x.dim()), ShapeError,
               "expand: target ", format_shape(shape_in), " has fewer dims than ", describe(x));
    const size_t lead = shape_in.size() - x.dim();
    Shape shape(shape_in.size());
    Strides strides(shape_in.size(), 0);
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i < lead) {
            KAYA_CHECK(shape_in[i] >= 0, ShapeError, "expand: -1 not allowed for new leading dim ",
                       i, " in ", format_shape(shape_in));
            shape[i] = shape_in[i];
            continue;
        }
        int64_t have = x.shape()[i - lead];
        int64_t want = shape_in[i] == -1 ? have : shape_in[i];
        KAYA_CHECK(have == want || have == 1, ShapeError, "expand: cannot expand ", describe(x),
                   " to ", format_shape(shape_in), " (dim ", i, ": ", have, " vs ", want, ")");
        shape[i] = want;
        strides[i] = have == want ? x.strides()[i - lead] : 0;
    }
    Tensor out = x.alias(shape, strides, x.offset());
    if (needs_grad({&x})) {
        Shape in = x.shape();
        record("ExpandBackward", out, {x}, [in](const Tensor& g) {
            return std::vector<Tensor>{sum_to(g, in)};
        });
    }
    return out;
}

Tensor expand_as(const Tensor& x, const Tensor& other) { return expand(x, other.shape()); }

Tensor squeeze(const Tensor& x) {
    Shape s;
    for (int64_t v : x.shape()) {
        if (v != 1) s.push_back(v);
    }
    return s.size() == x.shape().size() ? x : reshape(x, s);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
    int64_t d = wrap_dim(dim, x.dim(), "squeeze");
    if (x.dim() == 0 || x.shape()[d] != 1) return x;
    return select(x, d, 0);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
    int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
    detail::check_inputs("unsqueeze", {&x});
    Shape shape = x.shape();
    Strides strides = x.strides();
    int64_t st = d < x.dim() ? shape[d] * strides[d] : 1;
    shape.insert(shape.begin() + d, 1);
    strides.insert(strides.begin() + d, st);
    Tensor out = x.alias(shape, strides, x.offset());
    if (needs_grad({&x})) {
        Shape in = x.shape();
        record("UnsqueezeBackward", out, {x}, [in](const Tensor& g) {
            return std::vector<Tensor>{reshape(g, in)};
        });
    }
    return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
    if (x.dim() == 0) return reshape(x, {1});
    int64_t s = wrap_dim(start_dim, x.dim(), "flatten"), e = wrap_dim(end_dim, x.dim(), "flatten");
    KAYA_CHECK(s <= e, ValueError, "flatten: start_dim ", start_dim, " is after end_dim ", end_dim);
    Shape shape(x.shape().begin(), x.shape().begin() + s);
    int64_t merged = 1;
    for (int64_t d = s; d <= e; ++d) merged *= x.shape()[d];
    shape.push_back(merged);
    shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
    return reshape(x, shape);
}

Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
    KAYA_CHECK(!xs.empty(), ValueError, "cat: expected a non-empty list of tensors");
    const Tensor& first = xs[0];
    KAYA_CHECK(first.dim() > 0, ShapeError, "cat: zero-dimensional tensor 0 cannot be concatenated");
    int64_t d = wrap_dim(dim, first.dim(), "cat");
    DType dt = xs[0].dtype();
    int64_t total = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
        detail::check_inputs("cat", {&xs[i]});
        KAYA_CHECK(xs[i].dim() == first.dim(), ShapeError, "cat: tensor ", i, " is ",
                   describe(xs[i]), " but tensor 0 is ", describe(first));
        for (int64_t k = 0; k < first.dim(); ++k) {
            KAYA_CHECK(k == d || xs[i].shape()[k] == first.shape()[k], ShapeError, "cat: sizes must match except in dim ",
                       d, "; tensor ", i, " is ", describe(xs[i]), ", tensor 0 is ", describe(first));
        }
        dt = promote_types(dt, xs[i].dtype());
        total += xs[i].shape()[d];
    }
    Shape shape = first.shape();
    shape[d] = total;
    Tensor out = Tensor::empty(shape, dt);
    int64_t pos = 0;
    for (const auto& x : xs) {
        Tensor window = out.alias(x.shape(), out.strides(), pos * out.strides()[d]);
        auto loop = detail::make_loop(window, {&x});
        visit_dtype(dt, [&]<class O>() {
            visit_dtype(x.dtype(), [&]<class I>() {
                kernels::map_unary(loop, window.data<O>(), x.data<I>(),
                                   [](I v) { return static_cast<O>(v); });
            });
        });
        pos += x.shape()[d];
    }
    if (needs_grad(xs)) {
        std::vector<int64_t> sizes;
        std::vector<DType> dtypes;
        for (const auto& x : xs) {
            sizes.push_back(x.shape()[d]);
            dtypes.push_back(x.dtype());
        }
        record("CatBackward", out, xs, [sizes, dtypes, d](const Tensor& g) {
            std::vector<Tensor> grads;
            int64_t p = 0;
            for (size_t i = 0; i < sizes.size(); ++i) {
                grads.push_back(is_floating(dtypes[i]) ? to(narrow(g, d, p, sizes[i]), dtypes[i])
                                                       : Tensor());
                p += sizes[i];
            }
            return grads;
        });
    }
    return out;
}

Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
    KAYA_CHECK(!xs.empty(), ValueError, "stack: expected a non-empty list of tensors");
    int64_t d = wrap_dim(dim, xs[0].dim() + 1, "stack");
    std::vector<Tensor> parts;
    for (size_t i = 0; i < xs.size(); ++i) {
        KAYA_CHECK(xs[i].shape() == xs[0].shape(), ShapeError,
                   "stack: all tensors must have the same shape; tensor ", i, " is ",
                   describe(xs[i]), ", tensor 0 is ", describe(xs[0]));
        parts.push_back(unsqueeze(xs[i], d));
    }
    return cat(parts, d);
}

std::vector<Tensor> split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes,
                                     int64_t dim) {
    KAYA_CHECK(x.dim() > 0, ShapeError, "split: cannot split a 0-dim tensor");
    int64_t d = wrap_dim(dim, x.dim(), "split");
    int64_t sum = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
    KAYA_CHECK(sum == x.shape()[d], ShapeError, "split_with_sizes: sizes add up to ", sum,
               " but dim ", dim, " of ", describe(x), " has size ", x.shape()[d]);
    std::vector<Tensor> out;
    int64_t p = 0;
    for (int64_t s : sizes) {
        out.push_back(narrow(x, d, p, s));
        p += s;
    }
    return out;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
    KAYA_CHECK(split_size > 0, ValueError, "split: split_size must be positive, got ", split_size);
    KAYA_CHECK(x.dim() > 0, ShapeError, "split: cannot split a 0-dim tensor");
    int64_t n = x.shape()[wrap_dim(dim, x.dim(), "split")];
    std::vector<int64_t> sizes;
    for (int64_t p = 0; p < n; p += split_size) sizes.push_back(std::min(split_size, n - p));
    if (sizes.empty()) sizes.push_back(0);
    return split_with_sizes(x, sizes, dim);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
    KAYA_CHECK(chunks > 0, ValueError, "chunk: number of chunks must be positive, got ", chunks);
    KAYA_CHECK(x.dim() > 0, ShapeError, "chunk: cannot chunk a 0-dim tensor");
    int64_t n = x.shape()[wrap_dim(dim, x.dim(), "chunk")];
    return split(x, std::max<int64_t>(1, (n + chunks - 1) / chunks), dim);
}

}  // namespace kaya
