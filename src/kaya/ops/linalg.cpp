// SPDX-License-Identifier: MIT
#include "kaya/ops/linalg.h"

#include "kaya/kernels/blas/gemm.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// How BLAS should read a (rows, cols) matrix whose last two strides are (rs, cs):
// row-major (cs == 1), or column-major, i.e. a transposed row-major matrix (rs == 1).
struct MatLayout {
    bool ok = false;
    bool trans = false;
    int64_t ld = 0;
};

MatLayout layout_of(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
    if ((cs == 1 || cols <= 1) && rs >= std::max<int64_t>(cols, 1)) return {true, false, rs};
    if ((rs == 1 || rows <= 1) && cs >= std::max<int64_t>(rows, 1)) return {true, true, cs};
    return {};
}

void check_matmul_dtypes(const char* op, const Tensor& a, const Tensor& b) {
    KAYA_CHECK(a.dtype() == b.dtype(), DTypeError, op,
               ": expected both operands to have the same dtype, got ", describe(a), " and ",
               describe(b));
    KAYA_CHECK(a.dtype() != DType::Bool, DTypeError, op, ": not supported for bool tensors");
}

// Batched product over 3-D operands; the batch dim may have any stride (including 0).
Tensor bmm_forward(Tensor a, Tensor b) {
    const int64_t B = a.shape()[0], M = a.shape()[1], K = a.shape()[2], N = b.shape()[2];
    MatLayout la = layout_of(M, K, a.strides()[1], a.strides()[2]);
    if (!la.ok) {
        a = contiguous(a);
        la = layout_of(M, K, a.strides()[1], a.strides()[2]);
    }
    MatLayout lb = layout_of(K, N, b.strides()[1], b.strides()[2]);
    if (!lb.ok) {
        b = contiguous(b);
        lb = layout_of(K, N, b.strides()[1], b.strides()[2]);
    }
    Tensor out = Tensor::empty({B, M, N}, a.dtype());
    visit_numeric(a.dtype(), "bmm", [&]<class T>() {
        const T* pa = a.data<T>();
        const T* pb = b.data<T>();
        T* pc = out.data<T>();
        for (int64_t i = 0; i < B; ++i) {
            if (K == 0) {
                std::fill(pc + i * M * N, pc + (i + 1) * M * N, T(0));
                continue;
            }
            kernels::gemm<T>(la.trans, lb.trans, M, N, K, T(1), pa + i * a.strides()[0], la.ld,
                             pb + i * b.strides()[0], lb.ld, T(0), pc + i * M * N, N);
        }
    });
    return out;
}

}  // namespace

