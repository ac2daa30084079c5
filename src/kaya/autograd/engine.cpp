// SPDX-License-Identifier: MIT
#include "kaya/autograd/engine.h"

#include <atomic>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "kaya/autograd/grad_mode.h"
#include "kaya/autograd/node.h"
#include "kaya/kernels/ref/loop.h"

namespace kaya::autograd {

namespace {

kernels::Loop loop_of(const Tensor& out, const Tensor& a, const Tensor& b) {
    const int64_t* strides[3] = {out.strides().data(), a.strides().data(), b.strides().data()};
    return kernels::make_loop(static_cast<int>(out.dim()), out.shape().data(), 3, strides);
}

// Dense copy without history (used for gradients stored in .grad).
Tensor detached_copy(const Tensor& g) {
    Tensor out = Tensor::empty(g.shape(), g.dtype(), g.device());
    const int64_t* strides[2] = {out.strides().data(), g.strides().data()};
    auto loop = kernels::make_loop(static_cast<int>(g.dim()), g.shape().data(), 2, strides);
    visit_dtype(g.dtype(), [&]<class T>() {
        kernels::map_unary(loop, out.data<T>(), g.data<T>(), [](T v) { return v; });
    });
    return out;
}

Tensor ones_like_root(const Tensor& root) {
    KAYA_CHECK(root.numel() == 1, ValueError,
               "backward: grad can be implicitly created only for one-element outputs, got ",
               describe(root), "; pass grad_outputs");
    Tensor g = Tensor::empty(root.shape(), root.dtype(), root.device());
    visit_dtype(root.dtype(), [&]<class T>() { *g.data<T>() = T(1); });
    return g;
}

void add_into_grad(const std::shared_ptr<TensorImpl>& impl, Tensor g, bool create_graph) {
    Tensor holder(impl);
    Tensor cur = holder.grad();
    if (!cur.defined()) {
        // Take g as it is when nothing else can see its memory (PyTorch's AccumulateGrad does
        // the same); otherwise copy, so later in-place accumulation cannot alias a user tensor.
        bool sole_owner = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 &&
                          !g.requires_grad() && g.is_contiguous();
        holder.set_grad(create_graph || sole_owner ? g : detached_copy(g));
    } else if (create_graph || cur.requires_grad()) {
        holder.set_grad(accumulate(cur, g));
    } else {
        // Plain accumulation is in place, as in PyTorch: .grad keeps its identity.
        auto loop = loop_of(cur, cur, g);
        visit_dtype(cur.dtype(), [&]<class T>() {
            kernels::map_binary(loop, cur.data<T>(), cur.data<T>(), g.data<T>(),
                                [](T x, T y) { return static_cast<T>(x + y); });
        });
        cur.bump_version();
    }
}

void run_post_accumulate_hooks(const std::shared_ptr<TensorImpl>& impl) {
    if (!impl->autograd || impl->autograd->post_accumulate_hooks.empty()) return;
    const Tensor leaf(impl);
    for (const auto& [id, fn] : impl->autograd->post_accumulate_hooks) fn(leaf);
}

struct ByPriority {
    bool operator()(const Node* a, const Node* b) const {
        return a->sequence_nr() < b->sequence_nr();  // Newest node first, as PyTorch does.
    }
};

// The nodes below `roots`, depth first, each with the number of edges that reach it from them.
struct GraphWalk {
    std::vector<std::shared_ptr<Node>> order;  // Discovery order.
    std::unordered_map<Node*, int> deps;
};

GraphWalk walk_graph(const std::vector<std::shared_ptr<Node>>& roots) {
    GraphWalk w;
    std::unordered_set<Node*> seen;
    std::vector<std::shared_ptr<Node>> stack;
    for (const auto& r : roots) {
        if (r && seen.insert(r.get()).second) stack.push_back(r);
    }
    while (!stack.empty()) {
        std::shared_ptr<Node> n = std::move(stack.back());
        stack.pop_back();
        for (const auto& e : n->edges()) {
            if (!e.node) continue;
            ++w.deps[e.node.get()];
            if (seen.insert(e.node.get()).second) stack.push_back(e.node);
        }
        w.order.push_back(std::move(n));
    }
    return w;
}

// The nodes with a captured node at or below them (autograd::grad runs only those). Iterates to
// a fixed point: graphs are DAGs, so passes in reverse discovery order converge in few rounds.
std::unordered_set<Node*> needed_nodes(const GraphWalk& w, const std::unordered_set<Node*>& captures) {
    std::unordered_set<Node*> needed;
    for (bool changed = !captures.empty(); changed;) {
        changed = false;
        for (auto it = w.order.rbegin(); it != w.order.rend(); ++it) {
            Node* n = it->get();
            if (needed.count(n)) continue;
            bool need = captures.count(n) > 0;
            for (const auto& e : n->edges()) need = need || (e.node && needed.count(e.node.get()));
            if (need) needed.insert(n), changed = true;
        }
    }
    return needed;
}

// Runs the graph below the roots. With `captures` non-empty (autograd::grad) the gradient
// reaching each captured node is returned and no .grad is touched; nodes that cannot reach a
// captured node are skipped.
std::unordered_map<Node*, Tensor> run_graph(const std::vector<Tensor>& roots,
                                            const std::vector<Tensor>& seeds,
                                            const std::unordered_set<Node*>& captures,
                                            bool retain_graph, bool create_graph) {
    GradModeGuard mode(create_graph);
    std::unordered_map<Node*, Tensor> buffers;
    // Holds the root nodes alive: a leaf root's accumulator is otherwise owned by nobody.
    std::vector<std::shared_ptr<Node>> root_nodes;
    for (const auto& r : roots) root_nodes.push_back(gradient_edge(r).node);
    GraphWalk walk = walk_graph(root_nodes);
    auto& deps = walk.deps;
    const std::unordered_set<Node*> needed = needed_nodes(walk, captures);
    for (size_t i = 0; i < roots.size(); ++i) {
        Node* n = root_nodes[i].get();
        if (!n) continue;
        auto& buf = buffers[n];
        buf = buf.defined() ? accumulate(buf, seeds[i]) : seeds[i];
    }
    std::priority_queue<Node*, std::vector<Node*>, ByPriority> ready;
    for (const auto& n : walk.order) {
        if (deps[n.get()] == 0) ready.push(n.get());
    }
    std::unordered_map<Node*, Tensor> captured;
    while (!ready.empty()) {
        Node* n = ready.top();
        ready.pop();
        Tensor g;
        if (auto it = buffers.find(n); it != buffers.end()) {
            g = std::move(it->second);
            buffers.erase(it);
        }
        bool run = captures.empty() || needed.count(n);
        if (g.defined() && captures.count(n)) captured[n] = g;
        if (g.defined() && captures.empty()) {
            for (const auto& w : n->retained) {
                if (auto impl = w.lock()) add_into_grad(impl, g, create_graph);
            }
            if (n->is_accumulator()) {
                add_into_grad(n->leaf(), std::move(g), create_graph);
                run_post_accumulate_hooks(n->leaf());
            }
        }
        std::vector<Tensor> grads;
        if (g.defined() && run && !n->is_accumulator()) {
            grads = n->apply(g);
            KAYA_ASSERT(grads.size() == n->edges().size());
        }
        for (size_t i = 0; i < n->edges().size(); ++i) {
            const Edge& e = n->edges()[i];
            if (!e.node) continue;
            if (i < grads.size() && grads[i].defined()) {
                KAYA_CHECK(grads[i].shape() == e.shape && grads[i].dtype() == e.dtype, Error,
                           "backward of ", n->name(), ": rule returned gradient ",
                           describe(grads[i]), " for input ", i, " of ", format_shape(e.shape),
                           " ", dtype_name(e.dtype), " (internal error)");
                auto& buf = buffers[e.node.get()];
                buf = buf.defined() ? accumulate(buf, grads[i]) : grads[i];
            }
            if (--deps[e.node.get()] == 0) ready.push(e.node.get());
        }
        if (!retain_graph && run && !n->is_accumulator()) n->release();
    }
    return captured;
}

std::vector<Tensor> make_seeds(const std::vector<Tensor>& roots,
                               const std::vector<Tensor>& grad_outputs, const char* fn) {
    KAYA_CHECK(grad_outputs.empty() || grad_outputs.size() == roots.size(), ValueError, fn,
               ": got ", roots.size(), " outputs but ", grad_outputs.size(), " grad_outputs");
    std::vector<Tensor> seeds;
    for (size_t i = 0; i < roots.size(); ++i) {
        const Tensor& r = roots[i];
        KAYA_CHECK(r.defined() && r.requires_grad(), ValueError, fn, ": output ", i, " (",
                   describe(r), ") does not require grad and has no grad_fn");
        Tensor s = i < grad_outputs.size() ? grad_outputs[i] : Tensor();
        if (!s.defined()) s = ones_like_root(r);
        KAYA_CHECK(s.shape() == r.shape(), ShapeError, fn, ": grad_output ", i, " is ", describe(s),
                   " but output is ", describe(r));
        KAYA_CHECK(s.dtype() == r.dtype(), DTypeError, fn, ": grad_output ", i, " is ", describe(s),
                   " but output is ", describe(r), " (the seed must have the output's dtype)");
        seeds.push_back(s);
    }
    return seeds;
}

}  // namespace

Tensor accumulate(const Tensor& a, const Tensor& b) {
    Tensor out = Tensor::empty(a.shape(), a.dtype(), a.device());
    auto loop = loop_of(out, a, b);
    visit_dtype(a.dtype(), [&]<class T>() {
        kernels::map_binary(loop, out.data<T>(), a.data<T>(), b.data<T>(),
                            [](T x, T y) { return static_cast<T>(x + y); });
    });
    if (needs_grad({&a, &b})) {
        record("AccumulateAdd", out, {a, b}, [](const Tensor& g) {
            return std::vector<Tensor>{g, g};
        });
    }
    return out;
}

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_outputs,
              BackwardOptions options) {
    auto seeds = make_seeds(roots, grad_outputs, "backward");
    run_graph(roots, seeds, {}, options.retain_graph || options.create_graph,
              options.create_graph);
}

