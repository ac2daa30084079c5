// SPDX-License-Identifier: MIT
// conv2d beyond the small reference cases: sizes that take the threaded paths, checked against
// a direct loop; the adjoint identities of the two gradient ops; thread-count independence;
// error messages.
#include "kaya/kernels/conv/conv.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/conv/direct.h"
#include "kaya/kernels/conv/winograd.h"
#include "kaya/kernels/simd/sgemm.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya {
namespace {

// The definition, one multiply-add at a time (float64).
Tensor direct_conv(const Tensor& x, const Tensor& w, const Conv2dParams& p, int64_t HO, int64_t WO) {
    const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    const int64_t O = w.shape()[0], cg = w.shape()[1], KH = w.shape()[2], KW = w.shape()[3];
    const int64_t og = O / p.groups;
    auto xv = to_vector<double>(x), wv = to_vector<double>(w);
    std::vector<double> y(N * O * HO * WO, 0.0);
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t oh = 0; oh < HO; ++oh)
                for (int64_t ow = 0; ow < WO; ++ow) {
                    double s = 0;
                    for (int64_t c = 0; c < cg; ++c)
                        for (int64_t i = 0; i < KH; ++i)
                            for (int64_t j = 0; j < KW; ++j) {
                                int64_t ih = oh * p.stride[0] - p.padding[0] + i * p.dilation[0];
                                int64_t iw = ow * p.stride[1] - p.padding[1] + j * p.dilation[1];
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                int64_t ci = o / og * cg + c;
                                s += xv[((n * C + ci) * H + ih) * W + iw] * wv[((o * cg + c) * KH + i) * KW + j];
                            }
                    y[((n * O + o) * HO + oh) * WO + ow] = s;
                }
    return from_vector<double>(y, {N, O, HO, WO});
}

TEST(Conv, MatchesTheDefinitionOnThreadedSizes) {
    Generator g(11);
    struct Case {
        Shape x, w;
        Conv2dParams p;
    };
    std::vector<Case> cases = {
        {{3, 6, 11, 9}, {8, 3, 3, 3}, {.stride = {2, 1}, .padding = {1, 1}, .groups = 2}},
        {{4, 5, 19, 19}, {7, 5, 5, 5}, {.padding = {2, 2}}},
        {{2, 4, 9, 10}, {3, 4, 3, 2}, {.stride = {1, 3}, .padding = {0, 2}, .dilation = {3, 2}}},
        {{5, 8, 7, 7}, {4, 8, 1, 1}, {}},
    };
    for (const Case& c : cases) {
        Tensor x = randn(c.x, DType::Float64, &g), w = randn(c.w, DType::Float64, &g);
        Tensor y = conv2d(x, w, Tensor(), c.p);
        Tensor ref = direct_conv(x, w, c.p, y.shape()[2], y.shape()[3]);
        EXPECT_LT(max(abs(sub(y, ref))).item<double>(), 1e-11) << format_shape(c.x) << " * " << format_shape(c.w);
        // Adjoints: <conv(x, w), gy> = <x, input_grad(gy, w)> = <w, weight_grad(x, gy)>.
        Tensor gy = randn(y.shape(), DType::Float64, &g);
        double lhs = sum(mul(y, gy)).item<double>();
        double via_x = sum(mul(x, conv2d_input_grad(x.shape(), w, gy, c.p))).item<double>();
        double via_w = sum(mul(w, conv2d_weight_grad(x, w.shape(), gy, c.p))).item<double>();
        EXPECT_NEAR(via_x, lhs, 1e-9 * (1 + std::abs(lhs)));
        EXPECT_NEAR(via_w, lhs, 1e-9 * (1 + std::abs(lhs)));
    }
}

// A fast path's output, input gradient and weight gradient against im2col's, relative to each
// one's largest value. Float rounding grows with the length of the weight gradient's sums
// (about sqrt of images x plane).
void expect_like_im2col(const std::vector<Tensor>& got, const std::vector<Tensor>& want, DType dt,
                        const Shape& x, const std::string& what) {
    const double terms = static_cast<double>(x[0] * x[2] * x[3]);
    const double tol = (dt == DType::Float32 ? 2e-5 : 1e-12) * std::max(1.0, std::sqrt(terms / 2000));
    const char* names[3] = {"output", "input gradient", "weight gradient"};
    for (size_t i = 0; i < 3; ++i) {
        const double rel = max(abs(sub(got[i], want[i]))).item<double>() / (max(abs(want[i])).item<double>() + 1e-30);
        EXPECT_LT(rel, tol) << what << ": " << names[i];
    }
}

