// SPDX-License-Identifier: MIT
#include "apps/train/task.h"

#include <cmath>

#include "kaya/core/error.h"

namespace kaya::app {

void visit_loader_batches(const data::DataLoader& loader, int64_t epoch, int64_t first,
                          const std::function<bool(int64_t, const data::Example&)>& fn) {
    int64_t b = first;
    for (const auto& batch : loader.epoch(epoch, first)) {
        if (!fn(b++, batch)) return;
    }
}

void Metrics::set(const std::string& name, double value) {
    for (auto& [n, v] : values_) {
        if (n == name) {
            v = value;
            return;
        }
    }
    values_.emplace_back(name, value);
}

void Metrics::add(const std::string& name, double value) {
    for (auto& [n, v] : values_) {
        if (n == name) {
            v += value;
            return;
        }
    }
    values_.emplace_back(name, value);
}

bool Metrics::has(const std::string& name) const {
    for (const auto& [n, v] : values_) {
        if (n == name) return true;
    }
    return false;
}

bool is_rate_metric(const std::string& name) {
    return name.find("accuracy") != std::string::npos || name.find("top1") != std::string::npos ||
           name.find("top5") != std::string::npos;
}

double Metrics::get(const std::string& name) const {
    for (const auto& [n, v] : values_) {
        if (n == name) return v;
    }
    return NAN;
}

void Metrics::append(const Metrics& other) {
    for (const auto& [n, v] : other.values_) set(n, v);
}

void TaskRegistry::add(const std::string& kind, TaskFactory factory, std::string description) {
    factories_[kind] = {std::move(factory), std::move(description)};
}

bool TaskRegistry::contains(const std::string& kind) const { return factories_.count(kind) > 0; }

std::unique_ptr<Task> TaskRegistry::make(const std::string& kind, const Config& cfg) const {
    auto it = factories_.find(kind);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& [k, f] : factories_) known += (known.empty() ? "" : ", ") + k;
        cfg.fail("task.kind", "task.kind '" + kind + "' is not one of " + known);
    }
    return it->second.first(cfg);
}

std::vector<std::string> TaskRegistry::kinds() const {
    std::vector<std::string> out;
    for (const auto& [k, f] : factories_) out.push_back(k);
    return out;
}

TaskRegistry& task_registry() {
    static TaskRegistry registry;
    return registry;
}

}  // namespace kaya::app
