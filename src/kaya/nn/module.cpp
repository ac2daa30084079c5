// SPDX-License-Identifier: MIT
#include "kaya/nn/module.h"

#include <functional>
#include <map>
#include <sstream>

#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/inplace.h"

namespace kaya::nn {

Tensor Module::forward(const Tensor&) {
    throw NotImplemented(type_name() + ": forward(Tensor) is not implemented for this module");
}

void Module::check_name(const std::string& name) const {
    KAYA_CHECK(!name.empty() && name.find('.') == std::string::npos, ValueError, type_name(),
               ": invalid attribute name '", name, "' (must be non-empty, without '.')");
    auto taken = [&](const auto& list) {
        for (const auto& [n, _] : list) {
            if (n == name) return true;
        }
        return false;
    };
    KAYA_CHECK(!taken(params_) && !taken(buffers_) && !taken(children_), ValueError, type_name(),
               ": attribute '", name, "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
    check_name(name);
    KAYA_CHECK(t.defined(), ValueError, type_name(), ": parameter '", name, "' is undefined");
    if (!t.is_leaf()) t = detach(t);
    if (requires_grad) t.requires_grad_(true);
    params_.emplace_back(name, t);
    return params_.back().second;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
    check_name(name);
    buffers_.emplace_back(name, t);
    return buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
    check_name(name);
    KAYA_CHECK(m != nullptr, ValueError, type_name(), ": submodule '", name, "' is null");
    children_.emplace_back(name, std::move(m));
}

void Module::collect(const std::string& prefix, bool params, bool buffers, bool recurse,
                     NamedTensors& out) const {
    if (params) {
        for (const auto& [n, t] : params_) out.emplace_back(prefix + n, t);
    }
    if (buffers) {
        for (const auto& [n, t] : buffers_) out.emplace_back(prefix + n, t);
    }
    if (!recurse) return;
    for (const auto& [n, m] : children_) m->collect(prefix + n + ".", params, buffers, true, out);
}

NamedTensors Module::named_parameters(bool recurse) const {
    NamedTensors out;
    collect("", true, false, recurse, out);
    return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
    NamedTensors out;
    collect("", false, true, recurse, out);
    return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
    std::vector<Tensor> out;
    for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
    return out;
}

int64_t Module::num_parameters(bool trainable_only) const {
    int64_t n = 0;
    for (const auto& p : parameters()) {
        if (!trainable_only || p.requires_grad()) n += p.numel();
    }
    return n;
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [n, m] : children_) m->train(on);
}

void Module::zero_grad() {
    for (auto& p : parameters()) p.set_grad(Tensor());
}

NamedTensors Module::state_dict() const {
    // PyTorch orders each module's parameters, then its buffers, then its children.
    NamedTensors out;
    std::function<void(const Module&, const std::string&)> walk = [&](const Module& m,
                                                                      const std::string& pre) {
        for (const auto& [n, t] : m.params_) out.emplace_back(pre + n, t);
        for (const auto& [n, t] : m.buffers_) out.emplace_back(pre + n, t);
        for (const auto& [n, c] : m.children_) walk(*c, pre + n + ".");
    };
    walk(*this, "");
    return out;
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
    NamedTensors mine = state_dict();
    std::map<std::string, const Tensor*> given;
    for (const auto& [n, t] : state) given[n] = &t;
    std::vector<std::string> missing, unexpected, mismatched;
    for (const auto& [n, t] : mine) {
        auto it = given.find(n);
        if (it == given.end()) {
            missing.push_back(n);
        } else if (it->second->shape() != t.shape()) {
            mismatched.push_back(n + ": checkpoint " + format_shape(it->second->shape()) +
                                 ", model " + format_shape(t.shape()));
        }
    }
    std::map<std::string, bool> known;
    for (const auto& [n, t] : mine) known[n] = true;
    for (const auto& [n, t] : state) {
        if (!known.count(n)) unexpected.push_back(n);
    }
    if (!mismatched.empty() || (strict && (!missing.empty() || !unexpected.empty()))) {
        std::ostringstream os;
        os << "load_state_dict: error(s) loading state into " << type_name() << ":";
        auto list = [&](const char* what, const std::vector<std::string>& v) {
            if (v.empty()) return;
            os << "\n  " << what << ":";
            for (const auto& s : v) os << "\n    " << s;
        };
        list("missing keys", missing);
        list("unexpected keys", unexpected);
        list("size mismatch", mismatched);
        throw ValueError(os.str());
    }
    autograd::NoGradGuard no_grad;
    for (auto& [n, t] : mine) {
        auto it = given.find(n);
        if (it == given.end()) continue;
        Tensor dst = t;
        copy_(dst, *it->second);
    }
}

void Module::repr_into(std::string& out, int indent) const {
    out += type_name() + "(" + extra_repr();
    if (children_.empty()) {
        out += ")";
        return;
    }
    out += "\n";
    for (const auto& [n, m] : children_) {
        out += std::string(indent + 2, ' ') + "(" + n + "): ";
        m->repr_into(out, indent + 2);
        out += "\n";
    }
    out += std::string(indent, ' ') + ")";
}

std::string Module::repr() const {
    std::string out;
    repr_into(out, 0);
    return out;
}

std::string Module::summary() const {
    std::ostringstream os;
    os << repr() << "\nparameters: " << num_parameters() << " (trainable "
       << num_parameters(true) << ")";
    return os.str();
}

}  // namespace kaya::nn