// Winograd F(4x4, 3x3) and F(4x4, 5x5), called directly, against im2col on the shapes they
// take: the Go net's 19x19 (a partial last tile), odd sizes, every padding up to kernel - 1,
// float and double.
TEST(Conv, WinogradMatchesIm2col) {
    Generator g(5);
    struct Case {
        Shape x;
        int64_t out, pad, k = 3;
    };
    kernels::set_winograd_enabled(false);
    for (const Case& c : std::vector<Case>{{{3, 16, 19, 19}, 24, 1},
                                           {{2, 20, 7, 9}, 16, 0},
                                           {{2, 3, 5, 6}, 5, 2},
                                           {{1, 32, 4, 4}, 16, 1},
                                           {{40, 16, 9, 9}, 16, 1},
                                           // Large enough to be split into chunks of images.
                                           {{3, 16, 240, 240}, 17, 1},
                                           // Small filters, many boards: groups of images,
                                           // each convolved on one thread (float).
                                           {{10, 64, 19, 19}, 64, 1},
                                           {{5, 48, 19, 19}, 64, 2, 5},
                                           // 5x5: the Go net's first layer, and odd sizes.
                                           {{2, 48, 19, 19}, 32, 2, 5},
                                           {{2, 20, 8, 7}, 17, 0, 5},
                                           {{1, 5, 6, 9}, 3, 1, 5},
                                           {{2, 16, 5, 5}, 16, 3, 5},
                                           {{1, 16, 3, 4}, 18, 4, 5}}) {
        for (DType dt : {DType::Float32, DType::Float64}) {
            Tensor x = randn(c.x, dt, &g), w = randn({c.out, c.x[1], c.k, c.k}, dt, &g),
                   b = randn({c.out}, dt, &g);
            const Conv2dParams p{.padding = {c.pad, c.pad}};
            Tensor y0 = conv2d(x, w, b, p);
            Tensor gy = randn(y0.shape(), dt, &g);
            Tensor gx0 = conv2d_input_grad(x.shape(), w, gy, p), gw0 = conv2d_weight_grad(x, w.shape(), gy, p);
            kernels::ConvGeometry geo{.N = c.x[0],
                                      .C = c.x[1],
                                      .H = c.x[2],
                                      .W = c.x[3],
                                      .O = c.out,
                                      .KH = c.k,
                                      .KW = c.k,
                                      .pad_h = c.pad,
                                      .pad_w = c.pad};
            ASSERT_TRUE(geo.resolve() && kernels::winograd_applies(geo));
            Tensor y1 = empty_like(y0), gx1 = empty_like(x), gw1 = empty_like(w);
            visit_floating(dt, "test", [&]<class T>() {
                kernels::winograd_forward<T>(geo, x.data<T>(), w.data<T>(), b.data<T>(), y1.data<T>());
                kernels::winograd_backward_input<T>(geo, gy.data<T>(), w.data<T>(), gx1.data<T>());
                kernels::winograd_backward_weight<T>(geo, x.data<T>(), gy.data<T>(), gw1.data<T>());
            });
            expect_like_im2col({y1, gx1, gw1}, {y0, gx0, gw0}, dt, c.x,
                               format_shape(c.x) + " kernel " + std::to_string(c.k) + " pad " + std::to_string(c.pad));
        }
    }
    kernels::set_winograd_enabled(true);
    // The dispatch: the op takes Winograd for a batch of boards (seen in its rounding, which
    // differs from im2col's in the last bits).
    Tensor x = randn({8, 16, 19, 19}, DType::Float32, &g), w = randn({16, 16, 3, 3}, DType::Float32, &g);
    Tensor wino = conv2d(x, w, Tensor(), {.padding = {1, 1}});
    kernels::set_winograd_enabled(false);
    Tensor plain = conv2d(x, w, Tensor(), {.padding = {1, 1}});
    kernels::set_winograd_enabled(true);
    EXPECT_NE(to_vector<float>(wino), to_vector<float>(plain));
    EXPECT_LT(max(abs(sub(wino, plain))).item<double>() / max(abs(plain)).item<double>(), 2e-5);
}