void backward(const Tensor& root, const Tensor& grad_output, BackwardOptions options) {
    backward(std::vector<Tensor>{root}, std::vector<Tensor>{grad_output}, options);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
    auto seeds = make_seeds(outputs, grad_outputs, "grad");
    std::unordered_set<Node*> captures;
    std::vector<std::shared_ptr<Node>> input_nodes;  // Keeps leaf accumulators alive.
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(inputs[i].defined() && inputs[i].requires_grad(), ValueError,
                   "grad: input ", i, " (", describe(inputs[i]), ") does not require grad");
        input_nodes.push_back(gradient_edge(inputs[i]).node);
        captures.insert(input_nodes.back().get());
    }
    auto captured = run_graph(outputs, seeds, captures,
                              options.retain_graph || options.create_graph, options.create_graph);
    std::vector<Tensor> result;
    for (size_t i = 0; i < inputs.size(); ++i) {
        auto it = captured.find(input_nodes[i].get());
        if (it == captured.end()) {
            KAYA_CHECK(options.allow_unused, ValueError, "grad: input ", i, " (",
                       describe(inputs[i]),
                       ") was not used to compute the outputs; pass allow_unused = true");
            result.emplace_back();
        } else {
            result.push_back(it->second);
        }
    }
    return result;
}

