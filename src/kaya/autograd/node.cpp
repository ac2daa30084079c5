// SPDX-License-Identifier: MIT
#include "kaya/autograd/node.h"

#include <atomic>

#include "kaya/autograd/grad_mode.h"

namespace kaya::autograd {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
thread_local bool grad_enabled = true;
}  // namespace

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }

Node::Node(std::string name, std::vector<Edge> edges, BackwardFn fn)
    : name_(std::move(name)), edges_(std::move(edges)), fn_(std::move(fn)),
      sequence_nr_(next_sequence_nr++) {}

std::shared_ptr<Node> Node::make_accumulator(const std::shared_ptr<TensorImpl>& leaf) {
    auto node = std::make_shared<Node>("AccumulateGrad", std::vector<Edge>{}, nullptr);
    node->leaf_ = leaf;
    return node;
}

void Node::save_version(const Tensor& t) {
    if (!t.defined()) return;
    saved_.push_back({t.storage(), t.version(), t.shape()});
}

std::vector<Tensor> Node::apply(const Tensor& grad_output) {
    KAYA_CHECK(!released_, ValueError, "backward through ", name_,
               ": trying to backward through the graph a second time (or to use saved tensors "
               "after they were freed); pass retain_graph = true to the first backward call");
    for (const auto& s : saved_) {
        KAYA_CHECK(s.storage->version() == s.version, ValueError, "backward through ", name_,
                   ": a tensor of shape ", format_shape(s.shape),
                   " needed for gradient computation was modified by an in-place operation "
                   "(saved at version ", s.version, ", now version ", s.storage->version(),
                   "); clone it before modifying it");
    }
    return fn_(grad_output);
}

void Node::release() {
    fn_ = nullptr;
    saved_.clear();
    released_ = true;
}

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
    if (!is_grad_enabled()) return false;
    for (const Tensor* t : inputs) {
        if (t->defined() && t->requires_grad()) return true;
    }
    return false;
}

bool needs_grad(const std::vector<Tensor>& inputs) {
    if (!is_grad_enabled()) return false;
    for (const Tensor& t : inputs) {
        if (t.defined() && t.requires_grad()) return true;
    }
    return false;
}

Edge gradient_edge(const Tensor& t) {
    Edge e;
    if (!t.defined() || !t.requires_grad()) return e;
    e.shape = t.shape();
    e.dtype = t.dtype();
    if (t.grad_fn()) {
        e.node = t.grad_fn();
        return e;
    }
    // Leaf: share one accumulator among all graphs that use it (held weakly by the leaf).
    auto& meta = t.autograd_meta();
    auto acc = meta.grad_accumulator.lock();
    if (!acc) {
        acc = Node::make_accumulator(t.impl_ptr());
        meta.grad_accumulator = acc;
    }
    e.node = std::move(acc);
    return e;
}

const Tensor& record(const char* name, const Tensor& out, const std::vector<Tensor>& inputs,
                     Node::BackwardFn fn, const std::vector<Tensor>& saved) {
    std::vector<Edge> edges;
    edges.reserve(inputs.size());
    for (const auto& t : inputs) edges.push_back(gradient_edge(t));
    auto node = std::make_shared<Node>(name, std::move(edges), std::move(fn));
    for (const auto& t : saved) node->save_version(t);
    auto& meta = out.autograd_meta();
    meta.requires_grad = true;
    meta.grad_fn = std::move(node);
    return out;
}

}  // namespace kaya::autograd