// Inference keeps Winograd's transformed filters between calls (packed for Kaya's kernel where
// it runs the products: one partial panel of 16 outputs; 40 outputs, a whole panel and a
// partial one with AVX-512, three with AVX2; two boards); a weight changed in place, or a new
// weight tensor, must never be served the old transform, and the kept filters give the bits of
// a graph-recording call.
TEST(Conv, InferenceFilterCacheIsNeverStale) {
    Generator g(11);
    for (auto [k, n, outs] : {std::array<int64_t, 3>{3, 1, 16}, {5, 1, 16}, {3, 2, 40}}) {
        Tensor x = randn({n, 16, 19, 19}, DType::Float32, &g),
               w = randn({outs, 16, k, k}, DType::Float32, &g);
        const Conv2dParams p{.padding = {k / 2, k / 2}};
        auto fresh = [&](const Tensor& weight) {  // Recording a graph: no cache.
            autograd::GradModeGuard grad_on(true);
            Tensor wr = clone(weight);
            wr.requires_grad_();
            return to_vector<float>(conv2d(x, wr, Tensor(), p));
        };
        autograd::NoGradGuard no_grad;
        const std::vector<float> first = to_vector<float>(conv2d(x, w, Tensor(), p));
        EXPECT_EQ(first, fresh(w)) << "kernel " << k;
        EXPECT_EQ(to_vector<float>(conv2d(x, w, Tensor(), p)), first)
            << "kernel " << k << ", from the cache";
        w.data<float>()[7] += 1.0f;  // Behind the version counter's back.
        const std::vector<float> changed = to_vector<float>(conv2d(x, w, Tensor(), p));
        EXPECT_NE(changed, first) << "kernel " << k;
        EXPECT_EQ(changed, fresh(w)) << "kernel " << k;
        mul_(w, 2.0);
        EXPECT_EQ(to_vector<float>(conv2d(x, w, Tensor(), p)), fresh(w)) << "kernel " << k;
        Tensor other = randn({outs, 16, k, k}, DType::Float32, &g);
        EXPECT_EQ(to_vector<float>(conv2d(x, other, Tensor(), p)), fresh(other)) << "kernel " << k;
    }
}

// Under the medium matmul precision, inference's cached filters go to bfloat16 products already
// packed (the filter cache keeps that packing): the same bits as the products of a graph-recording
// call, which packs them each time, on any thread count; different from float where the
// products have the rows for bfloat16, and within the error bfloat16 Winograd has.
TEST(Conv, CachedBfloat16FiltersGiveTheBitsOfFreshOnes) {
    struct Precision {  // restores highest however the test ends
        Precision() { kernels::set_float32_matmul_precision(kernels::MatmulPrecision::kMedium); }
        ~Precision() { kernels::set_float32_matmul_precision(kernels::MatmulPrecision::kHighest); }
    };
    const int saved = num_threads();
    Generator g(5);
    // images, channels in, out, kernel: grouped images (3x3 and 5x5), products split by point, and
    // one image whose 25 tiles stay in float.
    for (const std::vector<int64_t>& s : {std::vector<int64_t>{8, 64, 64, 3}, std::vector<int64_t>{8, 48, 64, 5},
                                         std::vector<int64_t>{3, 192, 192, 3}, std::vector<int64_t>{1, 16, 16, 3}}) {
        Tensor x = randn({s[0], s[1], 19, 19}, DType::Float32, &g), w = randn({s[2], s[1], s[3], s[3]}, DType::Float32, &g);
        const Conv2dParams p{.padding = {s[3] / 2, s[3] / 2}};
        auto fresh = [&] {
            autograd::GradModeGuard grad_on(true);
            Tensor wr = clone(w);
            wr.requires_grad_();
            return to_vector<float>(conv2d(x, wr, Tensor(), p));
        };
        auto cached = [&] {
            autograd::NoGradGuard no_grad;
            return to_vector<float>(conv2d(x, w, Tensor(), p));
        };
        const std::vector<float> highest = cached();
        Precision medium;
        set_num_threads(1);
        const std::vector<float> first = cached(), again = cached();
        set_num_threads(2);
        const std::vector<float> two = cached();
        set_num_threads(saved);
        const std::string what = std::to_string(s[0]) + "x" + std::to_string(s[1]) + "->" + std::to_string(s[2]) + " " +
                                 std::to_string(s[3]) + "x" + std::to_string(s[3]);
        EXPECT_EQ(first, fresh()) << what;
        EXPECT_EQ(again, first) << what << ", from the cache";
        EXPECT_EQ(two, first) << what << ", 2 threads";
        if (!kernels::simd::sgemm_bf16_supported() || s[0] == 1) {
            EXPECT_EQ(first, highest) << what;
            continue;
        }
        EXPECT_NE(first, highest) << what;
        double err = 0, norm = 0;
        for (size_t i = 0; i < first.size(); ++i) {
            err += (double(first[i]) - highest[i]) * (double(first[i]) - highest[i]);
            norm += double(highest[i]) * highest[i];
        }
        // Measured 2.3% (3x3) and 4.6% (5x5) on these random values: the Winograd transforms
        // amplify bfloat16's rounding of the transformed tiles and filters (a plain product's is
        // 0.24%), which is why medium is an opt-in for inference, judged by the network's
        // own metrics (README).
        EXPECT_LT(std::sqrt(err / norm), s[3] == 3 ? 3.5e-2 : 7e-2) << what;
    }
}

