// SPDX-License-Identifier: MIT
#include "kaya/distributed/reducer.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "kaya/autograd/engine.h"
#include "kaya/ops/ops.h"

namespace kaya::distributed {

namespace {

template <class T>
void scaled_copy(T* dst, const T* src, int64_t n, double w) {
    if (w == 1) {
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
        return;
    }
    const T s = static_cast<T>(w);
    for (int64_t k = 0; k < n; ++k) dst[k] = src[k] * s;
}

void scaled_copy(DType dt, void* dst, const void* src, int64_t n, double w) {
    if (dt == DType::Float32) {
        scaled_copy(static_cast<float*>(dst), static_cast<const float*>(src), n, w);
    } else {
        scaled_copy(static_cast<double*>(dst), static_cast<const double*>(src), n, w);
    }
}

}  // namespace

GradientReducer::GradientReducer(ProcessGroup& group, std::vector<Tensor> params,
                                 ReducerOptions options)
    : group_(group), params_(std::move(params)), options_(options) {
    KAYA_CHECK(options_.bucket_mb > 0, ValueError, "GradientReducer: bucket_mb must be > 0, got ",
               options_.bucket_mb);
    const auto cap = static_cast<int64_t>(options_.bucket_mb * 1024 * 1024);
    slots_.resize(params_.size());
    // Reverse order of registration: backward reaches the last layers first.
    std::vector<std::pair<DType, int64_t>> sizes;  // Per bucket: dtype, elements.
    std::vector<int64_t> bytes;
    for (size_t k = params_.size(); k-- > 0;) {
        const Tensor& p = params_[k];
        KAYA_CHECK(p.defined() && p.is_leaf() && p.requires_grad() && is_floating(p.dtype()),
                   ValueError, "GradientReducer: parameter ", k, " (", describe(p),
                   ") is not a floating-point leaf that requires grad");
        const int64_t b = p.numel() * static_cast<int64_t>(dtype_size(p.dtype()));
        size_t target = buckets_.size();
        // Join the last bucket of the same dtype unless it is full.
        for (size_t j = buckets_.size(); j-- > 0;) {
            if (sizes[j].first != p.dtype()) continue;
            if (bytes[j] + b <= cap || bytes[j] == 0) target = j;
            break;
        }
        if (target == buckets_.size()) {
            buckets_.emplace_back();
            sizes.emplace_back(p.dtype(), 0);
            bytes.push_back(0);
        }
        slots_[k].bucket = target;
        slots_[k].offset = sizes[target].second;
        sizes[target].second += p.numel();
        bytes[target] += b;
        buckets_[target].params.push_back(k);
    }
    for (size_t j = 0; j < buckets_.size(); ++j) {
        buckets_[j].buffer = zeros({sizes[j].second}, sizes[j].first);
        stats_.bytes += bytes[j];
    }
    stats_.buckets = static_cast<int64_t>(buckets_.size());
    if (options_.overlap) {
        for (size_t k = 0; k < params_.size(); ++k) {
            slots_[k].hook = autograd::add_post_accumulate_grad_hook(
                params_[k], [this, k](const Tensor&) { on_gradient(k); });
        }
    }
}

GradientReducer::~GradientReducer() {
    for (auto& b : buckets_) {
        if (b.work) b.work->wait();  // Its buffer must outlive the operation.
    }
    for (size_t k = 0; k < params_.size(); ++k) {
        if (slots_[k].hook) autograd::remove_post_accumulate_grad_hook(params_[k], slots_[k].hook);
    }
}

std::vector<size_t> GradientReducer::bucket_params(size_t b) const {
    KAYA_CHECK(b < buckets_.size(), IndexError, "GradientReducer: bucket ", b, " of ",
               buckets_.size());
    return buckets_[b].params;
}

void GradientReducer::begin(double weight) {
    KAYA_CHECK(!active_, ValueError, "GradientReducer::begin: the previous step was not finished");
    KAYA_CHECK(weight >= 0 && std::isfinite(weight), ValueError,
               "GradientReducer::begin: weight must be finite and >= 0, got ", weight);
    weight_ = weight;
    active_ = true;
    next_launch_ = 0;
    for (auto& s : slots_) s.ready = s.used = false;
    for (auto& b : buckets_) {
        b.pending = b.params.size();
        b.work.reset();
    }
}

void GradientReducer::copy_in(size_t i) {
    Slot& s = slots_[i];
    Bucket& b = buckets_[s.bucket];
    const Tensor& p = params_[i];
    const Tensor g = p.grad();
    const int64_t item = static_cast<int64_t>(dtype_size(p.dtype()));
    char* dst = static_cast<char*>(b.buffer.raw_data()) + s.offset * item;
    if (g.defined()) {
        KAYA_CHECK(g.shape() == p.shape() && g.dtype() == p.dtype(), Error,
                   "GradientReducer: gradient ", describe(g), " does not match its parameter ",
                   describe(p));
        const Tensor c = g.is_contiguous() ? g : contiguous(g);
        scaled_copy(p.dtype(), dst, c.raw_data(), p.numel(), weight_);
        s.used = true;
    } else {
        std::memset(dst, 0, static_cast<size_t>(p.numel() * item));
    }
    s.ready = true;
    --b.pending;
}

void GradientReducer::on_gradient(size_t i) {
    if (!active_) return;  // A backward pass outside a step (e.g. a user's own).
    KAYA_CHECK(!slots_[i].ready, ValueError, "GradientReducer: parameter ", i,
               " received a second gradient in one step (one backward pass per step)");
    copy_in(i);
    const size_t before = next_launch_;
    launch_ready();
    stats_.early_launches += static_cast<int64_t>(next_launch_ - before);
}

// Buckets go out in index order on every process, whatever order their gradients came in, so
// the collectives match across processes.
void GradientReducer::launch_ready() {
    while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0)
        launch(next_launch_++);
}

