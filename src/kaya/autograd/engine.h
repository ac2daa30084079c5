// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::autograd {

class Node;

// Options of a backward pass (torch.autograd.backward / grad keywords).
struct BackwardOptions {
    // Keep the graph (and the tensors its rules saved) for another backward pass.
    bool retain_graph = false;
    // Record the backward computation itself, so gradients can be differentiated again.
    // Implies retain_graph.
    bool create_graph = false;
};

// Reverse-mode pass from `roots` seeded with `grad_outputs` (one per root, same shape; an
// undefined entry means ones and is allowed only for one-element roots). Gradients are
// accumulated (added) into .grad of every leaf that requires grad, and of non-leaves that
// called retain_grad(). A root may be a leaf that requires grad (its .grad receives the seed,
// as in PyTorch). Throws ValueError for a root that does not require grad, ShapeError or
// DTypeError for a seed of another shape or dtype than its root.
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_outputs = {},
              BackwardOptions options = {});
// Shorthand for a scalar loss: backward({loss}).
void backward(const Tensor& root, const Tensor& grad_output = Tensor(),
              BackwardOptions options = {});

struct GradOptions {
    bool retain_graph = false;
    bool create_graph = false;
    // Return an undefined tensor for inputs the outputs do not depend on, instead of throwing.
    bool allow_unused = false;
};

// Gradients of sum_i <outputs[i], grad_outputs[i]> with respect to each input, returned
// instead of accumulated into .grad (torch.autograd.grad). With create_graph the results are
// themselves differentiable, which gives Hessians and Hessian-vector products.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

// A backward pass prepared once and run many times with other seeds: the same outputs, inputs
// and graph (which must stay alive, as after retain_graph). Each run gives exactly what
// grad(outputs, inputs, seeds, {.retain_graph = true, .allow_unused = true}) would, bit for
// bit (same order of work), without walking and sorting the graph again: the inner loop of
// Hessian rows, Jacobian rows and Lanczos. Runs without recording (no create_graph).
class GradPlan {
public:
    GradPlan(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs);
    // One gradient per input (undefined where it does not depend on the outputs). Seeds as
    // in grad(): one per output, same shape and dtype.
    std::vector<Tensor> run(const std::vector<Tensor>& grad_outputs) const;

private:
    struct Step {
        std::shared_ptr<Node> node;
        std::vector<int> targets;  // Per edge: the step its gradient goes to (-1: dropped).
        int capture = -1;          // The input whose gradient this is (-1: none).
    };
    std::vector<Tensor> outputs_;
    std::vector<int> root_steps_;  // Per output: its step (-1: no graph below it).
    std::vector<Step> steps_;      // In execution order.
    size_t num_inputs_ = 0;
};

// Calls fn(leaf) each time backward has accumulated a pass's gradient into the leaf's .grad, so
// the gradient is complete for that pass (torch.Tensor.register_post_accumulate_grad_hook):
// data-parallel training starts reducing a bucket of gradients while backward goes on. Runs on
// the thread calling backward, in the order the engine reaches the leaves. Returns an id for
// remove_post_accumulate_grad_hook. ValueError unless leaf is a leaf that requires grad.
int64_t add_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> fn);
void remove_post_accumulate_grad_hook(const Tensor& leaf, int64_t id);

// Asks backward to fill .grad of a non-leaf tensor (Tensor.retain_grad()). No-op on leaves.
void retain_grad(const Tensor& t);

// a + b for two tensors of one shape and dtype, recorded in the graph when grad mode is on.
// The engine sums gradient contributions with it; ops use kaya::add instead.
Tensor accumulate(const Tensor& a, const Tensor& b);

}  // namespace kaya::autograd