// The tensor's bytes: equal bits, -0 and NaN included.
std::vector<unsigned char> bits(const Tensor& t) {
    Tensor c = contiguous(t);
    const size_t size = static_cast<size_t>(c.numel()) * (c.dtype() == DType::Float32 ? 4 : 8);
    const auto* p = static_cast<const unsigned char*>(
        c.dtype() == DType::Float32 ? static_cast<const void*>(c.data<float>())
                                    : static_cast<const void*>(c.data<double>()));
    return {p, p + size};
}

// conv2d, add and relu one after another.
Tensor epilogue_as_ops(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dParams& p,
                       const Conv2dEpilogue& e) {
    Tensor y = conv2d(x, w, b, p);
    if (e.add.defined()) y = add(y, e.add);
    return e.relu ? relu(y) : y;
}

// The fused epilogue (an add of the output's shape or per image and channel, then a ReLU) has
// the bits of the three ops: on Winograd's path (3x3 and 5x5, grouped images and products split
// by point; float, double and bfloat16 products), im2col's, the direct and batched ones, 1x1 and
// grouped convolutions, on 1 and 2 threads.
TEST(Conv, TheEpilogueGivesTheBitsOfTheOps) {
    struct Restore {  // precision and threads, however the test ends
        int threads = num_threads();
        ~Restore() {
            kernels::set_float32_matmul_precision(kernels::MatmulPrecision::kHighest);
            set_num_threads(threads);
        }
    } restore;
    struct Case {
        int64_t n, c, o, k, stride = 1, groups = 1;
    };
    Generator g(11);
    for (const Case& s : {Case{8, 64, 64, 3}, Case{8, 48, 64, 5}, Case{3, 192, 192, 3},
                          Case{2, 16, 16, 3}, Case{4, 3, 8, 3}, Case{1, 3, 8, 3},
                          Case{2, 8, 12, 3, 2}, Case{2, 8, 12, 1}, Case{2, 8, 12, 3, 1, 2}}) {
        for (DType dtype : {DType::Float32, DType::Float64}) {
            Tensor x = randn({s.n, s.c, 19, 19}, dtype, &g),
                   w = randn({s.o, s.c / s.groups, s.k, s.k}, dtype, &g);
            Tensor b = randn({s.o}, dtype, &g);
            const Conv2dParams p{
                .stride = {s.stride, s.stride}, .padding = {s.k / 2, s.k / 2}, .groups = s.groups};
            autograd::NoGradGuard no_grad;
            const Shape out = conv2d(x, w, b, p).shape();
            Tensor residual = randn(out, dtype, &g),
                   per_channel = randn({s.n, s.o, 1, 1}, dtype, &g);
            for (int medium = 0; medium < (dtype == DType::Float32 ? 2 : 1); ++medium) {
                kernels::set_float32_matmul_precision(medium ? kernels::MatmulPrecision::kMedium
                                                             : kernels::MatmulPrecision::kHighest);
                for (const Tensor& a : {Tensor(), residual, per_channel}) {
                    for (bool relu_on : {false, true}) {
                        const Conv2dEpilogue e{.add = a, .relu = relu_on};
                        const auto expected = bits(epilogue_as_ops(x, w, b, p, e));
                        for (int threads : {1, 2}) {
                            set_num_threads(threads);
                            EXPECT_EQ(bits(conv2d(x, w, b, p, e)), expected)
                                << s.n << "x" << s.c << "->" << s.o << " " << s.k << "x" << s.k
                                << " stride " << s.stride << " groups " << s.groups << " "
                                << dtype_name(dtype) << " medium " << medium << " add "
                                << (a.defined() ? format_shape(a.shape()) : "none") << " relu "
                                << relu_on << " threads " << threads;
                        }
                    }
                }
            }
        }
    }
}