void GradientReducer::launch(size_t b) {
    buckets_[b].work = group_.allreduce_sum(buckets_[b].buffer, "gradient bucket " + std::to_string(b));
}

std::vector<double> GradientReducer::finish(const std::vector<double>& extra) {
    KAYA_CHECK(active_, ValueError, "GradientReducer::finish without begin");
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < params_.size(); ++i) {
        if (!slots_[i].ready) copy_in(i);
    }
    launch_ready();
    // One more small all-reduce: the weights, which parameters were used, and the caller's values.
    std::vector<double> control;
    control.reserve(1 + params_.size() + extra.size());
    control.push_back(weight_);
    for (const auto& s : slots_) control.push_back(s.used ? 1.0 : 0.0);
    control.insert(control.end(), extra.begin(), extra.end());
    Tensor c = from_vector<double>(control, {static_cast<int64_t>(control.size())});
    auto cw = group_.allreduce_sum(c, "gradient weights and step values");
    for (auto& b : buckets_) b.work->wait();
    cw->wait();
    active_ = false;
    const auto total = to_vector<double>(c);
    const double weight_sum = total[0];
    for (size_t i = 0; i < params_.size(); ++i) {
        if (total[1 + i] == 0) continue;  // No process used it.
        const Tensor& p = params_[i];
        const Slot& s = slots_[i];
        const int64_t item = static_cast<int64_t>(dtype_size(p.dtype()));
        const char* src = static_cast<const char*>(buckets_[s.bucket].buffer.raw_data()) + s.offset * item;
        Tensor g = p.grad();
        if (!g.defined() || !g.is_contiguous() || g.requires_grad()) {
            g = empty(p.shape(), p.dtype());
            p.set_grad(g);
        }
        scaled_copy(p.dtype(), g.raw_data(), src, p.numel(), weight_sum > 0 ? 1 / weight_sum : 0);
        g.bump_version();
    }
    ++stats_.steps;
    stats_.wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {total.begin() + 1 + static_cast<std::ptrdiff_t>(params_.size()), total.end()};
}

}  // namespace kaya::distributed
