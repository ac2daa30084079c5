// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::nn {

using kaya::NamedTensors;

// Base of every layer and model (torch.nn.Module). A subclass registers its parameters,
// buffers and submodules by name in its constructor; everything else (recursive parameter
// lists, train/eval, zero_grad, state_dict, printing) comes from here.
class Module {
public:
    virtual ~Module() = default;

    // The computation on one input. Modules with other signatures add their own overloads;
    // calling this on a module that does not implement it throws NotImplemented.
    virtual Tensor forward(const Tensor& x);
    Tensor operator()(const Tensor& x) { return forward(x); }

    // Type name shown by repr(), e.g. "Linear".
    virtual std::string type_name() const = 0;
    // Arguments shown inside the parentheses of repr(), e.g. "in_features=3, ...".
    virtual std::string extra_repr() const { return {}; }
    // PyTorch-style multi-line description of the module tree.
    std::string repr() const;
    // repr() plus parameter counts (total and trainable).
    std::string summary() const;

    // Parameters of this module and (recursively) its submodules, in registration order.
    std::vector<Tensor> parameters(bool recurse = true) const;
    NamedTensors named_parameters(bool recurse = true) const;
    NamedTensors named_buffers(bool recurse = true) const;
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
        return children_;
    }
    int64_t num_parameters(bool trainable_only = false) const;

    // Training mode switches Dropout on and similar behaviour (Module.train / eval).
    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }
    // Drops the gradients of all parameters (Module.zero_grad(set_to_none=True)).
    void zero_grad();

    // Parameters and buffers by dotted name (Module.state_dict); the tensors are shared, not
    // copied.
    NamedTensors state_dict() const;
    // Copies values into the registered tensors. With strict, missing, unexpected and
    // mis-shaped names throw ValueError listing every one of them; dtypes are converted.
    void load_state_dict(const NamedTensors& state, bool strict = true);

protected:
    // Registers a parameter (made a leaf that requires grad) and returns a handle to the stored
    // tensor (a Tensor shares its storage, so keep it in a member: `weight =
    // register_parameter(...)`). Returned by value: a reference into the registry would dangle
    // after the next registration.
    Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
    Tensor register_buffer(const std::string& name, Tensor t);
    template <class M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
        add_child(name, m);
        return m;
    }

private:
    void add_child(const std::string& name, std::shared_ptr<Module> m);
    void check_name(const std::string& name) const;
    void collect(const std::string& prefix, bool params, bool buffers, bool recurse,
                 NamedTensors& out) const;
    void repr_into(std::string& out, int indent) const;

    NamedTensors params_;
    NamedTensors buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

}  // namespace kaya::nn