// With a graph to record, the epilogue is one node whose output and gradients are the ops' bit
// for bit: on Winograd's path (16 and 64 channels) and im2col's (8), float and double, an add
// of the output's shape, per image and channel, or none, with and without the ReLU, the add's
// gradient included, and under create_graph the second derivatives too. Changing the output in
// place before the backward (the ReLU's mask is read from it) is reported. An add the kernel
// does not take (another broadcast, dtype) runs as the ops, and a bad one fails as add() does.
TEST(Conv, TheEpilogueWithAGraphOrAnotherAddIsTheOps) {
    Generator g(12);
    struct Case {
        int64_t n, c, hw;
    };
    for (const Case& s : {Case{2, 16, 9}, Case{2, 64, 19}, Case{2, 8, 7}}) {
        for (DType dtype : {DType::Float32, DType::Float64}) {
            Tensor x = randn({s.n, s.c, s.hw, s.hw}, dtype, &g),
                   w = randn({s.c, s.c, 3, 3}, dtype, &g);
            Tensor b = randn({s.c}, dtype, &g);
            const Conv2dParams p{.padding = {1, 1}};
            for (const Tensor& a : {Tensor(), randn({s.n, s.c, s.hw, s.hw}, dtype, &g),
                                    randn({s.n, s.c, 1, 1}, dtype, &g)}) {
                for (bool relu_on : {true, false}) {
                    // The output, its first derivatives and (under create_graph) the second.
                    auto grads = [&](bool fused, bool create_graph) {
                        std::vector<Tensor> in{clone(x).requires_grad_(true),
                                               clone(w).requires_grad_(true),
                                               clone(b).requires_grad_(true)};
                        if (a.defined()) in.push_back(clone(a).requires_grad_(true));
                        const Conv2dEpilogue e{.add = a.defined() ? in[3] : Tensor(),
                                               .relu = relu_on};
                        Tensor y = fused ? conv2d(in[0], in[1], in[2], p, e)
                                         : epilogue_as_ops(in[0], in[1], in[2], p, e);
                        std::vector<Tensor> out{y};
                        auto first = autograd::grad({sum(mul(y, y))}, in, {},
                                                    {.create_graph = create_graph});
                        out.insert(out.end(), first.begin(), first.end());
                        if (create_graph) {
                            Tensor second = zeros({}, dtype);
                            for (const Tensor& t : first) second = add(second, sum(mul(t, t)));
                            for (const Tensor& t : autograd::grad({second}, in)) out.push_back(t);
                        }
                        return out;
                    };
                    for (bool create_graph : {false, true}) {
                        const std::vector<Tensor> got = grads(true, create_graph),
                                                  want = grads(false, create_graph);
                        ASSERT_EQ(got.size(), want.size());
                        const std::string what = std::to_string(s.n) + "x" + std::to_string(s.c) +
                                                 "x" + std::to_string(s.hw) + " " +
                                                 std::string(dtype_name(dtype)) + " add " +
                                                 (a.defined() ? format_shape(a.shape()) : "none") +
                                                 " relu " + std::to_string(relu_on) +
                                                 " create_graph " + std::to_string(create_graph);
                        // The output and first derivatives bit for bit; the second derivatives
                        // sum the same terms in another order (the graphs differ), to rounding.
                        const size_t exact = a.defined() ? 5 : 4;  // y, then x, w, b (and the add)
                        for (size_t i = 0; i < got.size(); ++i) {
                            if (i < exact) {
                                EXPECT_EQ(bits(got[i]), bits(want[i])) << what << ", result " << i;
                            } else {
                                const double scale = max(abs(want[i])).item<double>();
                                const double diff = max(abs(sub(got[i], want[i]))).item<double>();
                                EXPECT_LE(diff, (dtype == DType::Float32 ? 1e-5 : 1e-12) * scale)
                                    << what << ", second derivative " << i - exact;
                            }
                        }
                    }
                }
            }
        }
    }
    Tensor x = randn({2, 16, 9, 9}, DType::Float64, &g),
           w = randn({16, 16, 3, 3}, DType::Float64, &g);
    Tensor b = randn({16}, DType::Float64, &g);
    const Conv2dParams p{.padding = {1, 1}};
    {
        Tensor wg = clone(w).requires_grad_(true);
        Tensor y = conv2d(x, wg, b, p, {.relu = true});
        Tensor loss = sum(y);
        {
            autograd::NoGradGuard no_grad;
            fill_(y, 1.0);
        }
        EXPECT_THROW(autograd::backward(loss), ValueError);
    }
    autograd::NoGradGuard no_grad;
    for (const Tensor& a :
         {randn({16, 1, 1}, DType::Float64, &g), randn({2, 16, 1, 9}, DType::Float64, &g),
          randn({2, 16, 9, 9}, DType::Float32, &g)}) {
        const Conv2dEpilogue e{.add = a, .relu = true};
        EXPECT_EQ(bits(conv2d(x, w, b, p, e)), bits(epilogue_as_ops(x, w, b, p, e)))
            << format_shape(a.shape());
    }
    Tensor bad = randn({2, 16, 9, 8}, DType::Float64, &g);
    EXPECT_THROW(conv2d(x, w, b, p, {.add = bad}), ShapeError);
    const std::string message = test::error_of([&] { conv2d(x, w, b, p, {.add = bad}); });
    EXPECT_NE(message.find("cannot be broadcast together: [2, 16, 9, 9] and [2, 16, 9, 8]"),
              std::string::npos)
        << message;
}

