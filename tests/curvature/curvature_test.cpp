// SPDX-License-Identifier: MIT
// Hessians, Hessian-vector products and Jacobians against central finite differences (float64)
// and PyTorch (golden files from tools/gen_curvature_reference.py); eigenvalues against NumPy;
// Lanczos against the full decomposition.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "kaya/autograd/engine.h"
#include "kaya/core/parallel.h"
#include "kaya/curvature/derivatives.h"
#include "kaya/curvature/eigen.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::curvature {
namespace {

Tensor golden(const std::string& name) {
    return test::load_npy(test::data_path("curvature/" + name + ".npy"));
}

std::vector<double> values_of(const Tensor& t) { return to_vector<double>(contiguous(to(t, DType::Float64))); }

// max |a - b| / max(max |b|, tiny)
double relative_error(const Tensor& a, const Tensor& b) {
    auto x = values_of(a), y = values_of(b);
    EXPECT_EQ(x.size(), y.size());
    double diff = 0, scale = 1e-300;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        diff = std::max(diff, std::abs(x[i] - y[i]));
        scale = std::max(scale, std::abs(y[i]));
    }
    return diff / scale;
}

// The reference problem: an MLP in-hidden-1 with tanh and MSE on `samples` rows.
struct TanhMlp {
    Tensor x, y, w1, b1, w2, b2;
    TanhMlp(int64_t in, int64_t hidden, int64_t samples, DType dt, uint64_t seed) {
        Generator gen(seed);
        x = randn({samples, in}, dt, &gen);
        y = sin(sum(x, {1}, true));
        w1 = (randn({hidden, in}, dt, &gen) * 0.5).requires_grad_(true);
        b1 = (randn({hidden}, dt, &gen) * 0.1).requires_grad_(true);
        w2 = (randn({1, hidden}, dt, &gen) * 0.5).requires_grad_(true);
        b2 = (randn({1}, dt, &gen) * 0.1).requires_grad_(true);
    }
    std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
    Tensor loss() const { return mean(pow(linear(tanh(linear(x, w1, b1)), w2, b2) - y, 2.0)); }
};

// The gradient of the MLP's loss at params + eps v, flattened (for finite differences).
Tensor gradient_at(const TanhMlp& m, const Tensor& v, double eps) {
    auto params = m.params();
    auto shift = unflatten_like(v, params);
    std::vector<Tensor> moved;
    for (size_t i = 0; i < params.size(); ++i) {
        moved.push_back((detach(params[i]) + shift[i] * eps).requires_grad_(true));
    }
    TanhMlp copy = m;
    copy.w1 = moved[0], copy.b1 = moved[1], copy.w2 = moved[2], copy.b2 = moved[3];
    auto g = autograd::grad({copy.loss()}, moved);
    return flatten_all(g);
}

TEST(Hessian, HvpMatchesFiniteDifferencesOfTheGradient) {
    TanhMlp m(10, 50, 200, DType::Float64, 1);
    HessianOperator h([&] { return m.loss(); }, m.params());
    ASSERT_EQ(h.size(), 601);
    Generator gen(7);
    for (int trial = 0; trial < 3; ++trial) {
        Tensor v = randn({601}, DType::Float64, &gen);
        const double eps = 1e-5;
        Tensor fd = (gradient_at(m, v, eps) - gradient_at(m, v, -eps)) / (2 * eps);
        EXPECT_LT(relative_error(h.apply(v), fd), 1e-6);
    }
}

