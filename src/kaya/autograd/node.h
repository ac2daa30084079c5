// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::autograd {

class Node;

// Where the gradient of one op input goes: the node that produced that input (or the leaf's
// accumulator), plus the input's shape and dtype for checking the rule's result. A null node
// means the input needs no gradient.
struct Edge {
    std::shared_ptr<Node> node;
    Shape shape;
    DType dtype = kDefaultDType;
};

// A version snapshot of a tensor captured by a backward rule; checked before the rule runs.
struct SavedVersion {
    std::shared_ptr<Storage> storage;
    uint64_t version = 0;
    Shape shape;
};

// One recorded op in the define-by-run graph. Every node has exactly one output (ops with
// several outputs, like split, are built from single-output views). `backward` maps the
// gradient of the output to one gradient per edge (undefined where an edge needs none). Rules
// are written with differentiable ops, which is what makes higher-order gradients work.
class Node {
public:
    using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

    Node(std::string name, std::vector<Edge> edges, BackwardFn fn);
    // The accumulator of a leaf tensor: gradients reaching it are added to leaf.grad().
    static std::shared_ptr<Node> make_accumulator(const std::shared_ptr<TensorImpl>& leaf);

    const std::string& name() const { return name_; }
    const std::vector<Edge>& edges() const { return edges_; }
    uint64_t sequence_nr() const { return sequence_nr_; }
    bool is_accumulator() const { return leaf_ != nullptr; }
    const std::shared_ptr<TensorImpl>& leaf() const { return leaf_; }

    // Records the version of a tensor the rule reads, so that a later in-place change is
    // reported instead of producing a silently wrong gradient.
    void save_version(const Tensor& t);
    // Runs the rule; throws ValueError if a saved tensor changed or the graph was freed.
    std::vector<Tensor> apply(const Tensor& grad_output);
    // Drops the rule and everything it captured (after a backward without retain_graph).
    void release();

    // Non-leaf tensors whose .grad should receive this node's incoming gradient.
    std::vector<std::weak_ptr<TensorImpl>> retained;

private:
    std::string name_;
    std::vector<Edge> edges_;
    BackwardFn fn_;
    std::vector<SavedVersion> saved_;
    std::shared_ptr<TensorImpl> leaf_;
    uint64_t sequence_nr_;
    bool released_ = false;
};

// True when grad mode is on and any of the tensors requires a gradient.
bool needs_grad(std::initializer_list<const Tensor*> inputs);
bool needs_grad(const std::vector<Tensor>& inputs);

// Attaches a node computing `fn` to `out`, with one edge per input (in order) and a version
// snapshot of each tensor in `saved`. Returns out for chaining. Call only when needs_grad().
const Tensor& record(const char* name, const Tensor& out, const std::vector<Tensor>& inputs,
                     Node::BackwardFn fn, const std::vector<Tensor>& saved = {});

// The edge through which a gradient for t flows (its grad_fn, or its leaf accumulator).
Edge gradient_edge(const Tensor& t);

}  // namespace kaya::autograd