// conv2d's backward pass takes the weight gradient from the input tiles its forward pass kept
// (Winograd): the bits of conv2d_weight_grad, which transforms the input again, in float and
// double, on 1 and 2 threads, with the forward pass in groups of images, in one chunk and split
// by point; and a second backward pass over the kept graph gives the same again.
TEST(Conv, TheWeightGradientFromTheKeptTilesHasTheBitsOfTheOp) {
    const int saved = num_threads();
    Generator g(21);
    for (const std::vector<int64_t>& s :
         {std::vector<int64_t>{10, 64, 64, 3}, std::vector<int64_t>{3, 48, 64, 5},
          std::vector<int64_t>{2, 16, 24, 3}, std::vector<int64_t>{2, 192, 192, 3}}) {
        for (DType dt : {DType::Float32, DType::Float64}) {
            Tensor x = randn({s[0], s[1], 19, 19}, dt, &g),
                   w = randn({s[2], s[1], s[3], s[3]}, dt, &g);
            Tensor gy = randn({s[0], s[2], 19, 19}, dt, &g);
            const Conv2dParams p{.padding = {s[3] / 2, s[3] / 2}};
            for (int threads : {1, 2}) {
                set_num_threads(threads);
                Tensor wr = clone(w).requires_grad_(true);
                Tensor y = conv2d(x, wr, Tensor(), p);
                autograd::backward(y, gy, {.retain_graph = true});
                const std::vector<unsigned char> once = bits(wr.grad());
                EXPECT_EQ(once, bits(conv2d_weight_grad(x, w.shape(), gy, p)))
                    << format_shape(x.shape()) << " kernel " << s[3] << " " << dtype_name(dt)
                    << " threads " << threads;
                autograd::backward(y, gy);
                EXPECT_EQ(bits(wr.grad()), bits(add(conv2d_weight_grad(x, w.shape(), gy, p),
                                                    conv2d_weight_grad(x, w.shape(), gy, p))))
                    << "second pass, " << format_shape(x.shape());
            }
        }
    }
    set_num_threads(saved);
}

// For each path: one chunk of images, groups of images (Winograd with small filters, 3x3 and
// 5x5), and the products split by point.
class ConvThreads : public ::testing::TestWithParam<std::vector<int64_t>> {};

TEST_P(ConvThreads, ResultsDoNotDependOnThreadCount) {
    const std::vector<int64_t> s = GetParam();  // images, channels in, channels out, kernel
    int saved = num_threads();
    Generator g(3);
    Tensor x = randn({s[0], s[1], 19, 19}, DType::Float32, &g), w = randn({s[2], s[1], s[3], s[3]}, DType::Float32, &g);
    Tensor b = randn({s[2]}, DType::Float32, &g);
    auto run = [&] {
        Tensor xr = clone(x), wr = clone(w);
        xr.requires_grad_();
        wr.requires_grad_();
        Tensor y = conv2d(xr, wr, b, {.padding = {s[3] / 2, s[3] / 2}});
        autograd::backward(sum(mul(y, y)));
        return std::vector<std::vector<float>>{to_vector<float>(y), to_vector<float>(xr.grad()),
                                               to_vector<float>(wr.grad())};
    };
    set_num_threads(1);
    auto one = run();
    set_num_threads(2);
    auto two = run();
    set_num_threads(saved);
    EXPECT_EQ(one[0], two[0]) << "forward";
    EXPECT_EQ(one[1], two[1]) << "input gradient";
    EXPECT_EQ(one[2], two[2]) << "weight gradient";
}