GradPlan::GradPlan(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs)
    : outputs_(outputs), num_inputs_(inputs.size()) {
    for (size_t i = 0; i < outputs.size(); ++i) {
        KAYA_CHECK(outputs[i].defined() && outputs[i].requires_grad(), ValueError, "GradPlan: output ",
                   i, " (", outputs[i].defined() ? describe(outputs[i]) : "undefined",
                   ") does not require grad and has no grad_fn");
    }
    std::unordered_map<Node*, int> capture_of;
    std::unordered_set<Node*> captures;
    std::vector<std::shared_ptr<Node>> input_nodes;
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(inputs[i].defined() && inputs[i].requires_grad(), ValueError, "GradPlan: input ", i,
                   " (", inputs[i].defined() ? describe(inputs[i]) : "undefined", ") does not require grad");
        input_nodes.push_back(gradient_edge(inputs[i]).node);
        capture_of.emplace(input_nodes.back().get(), static_cast<int>(i));
        captures.insert(input_nodes.back().get());
    }
    std::vector<std::shared_ptr<Node>> roots;
    for (const auto& o : outputs) roots.push_back(gradient_edge(o).node);
    GraphWalk walk = walk_graph(roots);
    auto& deps = walk.deps;
    const std::unordered_set<Node*> needed = needed_nodes(walk, captures);
    std::unordered_map<Node*, std::shared_ptr<Node>> owner;
    for (const auto& n : walk.order) owner.emplace(n.get(), n);
    // The execution order: run_graph's priority queue, simulated once.
    std::priority_queue<Node*, std::vector<Node*>, ByPriority> ready;
    for (const auto& n : walk.order) {
        if (deps[n.get()] == 0) ready.push(n.get());
    }
    std::unordered_map<Node*, int> step_of;
    std::vector<Node*> sequence;
    while (!ready.empty()) {
        Node* n = ready.top();
        ready.pop();
        if (needed.count(n)) {
            step_of[n] = static_cast<int>(sequence.size());
            sequence.push_back(n);
        }
        for (const auto& e : n->edges()) {
            if (e.node && --deps[e.node.get()] == 0) ready.push(e.node.get());
        }
    }
    for (Node* n : sequence) {
        Step s;
        s.node = owner[n];
        if (auto it = capture_of.find(n); it != capture_of.end()) s.capture = it->second;
        for (const auto& e : n->edges()) {
            auto it = e.node ? step_of.find(e.node.get()) : step_of.end();
            s.targets.push_back(it == step_of.end() || n->is_accumulator() ? -1 : it->second);
        }
        steps_.push_back(std::move(s));
    }
    for (const auto& r : roots) {
        auto it = r ? step_of.find(r.get()) : step_of.end();
        root_steps_.push_back(it == step_of.end() ? -1 : it->second);
    }
}

