// SPDX-License-Identifier: MIT
#include "apps/analysis/spectrum.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "apps/train/progress.h"
#include "apps/train/task.h"
#include "kaya/curvature/derivatives.h"
#include "kaya/curvature/eigen.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::analysis {

namespace {

void find_kinks(const nn::Module& m, std::vector<std::string>& out) {
    const std::string t = m.type_name();
    if ((t == "ReLU" || t == "Hardsigmoid" || t == "MaxPool2d") &&
        std::find(out.begin(), out.end(), t) == out.end()) {
        out.push_back(t);
    }
    for (const auto& [_, child] : m.children()) find_kinks(*child, out);
}

}  // namespace

SpectrumReport model_spectrum(const app::Config& cfg, const std::string& weights, const SpectrumOptions& o) {
    KAYA_CHECK(o.batches >= 1 && o.steps >= 1 && o.count >= 1, ValueError,
               "spectrum: batches, steps and count must be positive, got ", o.batches, ", ", o.steps, ", ", o.count);
    const auto start = std::chrono::steady_clock::now();
    const std::string kind = cfg.require_string("task.kind");
    auto task = app::task_registry().make(kind, cfg);
    manual_seed(o.seed);
    task->prepare({.batch_size = cfg.get_int("train.batch_size", 64, 1), .seed = o.seed, .verbose = false});
    nn::Module& model = task->model();
    model.load_state_dict(io::load_safetensors(weights).tensors);
    model.eval();
    SpectrumReport r;
    find_kinks(model, r.kinked_layers);
    std::vector<data::Example> batches;
    task->visit_batches(1, 0, [&](int64_t, const data::Example& b) {
        batches.push_back(b);
        return static_cast<int64_t>(batches.size()) < o.batches;
    });
    for (const auto& b : batches) r.examples += b.at(0).size(0);
    std::vector<Tensor> params;
    for (const auto& p : model.parameters()) {
        if (p.requires_grad()) params.push_back(p);
    }
    auto loss_fn = [&] {
        Tensor total;
        app::Metrics sums;
        for (const auto& b : batches) {
            Tensor l = task->training_loss(b, sums);
            total = total.defined() ? total + l : l;
        }
        return total / static_cast<double>(batches.size());
    };
    curvature::HessianOperator op(loss_fn, params);
    r.description = kind + " on " + task->data_description() + "; weights " + weights;
    r.parameters = op.size();
    r.loss = op.loss();
    r.gradient_norm = op.gradient_norm();
    app::Progress bar("lanczos", o.steps, "products");
    if (!o.verbose) bar.set_enabled(false);
    int64_t done = 0;
    auto result = curvature::lanczos([&](const Tensor& v) {
        Tensor hv = op.apply(v);
        bar.update(++done);
        return hv;
    }, op.size(), op.dtype(), {.steps = o.steps, .seed = o.seed, .vectors = false});
    bar.finish();
    r.steps = result.steps;
    auto values = to_vector<double>(result.values), res = to_vector<double>(result.residuals);
    const size_t k = std::min(values.size(), static_cast<size_t>(o.count));
    for (size_t i = 0; i < k; ++i) {
        r.top.push_back(values[values.size() - 1 - i]);
        r.top_residual.push_back(res[res.size() - 1 - i]);
        r.bottom.push_back(values[i]);
        r.bottom_residual.push_back(res[i]);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::string describe_spectrum(const SpectrumReport& r) {
    std::string s = r.description + "\n";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%lld parameters, loss %.5g on %lld examples, gradient norm %.3g; %lld Lanczos steps in %.1f s\n",
                  static_cast<long long>(r.parameters), r.loss, static_cast<long long>(r.examples), r.gradient_norm,
                  static_cast<long long>(r.steps), r.seconds);
    s += buf;
    auto list = [&](const char* name, const std::vector<double>& v, const std::vector<double>& res) {
        s += name;
        for (size_t i = 0; i < v.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%s %.5g (residual %.1e)", i ? "," : "", v[i], res[i]);
            s += buf;
        }
        s += "\n";
    };
    list("largest eigenvalues:", r.top, r.top_residual);
    list("smallest eigenvalues:", r.bottom, r.bottom_residual);
    if (!r.kinked_layers.empty()) {
        std::string names;
        for (const auto& n : r.kinked_layers) names += (names.empty() ? "" : ", ") + n;
        s += "note: the model has " + names + " layers, whose second derivative is 0 except at kinks where it does"
             " not exist: this is the Hessian of the active pieces at this point\n";
    }
    return s;
}

}  // namespace kaya::analysis