INSTANTIATE_TEST_SUITE_P(Conv, ConvThreads,
                         ::testing::Values(std::vector<int64_t>{6, 16, 24, 3}, std::vector<int64_t>{12, 64, 64, 3},
                                           std::vector<int64_t>{6, 48, 64, 5}, std::vector<int64_t>{3, 192, 192, 3}));

// Small convolutions run a chunk of images as one product (LeNet's layers); still the same
// bits on any thread count, and the same values as one image at a time.
TEST(Conv, SmallConvolutionsBatchedAgreeWithPerImageAndThreadCounts) {
    int saved = num_threads();
    Generator g(5);
    struct Case { Shape x, w; Conv2dParams p; };
    for (const Case& c : {Case{{64, 1, 28, 28}, {6, 1, 5, 5}, {.padding = {2, 2}}},
                          Case{{64, 6, 14, 14}, {16, 6, 5, 5}, {}},
                          Case{{5, 3, 9, 7}, {4, 3, 3, 3}, {.stride = {2, 1}, .padding = {1, 0}}}}) {
        Tensor x = randn(c.x, DType::Float32, &g), w = randn(c.w, DType::Float32, &g);
        Tensor b = randn({c.w[0]}, DType::Float32, &g);
        auto run = [&](const Tensor& xs) {
            Tensor xr = clone(xs), wr = clone(w);
            xr.requires_grad_();
            wr.requires_grad_();
            Tensor y = conv2d(xr, wr, b, c.p);
            autograd::backward(sum(mul(y, y)));
            return std::vector<Tensor>{y, xr.grad(), wr.grad()};
        };
        set_num_threads(1);
        auto one = run(x);
        set_num_threads(2);
        auto two = run(x);
        set_num_threads(saved);
        for (int i = 0; i < 3; ++i) EXPECT_EQ(to_vector<float>(one[i]), to_vector<float>(two[i])) << i;
        // Image 0 alone (no batching) gives the same output and input gradient.
        // Relative to the values' size (input gradients reach hundreds): the batched product
        // sums in another order, and OpenBLAS's kernel (AVX2 or AVX-512, by CPU and
        // OPENBLAS_CORETYPE) changes the rounding.
        auto single = run(narrow(x, 0, 0, 1));
        for (int i = 0; i < 2; ++i) {
            const Tensor ref = narrow(one[i], 0, 0, 1);
            const double scale = max(abs(ref)).item<double>();
            EXPECT_LT(max(abs(sub(single[i], ref))).item<double>(), 1e-6 * scale + 1e-6) << i;
        }
    }
}

