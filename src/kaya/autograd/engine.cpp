// SPDX-License-Identifier: MIT
#include "kaya/autograd/engine.h"

#include <algorithm>
#include <atomic>
#include <queue>

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

// Node* to a dense index, by open addressing: the graph walks' only lookup. std::unordered_map
// and unordered_set (a heap node per entry, a division per hash) were a fifth of a
// Hessian-vector product on a small MLP.
class NodeIndex {
public:
    // The index of n, or -1.
    int find(const Node* n) const {
        if (slots_.empty()) return -1;
        for (size_t i = slot_of(n);; i = (i + 1) & mask_) {
            if (slots_[i].first == n) return slots_[i].second;
            if (slots_[i].first == nullptr) return -1;
        }
    }
    // n's index, giving it `next` if it had none; `added` says which.
    int insert(const Node* n, int next, bool& added) {
        if (2 * (count_ + 1) > slots_.size()) grow();
        for (size_t i = slot_of(n);; i = (i + 1) & mask_) {
            if (slots_[i].first == n) {
                added = false;
                return slots_[i].second;
            }
            if (slots_[i].first == nullptr) {
                slots_[i] = {n, next};
                ++count_;
                added = true;
                return next;
            }
        }
    }

private:
    size_t slot_of(const Node* n) const {
        return static_cast<size_t>((reinterpret_cast<uintptr_t>(n) >> 4) * 0x9E3779B97F4A7C15ull) & mask_;
    }
    void grow() {
        std::vector<std::pair<const Node*, int>> old = std::move(slots_);
        slots_.assign(std::max<size_t>(64, old.size() * 2), {nullptr, -1});
        mask_ = slots_.size() - 1;
        count_ = 0;
        bool added = false;
        for (const auto& [n, i] : old) {
            if (n) insert(n, i, added);
        }
    }
    std::vector<std::pair<const Node*, int>> slots_;
    size_t mask_ = 0;
    size_t count_ = 0;
};

// The nodes below `roots`, each with a dense index (its position in `nodes`) and the number of
// edges that reach it from them.
struct GraphWalk {
    std::vector<std::shared_ptr<Node>> nodes;  // By index; holds them alive while they run.
    std::vector<int> deps;                     // By index.
    std::vector<int> finished;                 // Indices in the order the depth-first walk left them.
    NodeIndex index;
    // The index each node's edges lead to (-1: no node), found once by the walk: node i's
    // edge e at edge_target[edge_start[i] + e].
    std::vector<int> edge_start, edge_target;

    int target(size_t i, size_t e) const { return edge_target[static_cast<size_t>(edge_start[i]) + e]; }

    // Newest node first, as PyTorch does.
    auto newest_first() const {
        return [this](int a, int b) { return nodes[a]->sequence_nr() < nodes[b]->sequence_nr(); };
    }
    // The indices with no edge reaching them, in the order run_graph's queue takes them.
    auto ready_queue() const {
        std::priority_queue<int, std::vector<int>, decltype(newest_first())> ready(newest_first());
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (deps[i] == 0) ready.push(static_cast<int>(i));
        }
        return ready;
    }
};

GraphWalk walk_graph(const std::vector<std::shared_ptr<Node>>& roots) {
    GraphWalk w;
    std::vector<int> stack;
    auto visit = [&](const std::shared_ptr<Node>& n) {
        bool added = false;
        const int i = w.index.insert(n.get(), static_cast<int>(w.nodes.size()), added);
        if (added) {
            w.nodes.push_back(n);
            w.deps.push_back(0);
            w.edge_start.push_back(0);
            stack.push_back(i);
        }
        return i;
    };
    for (const auto& r : roots) {
        if (r) visit(r);
    }
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        w.edge_start[static_cast<size_t>(i)] = static_cast<int>(w.edge_target.size());
        for (const auto& e : w.nodes[static_cast<size_t>(i)]->edges()) {
            const int t = e.node ? visit(e.node) : -1;
            if (t >= 0) ++w.deps[static_cast<size_t>(t)];
            w.edge_target.push_back(t);
        }
        w.finished.push_back(i);
    }
    return w;
}

// Per index: whether a captured node is at or below it (autograd::grad runs only those).
// Iterates to a fixed point: graphs are DAGs, so passes in reverse walk order converge in few
// rounds.
std::vector<char> needed_nodes(const GraphWalk& w, const std::vector<char>& captured) {
    std::vector<char> needed(captured);
    // Nothing captured (backward): nothing needed, and no pass over the graph.
    for (bool changed = std::find(captured.begin(), captured.end(), 1) != captured.end(); changed;) {
        changed = false;
        for (auto it = w.finished.rbegin(); it != w.finished.rend(); ++it) {
            const size_t i = static_cast<size_t>(*it);
            if (needed[i]) continue;
            for (size_t e = 0; e < w.nodes[i]->edges().size(); ++e) {
                if (const int t = w.target(i, e); t >= 0 && needed[static_cast<size_t>(t)]) {
                    needed[i] = 1;
                    changed = true;
                    break;
                }
            }
        }
    }
    return needed;
}

// Per index: whether the node is one of `captures`.
std::vector<char> capture_flags(const GraphWalk& w, const std::vector<Node*>& captures) {
    std::vector<char> flags(w.nodes.size(), 0);
    for (Node* c : captures) {
        if (const int i = w.index.find(c); i >= 0) flags[static_cast<size_t>(i)] = 1;
    }
    return flags;
}

