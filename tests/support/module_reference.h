// SPDX-License-Identifier: MIT
#pragma once

// Whole modules against PyTorch 1.13 runs of the same modules with the same weights
// (tests/data/modules, written by tools/gen_module_reference.py). Header-only: only the nn
// tests include it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "kaya/autograd/engine.h"
#include "kaya/io/safetensors.h"
#include "kaya/nn/module.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::test {

using Inputs = std::map<std::string, Tensor>;
using Run = std::function<std::vector<Tensor>(const Inputs&)>;

struct Reference {
    std::map<std::string, Tensor> tensors;

    const Tensor& at(const std::string& name) const {
        auto it = tensors.find(name);
        if (it == tensors.end()) throw std::runtime_error("reference has no tensor " + name);
        return it->second;
    }
    // Entries under "prefix." with the prefix removed.
    NamedTensors with_prefix(const std::string& prefix) const {
        NamedTensors out;
        for (const auto& [n, t] : tensors) {
            if (n.rfind(prefix, 0) == 0) out.emplace_back(n.substr(prefix.size()), t);
        }
        return out;
    }
};

inline Reference load_reference(const std::string& name) {
    Reference r;
    auto file = io::load_safetensors(test::data_path("modules/" + name + ".safetensors"));
    for (auto& [n, t] : file.tensors) r.tensors[n] = t;
    return r;
}

inline void expect_close(const Tensor& got, const Tensor& want, const std::string& what, double tol) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    auto g = to_vector<double>(to(got, DType::Float64));
    auto w = to_vector<double>(to(want, DType::Float64));
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < g.size(); ++i) {
        const double excess = std::abs(g[i] - w[i]) - tol * (1 + std::abs(w[i]));
        if (excess > worst) worst = excess, at = i;
    }
    EXPECT_LE(worst, 0.0) << what << ": element " << at << " is " << g[at] << ", PyTorch "
                          << w[at];
}

// Loads PyTorch's weights into m (strict: same names and shapes), runs it on PyTorch's inputs
// and compares outputs and gradients.
inline void check_against_pytorch(nn::Module& m, const std::string& name, const Run& run,
                           double tol = 1e-5, bool eval = false) {
    SCOPED_TRACE(name);
    Reference ref = load_reference(name);
    NamedTensors params = ref.with_prefix("param.");
    NamedTensors ours = m.state_dict();
    auto names = [](const NamedTensors& ts) {
        std::vector<std::string> v;
        for (const auto& [n, t] : ts) v.push_back(n + " " + format_shape(t.shape()));
        std::sort(v.begin(), v.end());
        return v;
    };
    ASSERT_EQ(names(ours), names(params)) << "state_dict names and shapes differ from PyTorch's";
    m.load_state_dict(params);
    m.train(!eval);

    Inputs inputs;
    for (auto& [n, t] : ref.with_prefix("input.")) {
        Tensor x = clone(t);
        if (is_floating(x.dtype())) x.requires_grad_(true);
        inputs[n] = x;
    }
    std::vector<Tensor> outs = run(inputs);
    Tensor loss = zeros({});
    for (size_t k = 0; k < outs.size(); ++k) {
        const std::string suffix = k == 0 ? "" : "." + std::to_string(k);
        expect_close(outs[k], ref.at("output" + suffix), "output" + suffix, tol);
        if (is_floating(outs[k].dtype())) loss = add(loss, sum(mul(outs[k], ref.at("gout" + suffix))));
    }
    // Buffers after the forward pass (running statistics) as PyTorch left them.
    for (const auto& [n, b] : m.named_buffers()) {
        expect_close(b, ref.at("after." + n), "buffer " + n + " after the forward pass", tol);
    }
    autograd::backward(loss);
    for (const auto& [n, p] : m.named_parameters()) {
        expect_close(p.grad(), ref.at("grad.param." + n), "gradient of " + n, tol);
    }
    for (const auto& [n, x] : inputs) {
        if (is_floating(x.dtype())) {
            expect_close(x.grad(), ref.at("grad.input." + n), "gradient of input " + n, tol);
        }
    }
}

}  // namespace kaya::test