// The direct kernels (kernels/conv/direct.h), called directly, against im2col on the shapes
// they take: LeNet's two layers, every padding below the kernel, rows of one to four vectors,
// more filters than a block, float and double.
TEST(Conv, DirectMatchesIm2col) {
    Generator g(9);
    struct Case {
        Shape x;
        int64_t out, pad, k;
        int64_t kh = 0, pad_h = -1;  // Rectangular kernels (Conv1d's 1 x k); defaults: k, pad.
    };
    kernels::set_direct_conv_enabled(false);
    for (const Case& c : std::vector<Case>{{{64, 1, 28, 28}, 6, 2, 5},
                                           {{64, 6, 14, 14}, 16, 0, 5},
                                           // Channels in lanes: whole and padded vectors of filters.
                                           {{3, 1, 28, 28}, 32, 1, 3},
                                           {{2, 3, 7, 7}, 20, 2, 5},
                                           {{3, 2, 7, 9}, 5, 1, 3},
                                           {{2, 3, 6, 30}, 9, 2, 3},
                                           {{2, 4, 5, 20}, 17, 4, 5},
                                           {{1, 1, 3, 3}, 1, 0, 3},
                                           {{3, 2, 9, 8}, 3, 3, 5},
                                           {{4, 8, 1, 20}, 8, 2, 5, 1, 0},
                                           {{2, 3, 6, 12}, 4, 1, 3, 4, 2}}) {
        const int64_t kh = c.kh ? c.kh : c.k, pad_h = c.pad_h >= 0 ? c.pad_h : c.pad;
        for (DType dt : {DType::Float32, DType::Float64}) {
            Tensor x = randn(c.x, dt, &g), w = randn({c.out, c.x[1], kh, c.k}, dt, &g),
                   b = randn({c.out}, dt, &g);
            const Conv2dParams p{.padding = {pad_h, c.pad}};
            Tensor y0 = conv2d(x, w, b, p);
            Tensor gy = randn(y0.shape(), dt, &g);
            Tensor gx0 = conv2d_input_grad(x.shape(), w, gy, p), gw0 = conv2d_weight_grad(x, w.shape(), gy, p);
            kernels::ConvGeometry geo{.N = c.x[0], .C = c.x[1], .H = c.x[2], .W = c.x[3], .O = c.out,
                                      .KH = kh, .KW = c.k, .pad_h = pad_h, .pad_w = c.pad};
            ASSERT_TRUE(geo.resolve() && kernels::direct_applies(geo)) << format_shape(c.x);
            Tensor y1 = empty_like(y0), gx1 = empty_like(x), gw1 = empty_like(w);
            visit_floating(dt, "test", [&]<class T>() {
                kernels::direct_forward<T>(geo, x.data<T>(), w.data<T>(), b.data<T>(), y1.data<T>());
                kernels::direct_backward_input<T>(geo, gy.data<T>(), w.data<T>(), gx1.data<T>());
                kernels::direct_backward_weight<T>(geo, x.data<T>(), gy.data<T>(), gw1.data<T>());
            });
            expect_like_im2col({y1, gx1, gw1}, {y0, gx0, gw0}, dt, c.x,
                               format_shape(c.x) + " kernel " + std::to_string(kh) + "x" + std::to_string(c.k) +
                                   " pad " + std::to_string(c.pad) + " " + std::string(dtype_name(dt)));
        }
    }
    kernels::set_direct_conv_enabled(true);
    // Shapes outside its reach: strides, dilation, groups, 1x1, 7x7, padding of the kernel's
    // size, rows wider than four vectors.
    for (kernels::ConvGeometry geo : {kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 8, .O = 2, .KH = 3, .KW = 3, .stride_h = 2},
                                      kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 8, .O = 2, .KH = 3, .KW = 3, .dil_w = 2},
                                      kernels::ConvGeometry{.N = 2, .C = 2, .H = 8, .W = 8, .O = 2, .KH = 3, .KW = 3, .groups = 2},
                                      kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 8, .O = 2, .KH = 1, .KW = 1},
                                      kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 8, .O = 2, .KH = 7, .KW = 7},
                                      kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 8, .O = 2, .KH = 3, .KW = 3, .pad_w = 3},
                                      kernels::ConvGeometry{.N = 2, .C = 1, .H = 8, .W = 40, .O = 2, .KH = 3, .KW = 3}}) {
        ASSERT_TRUE(geo.resolve());
        EXPECT_FALSE(kernels::direct_applies(geo)) << geo.KH << "x" << geo.KW << " W " << geo.W;
    }
}

std::string message_of(const std::function<void()>& f) { return test::error_of(f); }

TEST(Conv, BadInputsAreRefusedWithShapes) {
    Tensor x = zeros({2, 3, 5, 5}), w = zeros({4, 3, 3, 3});
    EXPECT_NE(message_of([&] { conv2d(zeros({2, 4, 5, 5}), w); }).find("input has 4 channels"), std::string::npos);
    EXPECT_NE(message_of([&] { conv2d(zeros({3, 5}), w); }).find("expected a 4-D input"), std::string::npos);
    EXPECT_NE(message_of([&] { conv2d(zeros({1, 3, 2, 2}), w); }).find("smaller than the kernel 3x3"),
              std::string::npos);
    EXPECT_NE(message_of([&] { conv2d(x, w, zeros({3})); }).find("expected bias of shape [4]"), std::string::npos);
    EXPECT_NE(message_of([&] { conv2d(x, w, Tensor(), {.stride = {0, 1}}); }).find("stride must be positive"),
              std::string::npos);
    EXPECT_NE(message_of([&] { conv2d(x, zeros({4, 1, 3, 3}), Tensor(), {.groups = 2}); }).find("groups"),
              std::string::npos);
    EXPECT_THROW(conv2d(x, zeros({4, 3, 3, 3}, DType::Float64)), DTypeError);
    EXPECT_THROW(conv2d(reshape(arange(150), {2, 3, 5, 5}), zeros({4, 3, 3, 3}, DType::Int64)), DTypeError);
    EXPECT_NE(message_of([&] { conv2d_input_grad({2, 3, 5, 5}, w, zeros({2, 4, 5, 5})); })
                  .find("expected grad_output of shape [2, 4, 3, 3]"),
              std::string::npos);
}

}  // namespace
}  // namespace kaya