namespace {

// A 2-D tensor stored column by column (the transpose of a contiguous matrix), with more than
// one row and column.
bool column_major(const Tensor& m) {
    return m.dim() == 2 && m.shape()[0] > 1 && m.shape()[1] > 1 && m.strides()[0] == 1 &&
           m.strides()[1] == m.shape()[0];
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
    detail::check_inputs("mm", {&a, &b});
    KAYA_CHECK(a.dim() == 2 && b.dim() == 2, ShapeError,
               "mm: expected two 2-D tensors, got ", describe(a), " and ", describe(b));
    KAYA_CHECK(a.shape()[1] == b.shape()[0], ShapeError, "mm: inner dimensions differ: a is ",
               describe(a), ", b is ", describe(b));
    check_matmul_dtypes("mm", a, b);
    Tensor out = reshape(bmm_forward(unsqueeze(detach(a), 0), unsqueeze(detach(b), 0)),
                         {a.shape()[0], b.shape()[1]});
    if (needs_grad({&a, &b})) {
        bool ga = a.requires_grad(), gb = b.requires_grad();
        record("MmBackward", out, {a, b}, [a, b, ga, gb](const Tensor& g) {
            // Each gradient in its input's layout (as PyTorch's mm_mat1_backward): for a
            // transposed input (a weight's t(), a gradient's t() in double backward) the product
            // is computed transposed, so the transpose's own backward hands on a contiguous
            // tensor and accumulating it needs no transposed pass.
            auto grad_a = [&] { return column_major(a) ? t(mm(b, t(g))) : mm(g, t(b)); };
            auto grad_b = [&] { return column_major(b) ? t(mm(t(g), a)) : mm(t(a), g); };
            return std::vector<Tensor>{ga ? grad_a() : Tensor(), gb ? grad_b() : Tensor()};
        }, {a, b});
    }
    return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
    detail::check_inputs("bmm", {&a, &b});
    KAYA_CHECK(a.dim() == 3 && b.dim() == 3, ShapeError,
               "bmm: expected two 3-D tensors, got ", describe(a), " and ", describe(b));
    KAYA_CHECK(a.shape()[0] == b.shape()[0] && a.shape()[2] == b.shape()[1], ShapeError,
               "bmm: batch sizes or inner dimensions differ: a is ", describe(a), ", b is ",
               describe(b));
    check_matmul_dtypes("bmm", a, b);
    Tensor out = bmm_forward(detach(a), detach(b));
    if (needs_grad({&a, &b})) {
        bool ga = a.requires_grad(), gb = b.requires_grad();
        record("BmmBackward", out, {a, b}, [a, b, ga, gb](const Tensor& g) {
            return std::vector<Tensor>{ga ? bmm(g, transpose(b, 1, 2)) : Tensor(),
                                       gb ? bmm(transpose(a, 1, 2), g) : Tensor()};
        }, {a, b});
    }
    return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    detail::check_inputs("linear", {&x, &weight});
    KAYA_CHECK(weight.dim() == 2, ShapeError, "linear: expected a 2-D weight (out_features, in_features), got ",
               describe(weight));
    const int64_t in = weight.shape()[1], outf = weight.shape()[0];
    KAYA_CHECK(x.dim() >= 1 && x.shape()[x.dim() - 1] == in, ShapeError,
               "linear: expected input with last dimension ", in, " (in_features of weight ", describe(weight),
               "), got ", describe(x));
    check_matmul_dtypes("linear", x, weight);
    if (bias.defined()) {
        detail::check_inputs("linear", {&bias});
        KAYA_CHECK(bias.dim() == 1 && bias.shape()[0] == outf, ShapeError, "linear: expected bias of shape [",
                   outf, "], got ", describe(bias));
        check_matmul_dtypes("linear", x, bias);
    }
    Shape out_shape = x.shape();
    out_shape.back() = outf;
    Tensor x2 = reshape(detach(x), {-1, in});
    const int64_t rows = x2.shape()[0];
    MatLayout lx = layout_of(rows, in, x2.strides()[0], x2.strides()[1]);
    if (!lx.ok) {
        x2 = contiguous(x2);
        lx = layout_of(rows, in, x2.strides()[0], x2.strides()[1]);
    }
    Tensor w = detach(weight);
    MatLayout lw = layout_of(outf, in, w.strides()[0], w.strides()[1]);
    if (!lw.ok) {
        w = contiguous(w);
        lw = layout_of(outf, in, w.strides()[0], w.strides()[1]);
    }
    Tensor b = bias.defined() ? contiguous(detach(bias)) : Tensor();
    Tensor out = Tensor::empty({rows, outf}, x.dtype());
    visit_numeric(x.dtype(), "linear", [&]<class T>() {
        T* pc = out.data<T>();
        if (b.defined()) {
            const T* pb = b.data<T>();
            for (int64_t r = 0; r < rows; ++r) std::copy(pb, pb + outf, pc + r * outf);
        } else {
            std::fill(pc, pc + rows * outf, T(0));
        }
        // out = x2 @ w^T (+ out): w is read transposed by flipping its layout flag.
        if (in > 0 && rows > 0 && outf > 0) {
            kernels::gemm<T>(lx.trans, !lw.trans, rows, outf, in, T(1), x2.data<T>(), lx.ld, w.data<T>(), lw.ld,
                             T(1), pc, outf);
        }
    });
    out = reshape(out, out_shape);
    if (needs_grad({&x, &weight, &bias})) {
        bool gx = x.requires_grad(), gw = weight.requires_grad(), gb = bias.defined() && bias.requires_grad();
        Shape xs = x.shape();
        record("LinearBackward", out, {x, weight, bias}, [x, weight, gx, gw, gb, xs, in, outf](const Tensor& g) {
            Tensor g2 = reshape(g, {-1, outf});
            return std::vector<Tensor>{gx ? reshape(mm(g2, weight), xs) : Tensor(),
                                       gw ? mm(t(g2), reshape(x, {-1, in})) : Tensor(),
                                       gb ? sum(g2, {0}) : Tensor()};
        }, {x, weight});
    }
    return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
    detail::check_inputs("dot", {&a, &b});
    KAYA_CHECK(a.dim() == 1 && b.dim() == 1 && a.shape() == b.shape(), ShapeError,
               "dot: expected two 1-D tensors of equal length, got ", describe(a), " and ",
               describe(b));
    check_matmul_dtypes("dot", a, b);
    return sum(mul(a, b));
}

Tensor outer(const Tensor& a, const Tensor& b) {
    KAYA_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError,
               "outer: expected two 1-D tensors, got ", describe(a), " and ", describe(b));
    return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

Tensor matmul(const Tensor& a, const Tensor& b) {
    detail::check_inputs("matmul", {&a, &b});
    KAYA_CHECK(a.dim() > 0 && b.dim() > 0, ShapeError,
               "matmul: both arguments need at least 1 dimension, got ", describe(a), " and ",
               describe(b));
    const int64_t da = a.dim(), db = b.dim();
    if (da == 1 && db == 1) return dot(a, b);
    if (da == 2 && db == 1) return squeeze(mm(a, unsqueeze(b, 1)), -1);
    if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
    if (da == 2 && db == 2) return mm(a, b);
    const int64_t K = a.shape()[da - 1];
    const int64_t Kb = db == 1 ? b.shape()[0] : b.shape()[db - 2];
    KAYA_CHECK(K == Kb, ShapeError, "matmul: inner dimensions differ: a is ", describe(a),
               ", b is ", describe(b));
    if (db <= 2 && da >= 3) {
        // Fold a's batch dims into rows: one large gemm instead of many small ones.
        Shape out_shape(a.shape().begin(), a.shape().end() - 1);
        Tensor bm = db == 1 ? unsqueeze(b, 1) : b;
        Tensor r = mm(reshape(a, {-1, K}), bm);
        if (db == 2) out_shape.push_back(b.shape()[1]);
        return reshape(r, out_shape);
    }
    // General case: broadcast the batch dims, then bmm.
    Tensor a3 = da == 1 ? unsqueeze(a, 0) : a;
    Tensor b3 = db == 1 ? unsqueeze(b, 1) : b;
    Shape ba(a3.shape().begin(), a3.shape().end() - 2), bb(b3.shape().begin(), b3.shape().end() - 2);
    Shape batch = broadcast_shapes(ba, bb, "matmul");
    const int64_t M = a3.shape()[a3.dim() - 2], N = b3.shape()[b3.dim() - 1];
    Shape ea = batch, eb = batch;
    ea.insert(ea.end(), {M, K});
    eb.insert(eb.end(), {K, N});
    int64_t nb = numel(batch);
    Tensor r = bmm(reshape(expand(a3, ea), {nb, M, K}), reshape(expand(b3, eb), {nb, K, N}));
    Shape out_shape = batch;
    if (da > 1) out_shape.push_back(M);
    if (db > 1) out_shape.push_back(N);
    return reshape(r, out_shape);
}

}  // namespace kaya