TEST(Hessian, FullMatrixIsSymmetricAndMatchesProducts) {
    TanhMlp m(10, 50, 200, DType::Float64, 2);
    HessianOperator op([&] { return m.loss(); }, m.params());
    Tensor full = op.matrix();
    ASSERT_EQ(full.shape(), (Shape{601, 601}));
    EXPECT_LT(relative_error(full, transpose(full, 0, 1)), 1e-12);
    Generator gen(3);
    Tensor v = randn({601}, DType::Float64, &gen);
    EXPECT_LT(relative_error(matmul(full, v), op.apply(v)), 1e-12);
    // Columns against finite differences of the gradient.
    for (int64_t j : {0, 137, 500, 600}) {
        Tensor e = zeros({601}, DType::Float64);
        e.data<double>()[j] = 1;
        const double eps = 1e-5;
        Tensor fd = (gradient_at(m, e, eps) - gradient_at(m, e, -eps)) / (2 * eps);
        EXPECT_LT(relative_error(select(full, 1, j), fd), 1e-6) << "column " << j;
    }
}

TEST(Hessian, RowsAreTheSameOnAnyThreadCount) {
    TanhMlp m(10, 20, 50, DType::Float32, 8);
    HessianOperator op([&] { return m.loss(); }, m.params());
    const int saved = num_threads();
    set_num_threads(1);
    auto one = values_of(op.matrix());
    set_num_threads(2);
    auto two = values_of(op.matrix());
    set_num_threads(saved);
    EXPECT_EQ(one, two);
}

TEST(Hessian, MatchesPyTorch) {
    TanhMlp m(4, 6, 20, DType::Float64, 0);
    m.x = golden("mlp_x"), m.y = golden("mlp_y");
    m.w1 = golden("mlp_w1").requires_grad_(true), m.b1 = golden("mlp_b1").requires_grad_(true);
    m.w2 = golden("mlp_w2").requires_grad_(true), m.b2 = golden("mlp_b2").requires_grad_(true);
    auto loss = [&] { return m.loss(); };
    EXPECT_LT(relative_error(hessian(loss, m.params()), golden("mlp_hessian")), 1e-12);
    EXPECT_LT(relative_error(hvp(loss, m.params(), golden("mlp_v")), golden("mlp_hvp")), 1e-12);
}

TEST(Hessian, Float32AgreesWithFloat64) {
    TanhMlp m64(3, 8, 30, DType::Float64, 4);
    TanhMlp m32 = m64;
    auto params = m64.params();
    std::vector<Tensor> p32;
    for (auto& p : params) p32.push_back(to(detach(p), DType::Float32).requires_grad_(true));
    m32.x = to(m64.x, DType::Float32), m32.y = to(m64.y, DType::Float32);
    m32.w1 = p32[0], m32.b1 = p32[1], m32.w2 = p32[2], m32.b2 = p32[3];
    Tensor h64 = hessian([&] { return m64.loss(); }, m64.params());
    Tensor h32 = hessian([&] { return m32.loss(); }, m32.params());
    EXPECT_EQ(h32.dtype(), DType::Float32);
    EXPECT_LT(relative_error(h32, h64), 1e-5);
}

TEST(Hessian, OfAFunctionOfOneTensor) {
    // Rosenbrock: f = (1 - a)^2 + 100 (b - a^2)^2; its Hessian in closed form.
    Tensor x = tensor({0.5, -0.3}, DType::Float64);
    auto f = [](const Tensor& z) {
        Tensor a = select(z, 0, 0), b = select(z, 0, 1);
        return pow(1.0 - a, 2.0) + 100.0 * pow(b - a * a, 2.0);
    };
    Tensor h = hessian(f, x);
    const double a = 0.5, b = -0.3;
    std::vector<double> want = {2 - 400 * (b - a * a) + 800 * a * a, -400 * a, -400 * a, 200};
    auto got = values_of(h);
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(got[i], want[i], 1e-10);
}