std::vector<Tensor> GradPlan::run(const std::vector<Tensor>& grad_outputs) const {
    auto seeds = make_seeds(outputs_, grad_outputs, "GradPlan::run");
    GradModeGuard mode(false);
    std::vector<Tensor> buffers(steps_.size()), result(num_inputs_);
    for (size_t i = 0; i < seeds.size(); ++i) {
        const int s = root_steps_[i];
        if (s < 0) continue;
        buffers[s] = buffers[s].defined() ? accumulate(buffers[s], seeds[i]) : seeds[i];
    }
    for (size_t k = 0; k < steps_.size(); ++k) {
        const Step& step = steps_[k];
        Tensor g = std::move(buffers[k]);
        if (!g.defined()) continue;
        if (step.capture >= 0) result[static_cast<size_t>(step.capture)] = g;
        if (step.node->is_accumulator()) continue;
        std::vector<Tensor> grads = step.node->apply(g);
        const auto& edges = step.node->edges();
        KAYA_ASSERT(grads.size() == edges.size());
        for (size_t i = 0; i < edges.size(); ++i) {
            const int t = step.targets[i];
            if (t < 0 || !grads[i].defined()) continue;
            KAYA_CHECK(grads[i].shape() == edges[i].shape && grads[i].dtype() == edges[i].dtype, Error,
                       "backward of ", step.node->name(), ": rule returned gradient ", describe(grads[i]),
                       " for input ", i, " of ", format_shape(edges[i].shape), " ", dtype_name(edges[i].dtype),
                       " (internal error)");
            auto& buf = buffers[static_cast<size_t>(t)];
            buf = buf.defined() ? accumulate(buf, grads[i]) : grads[i];
        }
    }
    return result;
}

int64_t add_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> fn) {
    KAYA_CHECK(leaf.defined() && leaf.is_leaf() && leaf.requires_grad(), ValueError,
               "add_post_accumulate_grad_hook: ", describe(leaf),
               " is not a leaf tensor that requires grad");
    static std::atomic<int64_t> next_id{1};
    const int64_t id = next_id++;
    leaf.autograd_meta().post_accumulate_hooks.emplace_back(id, std::move(fn));
    return id;
}

void remove_post_accumulate_grad_hook(const Tensor& leaf, int64_t id) {
    if (!leaf.defined() || !leaf.impl_ptr()->autograd) return;
    auto& hooks = leaf.autograd_meta().post_accumulate_hooks;
    std::erase_if(hooks, [id](const auto& h) { return h.first == id; });
}

void retain_grad(const Tensor& t) {
    if (t.is_leaf()) return;
    auto& meta = t.autograd_meta();
    if (meta.retains_grad) return;
    meta.retains_grad = true;
    t.grad_fn()->retained.push_back(t.impl_ptr());
}

}  // namespace kaya::autograd
