// SPDX-License-Identifier: MIT
#pragma once

namespace kaya::autograd {

// Whether ops record graph nodes on this thread (torch.is_grad_enabled()).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// RAII scope that disables recording, like `with torch.no_grad():`.
class NoGradGuard {
public:
    NoGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(false); }
    ~NoGradGuard() { set_grad_enabled(prev_); }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool prev_;
};

// RAII scope that sets grad mode to `enabled` and restores the previous mode on exit.
class GradModeGuard {
public:
    explicit GradModeGuard(bool enabled) : prev_(is_grad_enabled()) { set_grad_enabled(enabled); }
    ~GradModeGuard() { set_grad_enabled(prev_); }
    GradModeGuard(const GradModeGuard&) = delete;
    GradModeGuard& operator=(const GradModeGuard&) = delete;

private:
    bool prev_;
};

}  // namespace kaya::autograd
