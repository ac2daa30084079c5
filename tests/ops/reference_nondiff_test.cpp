// SPDX-License-Identifier: MIT
// Ops without gradients against PyTorch: integer and bool results, index results, dtype
// promotion and factories. The result dtype must equal PyTorch's, values exactly (floats to
// 1e-6 relative). References: tools/gen_reference.py, NONDIFF table.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya {
namespace {

using V = const std::vector<Tensor>&;
struct Case {
    std::string name;
    int inputs;
    std::function<Tensor(V)> f;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

Tensor idx(std::vector<int64_t> v, Shape s) { return from_vector(v, s); }

std::vector<Case> cases() {
    return {
        {"eq_broadcast", 2, [](V x) { return eq(x[0], x[1]); }},
        {"lt_mixed", 2, [](V x) { return lt(x[0], x[1]); }},
        {"ge_scalar", 1, [](V x) { return ge(x[0], 0.25); }},
        {"logical_and", 2, [](V x) { return logical_and(gt(x[0], 0), gt(x[1], 0)); }},
        {"logical_or", 2, [](V x) { return logical_or(gt(x[0], 0), gt(x[1], 0)); }},
        {"logical_xor", 2, [](V x) { return logical_xor(gt(x[0], 0), gt(x[1], 0)); }},
        {"logical_not", 1, [](V x) { return logical_not(gt(x[0], 0)); }},
        {"argmax_dim", 1, [](V x) { return argmax(x[0], 1); }},
        {"argmin_keepdim", 1, [](V x) { return argmin(x[0], 0, true); }},
        {"argmax_all", 1, [](V x) { return argmax(x[0]); }},
        {"max_indices", 1, [](V x) { return max(x[0], 1).indices; }},
        {"one_hot", 1, [](V x) { return one_hot(x[0], 6); }},
        {"int_add_mul", 2, [](V x) { return add(mul(x[0], x[1]), x[0]); }},
        {"int_pow", 1, [](V x) { return pow(x[0], 3); }},
        {"int_div", 2, [](V x) { return div(x[0], x[1]); }},
        {"int_times_float", 1, [](V x) { return mul(x[0], 0.5); }},
        {"int_sum", 1, [](V x) { return sum(x[0], {1}); }},
        {"bool_sum", 1, [](V x) { return sum(gt(x[0], 0)); }},
        {"int_matmul", 2, [](V x) { return matmul(x[0], x[1]); }},
        {"int_clamp", 1, [](V x) { return clamp(x[0], -3, 4); }},
        {"int_abs_neg_sign", 1, [](V x) { return sub(abs(x[0]), mul(neg(x[0]), sign(x[0]))); }},
        {"where_int", 2, [](V x) { return where(gt(x[0], 0), x[1], 0); }},
        {"float_to_int", 1, [](V x) { return to(mul(x[0], 3), DType::Int64); }},
        {"bool_to_float", 1, [](V x) { return to(gt(x[0], 0), DType::Float32); }},
        {"exp_of_int", 1, [](V x) { return exp(x[0]); }},
        {"cat_promote", 2, [](V x) { return cat({x[0], x[1]}, 0); }},
        {"index_select_int", 1, [](V x) { return index_select(x[0], 1, idx({2, 0}, {2})); }},
        {"gather_int", 1, [](V x) { return gather(x[0], 0, idx({2, 1, 0}, {1, 3})); }},
        {"tril_int", 1, [](V x) { return tril(x[0], -1); }},
        {"arange_float", 0, [](V) { return arange(-1.0, 1.0, 0.3, DType::Float32); }},
        {"arange_int", 0, [](V) { return arange(2, 17, 4); }},
        {"linspace", 0, [](V) { return linspace(-1.0, 2.0, 7); }},
        {"eye", 0, [](V) { return eye(3, 5); }},
    };
}

class NonDiffReference : public ::testing::TestWithParam<Case> {};

TEST_P(NonDiffReference, MatchesPyTorchDtypeAndValues) {
    const Case& c = GetParam();
    auto file = [&](const std::string& part) {
        return test::data_path("ref/nd_" + c.name + "." + part + ".npy");
    };
    ASSERT_TRUE(std::filesystem::exists(file("out"))) << "run tools/gen_reference.py";
    std::vector<Tensor> xs;
    for (int i = 0; i < c.inputs; ++i) xs.push_back(test::load_npy(file("in" + std::to_string(i))));
    Tensor want = test::load_npy(file("out"));
    Tensor got = c.f(xs);
    ASSERT_EQ(got.dtype(), want.dtype()) << c.name;
    ASSERT_EQ(got.shape(), want.shape()) << c.name;
    if (is_floating(want.dtype())) {
        auto g = to_vector<double>(got), w = to_vector<double>(want);
        for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-6 * (1 + std::abs(w[i])));
    } else {
        EXPECT_EQ(to_vector<int64_t>(got), to_vector<int64_t>(want)) << c.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Ops, NonDiffReference, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kaya
