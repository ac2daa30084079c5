// SPDX-License-Identifier: MIT
#include "kaya/optim/optimizer.h"

#include <set>

#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"

namespace kaya::optim {

void check_param_groups(const std::string& opt, const std::vector<std::vector<Tensor>>& groups) {
    KAYA_CHECK(!groups.empty(), ValueError, opt, ": got no parameter groups");
    std::set<const TensorImpl*> seen;
    for (size_t g = 0; g < groups.size(); ++g) {
        KAYA_CHECK(!groups[g].empty(), ValueError, opt, ": parameter group ", g, " is empty");
        for (size_t i = 0; i < groups[g].size(); ++i) {
            const Tensor& p = groups[g][i];
            KAYA_CHECK(p.defined() && p.is_leaf() && p.requires_grad(), ValueError, opt,
                       ": parameter ", i, " of group ", g, " (", describe(p),
                       ") must be a leaf tensor that requires grad");
            KAYA_CHECK(seen.insert(p.impl_ptr().get()).second, ValueError, opt, ": parameter ",
                       i, " of group ", g, " appears more than once");
        }
    }
}

void Optimizer::zero_grad() {
    for (auto& p : parameters()) p.set_grad(Tensor());
}

Optimizer::ParamState& Optimizer::state(size_t i) {
    if (state_.size() <= i) state_.resize(i + 1);
    return state_[i];
}

NamedTensors Optimizer::state_dict() const {
    NamedTensors out;
    for (size_t i = 0; i < state_.size(); ++i) {
        const std::string pre = "state." + std::to_string(i) + ".";
        for (const auto& [k, t] : state_[i].buffers) out.emplace_back(pre + k, t);
        if (state_[i].step > 0 || !state_[i].buffers.empty()) {
            out.emplace_back(pre + "step", scalar_tensor(static_cast<double>(state_[i].step), DType::Float64));
        }
    }
    for (size_t g = 0; g < num_groups(); ++g) {
        out.emplace_back("param_groups." + std::to_string(g) + ".lr", scalar_tensor(lr(g), DType::Float64));
    }
    return out;
}

void Optimizer::load_state_dict(const NamedTensors& st) {
    const auto params = parameters();
    std::vector<ParamState> fresh(params.size());
    for (const auto& [key, t] : st) {
        if (key.rfind("param_groups.", 0) == 0) {
            size_t dot = key.find('.', 13);
            KAYA_CHECK(dot != std::string::npos && key.substr(dot + 1) == "lr", ValueError,
                       name(), ".load_state_dict: unknown key '", key, "'");
            size_t g = std::stoul(key.substr(13, dot - 13));
            KAYA_CHECK(g < num_groups(), ValueError, name(), ".load_state_dict: group ", g,
                       " does not exist (", num_groups(), " groups)");
            set_lr(g, t.item<double>());
            continue;
        }
        KAYA_CHECK(key.rfind("state.", 0) == 0, ValueError, name(), ".load_state_dict: unknown key '",
                   key, "'");
        size_t dot = key.find('.', 6);
        KAYA_CHECK(dot != std::string::npos, ValueError, name(), ".load_state_dict: bad key '", key, "'");
        size_t i = std::stoul(key.substr(6, dot - 6));
        std::string field = key.substr(dot + 1);
        KAYA_CHECK(i < params.size(), ValueError, name(), ".load_state_dict: state for parameter ",
                   i, " but the optimizer has ", params.size(), " parameters");
        if (field == "step") {
            fresh[i].step = static_cast<int64_t>(t.item<double>());
        } else {
            KAYA_CHECK(t.shape() == params[i].shape(), ValueError, name(), ".load_state_dict: ",
                       key, " is ", describe(t), " but parameter ", i, " is ", describe(params[i]));
            fresh[i].buffers[field] = clone(to(t, params[i].dtype()));
        }
    }
    state_ = std::move(fresh);
}

}  // namespace kaya::optim