// Runs the graph below the roots. With `captures` non-empty (autograd::grad) the gradient
// reaching each captured node is returned (one per entry, undefined where none arrives) and
// no .grad is touched; nodes that cannot reach a captured node are skipped.
std::vector<Tensor> run_graph(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds,
                              const std::vector<Node*>& captures, bool retain_graph,
                              bool create_graph) {
    GradModeGuard mode(create_graph);
    std::vector<std::shared_ptr<Node>> root_nodes;
    for (const auto& r : roots) root_nodes.push_back(gradient_edge(r).node);
    GraphWalk walk = walk_graph(root_nodes);
    auto& deps = walk.deps;
    const std::vector<char> is_capture = capture_flags(walk, captures);
    const std::vector<char> needed = needed_nodes(walk, is_capture);
    std::vector<Tensor> buffers(walk.nodes.size()), captured(captures.empty() ? 0 : walk.nodes.size());
    for (size_t i = 0; i < roots.size(); ++i) {
        if (!root_nodes[i]) continue;
        auto& buf = buffers[static_cast<size_t>(walk.index.find(root_nodes[i].get()))];
        buf = buf.defined() ? accumulate(buf, seeds[i]) : seeds[i];
    }
    auto ready = walk.ready_queue();
    while (!ready.empty()) {
        const size_t k = static_cast<size_t>(ready.top());
        ready.pop();
        Node* n = walk.nodes[k].get();
        Tensor g = std::move(buffers[k]);
        bool run = captures.empty() || needed[k];
        if (g.defined() && is_capture[k]) captured[k] = g;
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
            const size_t t = static_cast<size_t>(walk.target(k, i));
            if (i < grads.size() && grads[i].defined()) {
                KAYA_CHECK(grads[i].shape() == e.shape && grads[i].dtype() == e.dtype, Error,
                           "backward of ", n->name(), ": rule returned gradient ",
                           describe(grads[i]), " for input ", i, " of ", format_shape(e.shape),
                           " ", dtype_name(e.dtype), " (internal error)");
                auto& buf = buffers[t];
                buf = buf.defined() ? accumulate(buf, grads[i]) : grads[i];
            }
            if (--deps[t] == 0) ready.push(static_cast<int>(t));
        }
        if (!retain_graph && run && !n->is_accumulator()) n->release();
    }
    std::vector<Tensor> result;
    for (Node* c : captures) {
        const int i = walk.index.find(c);
        result.push_back(i >= 0 ? captured[static_cast<size_t>(i)] : Tensor());
    }
    return result;
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
    std::vector<std::shared_ptr<Node>> input_nodes;  // Keeps leaf accumulators alive.
    std::vector<Node*> captures;
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(inputs[i].defined() && inputs[i].requires_grad(), ValueError,
                   "grad: input ", i, " (", describe(inputs[i]), ") does not require grad");
        input_nodes.push_back(gradient_edge(inputs[i]).node);
        captures.push_back(input_nodes.back().get());
    }
    std::vector<Tensor> result = run_graph(outputs, seeds, captures,
                                           options.retain_graph || options.create_graph,
                                           options.create_graph);
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(result[i].defined() || options.allow_unused, ValueError, "grad: input ", i, " (",
                   describe(inputs[i]), ") was not used to compute the outputs; pass allow_unused = true");
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
    std::vector<std::shared_ptr<Node>> input_nodes;
    std::vector<Node*> captures;
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(inputs[i].defined() && inputs[i].requires_grad(), ValueError, "GradPlan: input ", i,
                   " (", inputs[i].defined() ? describe(inputs[i]) : "undefined", ") does not require grad");
        input_nodes.push_back(gradient_edge(inputs[i]).node);
        captures.push_back(input_nodes.back().get());
    }
    std::vector<std::shared_ptr<Node>> roots;
    for (const auto& o : outputs) roots.push_back(gradient_edge(o).node);
    GraphWalk walk = walk_graph(roots);
    const std::vector<char> needed = needed_nodes(walk, capture_flags(walk, captures));
    // Per index: the input whose gradient the node receives (the first, if one is given twice).
    std::vector<int> capture_of(walk.nodes.size(), -1);
    for (size_t i = captures.size(); i-- > 0;) {
        if (const int k = walk.index.find(captures[i]); k >= 0) capture_of[static_cast<size_t>(k)] = static_cast<int>(i);
    }
    // The execution order: run_graph's priority queue, simulated once.
    auto ready = walk.ready_queue();
    std::vector<int> step_of(walk.nodes.size(), -1);
    std::vector<int> sequence;
    while (!ready.empty()) {
        const size_t k = static_cast<size_t>(ready.top());
        ready.pop();
        if (needed[k]) {
            step_of[k] = static_cast<int>(sequence.size());
            sequence.push_back(static_cast<int>(k));
        }
        for (size_t e = 0; e < walk.nodes[k]->edges().size(); ++e) {
            const int t = walk.target(k, e);
            if (t >= 0 && --walk.deps[static_cast<size_t>(t)] == 0) ready.push(t);
        }
    }
    for (int k : sequence) {
        Step s;
        s.node = walk.nodes[static_cast<size_t>(k)];
        s.capture = capture_of[static_cast<size_t>(k)];
        for (size_t e = 0; e < s.node->edges().size(); ++e) {
            const int t = walk.target(static_cast<size_t>(k), e);
            s.targets.push_back(t < 0 || s.node->is_accumulator() ? -1 : step_of[static_cast<size_t>(t)]);
        }
        steps_.push_back(std::move(s));
    }
    for (const auto& r : roots) {
        const int k = r ? walk.index.find(r.get()) : -1;
        root_steps_.push_back(k < 0 ? -1 : step_of[static_cast<size_t>(k)]);
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