TEST(Hessian, UnusedAndLinearParametersGiveZeroRows) {
    Tensor a = tensor({1.0, 2.0}, DType::Float64).requires_grad_(true);
    Tensor lin = tensor({3.0}, DType::Float64).requires_grad_(true);
    Tensor unused = tensor({5.0, 6.0}, DType::Float64).requires_grad_(true);
    // loss = a0^2 a1 + 4 lin: H over (a0, a1, lin, u0, u1).
    Tensor h = hessian([&] { return sum(pow(select(a, 0, 0), 2.0) * select(a, 0, 1) + lin * 4.0); },
                       {a, lin, unused});
    std::vector<double> want(25, 0.0);
    want[0] = 2 * 2.0, want[1] = want[5] = 2 * 1.0;
    EXPECT_EQ(values_of(h), want);
    HessianOperator linear_only([&] { return sum(lin * 2.0); }, {lin});
    EXPECT_EQ(values_of(linear_only.apply(tensor({1.0}, DType::Float64))), std::vector<double>{0.0});
    EXPECT_DOUBLE_EQ(values_of(linear_only.gradient())[0], 2.0);
}

TEST(Hessian, BadInputIsRefusedClearly) {
    TanhMlp m(10, 50, 20, DType::Float64, 5);
    auto loss = [&] { return m.loss(); };
    try {
        hessian(loss, m.params(), 500);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("601 parameters"), std::string::npos) << what;
        EXPECT_NE(what.find("lanczos"), std::string::npos) << what;
    }
    EXPECT_THROW(HessianOperator([&] { return sum(m.w1); }, {detach(m.w1)}), ValueError);
    EXPECT_THROW(HessianOperator([&] { return m.w1 * 2.0; }, m.params()), ShapeError);
    EXPECT_THROW(HessianOperator([&] { return tensor({1.0}); }, m.params()), ValueError);
    Tensor p32 = zeros({2}, DType::Float32).requires_grad_(true);
    EXPECT_THROW(HessianOperator([&] { return sum(p32) + sum(m.b2); }, {p32, m.b2}), DTypeError);
    HessianOperator op(loss, m.params());
    EXPECT_THROW(op.apply(zeros({600}, DType::Float64)), ShapeError);
    EXPECT_THROW(op.apply(zeros({601}, DType::Int64)), DTypeError);
    Tensor nan_w = full({1}, std::nan(""), DType::Float64).requires_grad_(true);
    EXPECT_THROW(HessianOperator([&] { return sum(nan_w * nan_w); }, {nan_w}), ValueError);
}

TEST(Jacobian, MatchesPyTorch) {
    Tensor a = golden("jac_a");
    Tensor j = jacobian([&](const Tensor& z) { return tanh(matmul(a, z)) * sum(z * z); },
                        golden("jac_x"));
    ASSERT_EQ(j.shape(), (Shape{3, 4}));
    EXPECT_LT(relative_error(j, golden("jac")), 1e-12);
    Tensor constant = jacobian([&](const Tensor&) { return a; }, golden("jac_x"));
    EXPECT_EQ(constant.shape(), (Shape{3, 4, 4}));
    EXPECT_EQ(values_of(sum(abs(constant))), std::vector<double>{0.0});
}

TEST(SymmetricEigen, MatchesNumpyAndReconstructs) {
    Tensor s = golden("sym");
    auto d = symmetric_eigen(s);
    EXPECT_LT(relative_error(d.values, golden("sym_values")), 1e-12);
    // Eigenvectors up to sign.
    Tensor want = golden("sym_vectors");
    for (int64_t j = 0; j < 12; ++j) {
        Tensor got = select(d.vectors, 1, j), ref = select(want, 1, j);
        double sign = values_of(dot(got, ref))[0] < 0 ? -1 : 1;
        EXPECT_LT(relative_error(got * sign, ref), 1e-10) << "vector " << j;
    }
    Tensor rebuilt = matmul(d.vectors * d.values, transpose(d.vectors, 0, 1));
    EXPECT_LT(relative_error(rebuilt, s), 1e-13);
    auto f32 = symmetric_eigen(to(s, DType::Float32), false);
    EXPECT_EQ(f32.values.dtype(), DType::Float32);
    EXPECT_FALSE(f32.vectors.defined());
    EXPECT_LT(relative_error(f32.values, golden("sym_values")), 1e-5);
}

