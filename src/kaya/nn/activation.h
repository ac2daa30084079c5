// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/random.h"
#include "kaya/nn/module.h"

namespace kaya::nn {

// Parameter-free layers wrapping the ops of the same name (torch.nn.ReLU, ...). Shapes pass
// through unchanged except for Flatten.

class ReLU : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "ReLU"; }
};

class Sigmoid : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Sigmoid"; }
};

// clamp(x / 6 + 1/2, 0, 1), PyTorch's definition. (The notes' "two ReLUs make a hard
// sigmoid" is relu(x) - relu(x - 1); the piecewise demo shows both.)
class HardSigmoid : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Hardsigmoid"; }
};

class Tanh : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Tanh"; }
};

class GELU : public Module {
public:
    explicit GELU(bool tanh_approximation = false) : tanh_(tanh_approximation) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "GELU"; }
    std::string extra_repr() const override { return tanh_ ? "approximate='tanh'" : ""; }

private:
    bool tanh_;
};

class SiLU : public Module {
public:
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "SiLU"; }
};

// softmax / log_softmax along `dim` (torch.nn.Softmax(dim), LogSoftmax(dim)).
class Softmax : public Module {
public:
    explicit Softmax(int64_t dim) : dim_(dim) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Softmax"; }
    std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

private:
    int64_t dim_;
};

class LogSoftmax : public Module {
public:
    explicit LogSoftmax(int64_t dim) : dim_(dim) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LogSoftmax"; }
    std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

private:
    int64_t dim_;
};

class Identity : public Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "Identity"; }
};

// Merges dims start..end (default: all but the batch dim) (torch.nn.Flatten).
class Flatten : public Module {
public:
    explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_(start_dim), end_(end_dim) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Flatten"; }
    std::string extra_repr() const override;

private:
    int64_t start_, end_;
};

// In training, zeroes each element with probability p and scales the rest by 1 / (1 - p);
// identity in eval mode (F.dropout). ValueError unless 0 <= p <= 1.
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen = nullptr);

class Dropout : public Module {
public:
    explicit Dropout(double p = 0.5, Generator* gen = nullptr);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Dropout"; }
    std::string extra_repr() const override;

private:
    double p_;
    Generator* gen_;
};

// Channel dropout (F.dropout2d): whole channels of (N, C, H, W) (or unbatched (C, H, W)) are
// zeroed with probability p and the rest scaled by 1 / (1 - p), in training mode only.
// ValueError unless 0 <= p <= 1; ShapeError for other ranks.
Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen = nullptr);

class Dropout2d : public Module {
public:
    explicit Dropout2d(double p = 0.5, Generator* gen = nullptr);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Dropout2d"; }
    std::string extra_repr() const override;

private:
    double p_;
    Generator* gen_;
};

}  // namespace kaya::nn