TEST(SymmetricEigen, BadInputIsRefusedClearly) {
    EXPECT_THROW(symmetric_eigen(zeros({3, 4}, DType::Float64)), ShapeError);
    EXPECT_THROW(symmetric_eigen(zeros({3, 3}, DType::Int64)), DTypeError);
    Tensor asym = golden("sym");
    asym = clone(asym);
    asym.data<double>()[1] += 0.5;
    try {
        symmetric_eigen(asym);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("[0, 1]"), std::string::npos) << e.what();
    }
    Tensor bad = clone(golden("sym"));
    bad.data<double>()[5] = INFINITY;
    EXPECT_THROW(symmetric_eigen(bad), ValueError);
    EXPECT_THROW(symmetric_eigen(clone(golden("sym")).requires_grad_(true)), NotImplemented);
    EXPECT_EQ(symmetric_eigen(zeros({0, 0}, DType::Float64)).values.numel(), 0);
}

TEST(Lanczos, FindsTheExtremeEigenvaluesOfAHessian) {
    TanhMlp m(10, 50, 200, DType::Float64, 6);
    HessianOperator op([&] { return m.loss(); }, m.params());
    auto full = symmetric_eigen(op.matrix());
    auto exact = values_of(full.values);
    LanczosOptions options;
    options.steps = 120;
    auto r = lanczos([&](const Tensor& v) { return op.apply(v); }, op.size(), op.dtype(), options);
    EXPECT_EQ(r.steps, 120);
    auto ritz = values_of(r.values);
    auto res = values_of(r.residuals);
    const double scale = std::max(std::abs(exact.front()), std::abs(exact.back()));
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(ritz[ritz.size() - 1 - i], exact[exact.size() - 1 - i], 1e-8 * scale) << "top " << i;
        EXPECT_NEAR(ritz[i], exact[i], 1e-8 * scale) << "bottom " << i;
        EXPECT_LT(res[res.size() - 1 - i], 1e-6 * scale);
    }
    // The top Ritz vector is an eigenvector: A y = theta y.
    Tensor y = select(r.vectors, 1, r.steps - 1);
    EXPECT_LT(relative_error(op.apply(y), y * ritz.back()), 1e-6);
    EXPECT_NEAR(values_of(dot(y, y))[0], 1.0, 1e-10);
}

TEST(Lanczos, StopsOnAnInvariantSubspaceWithExactValues) {
    // diag(1, 1, 1, 2, 2, 5, ..., 5) in float32: three distinct eigenvalues, so the Krylov
    // space of any start vector is invariant after three products.
    const int64_t n = 40;
    std::vector<double> diag(n, 5.0);
    diag[0] = diag[1] = diag[2] = 1.0;
    diag[3] = diag[4] = 2.0;
    Tensor d = from_vector(diag, {n});
    int calls = 0;
    auto r = lanczos([&](const Tensor& v) {
        ++calls;
        EXPECT_EQ(v.dtype(), DType::Float32);
        return v * to(d, DType::Float32);
    }, n, DType::Float32, {.steps = 30, .seed = 1, .vectors = false});
    EXPECT_EQ(r.steps, 3);
    EXPECT_EQ(calls, 3);
    auto v = values_of(r.values);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_NEAR(v[0], 1.0, 1e-6);
    EXPECT_NEAR(v[1], 2.0, 1e-6);
    EXPECT_NEAR(v[2], 5.0, 1e-6);
    EXPECT_FALSE(r.vectors.defined());
}

TEST(Lanczos, BadInputIsRefusedClearly) {
    auto identity = [](const Tensor& v) { return v; };
    EXPECT_THROW(lanczos(identity, 0, DType::Float64), ValueError);
    EXPECT_THROW(lanczos(identity, 5, DType::Float64, {.steps = 0}), ValueError);
    EXPECT_THROW(lanczos([](const Tensor&) { return zeros({3}, DType::Float64); }, 5, DType::Float64),
                 ShapeError);
    EXPECT_THROW(lanczos([](const Tensor& v) { return v * std::nan(""); }, 5, DType::Float64),
                 ValueError);
}

}  // namespace
}  // namespace kaya::curvature
