// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/train/config.h"

// The extreme Hessian eigenvalues of any trained model of any task, by Lanczos on
// Hessian-vector products: what a full Hessian cannot give for a network of 100,000s of
// parameters (the shipped Go network, the Fashion-MNIST MLP).
namespace kaya::analysis {

struct SpectrumOptions {
    int64_t batches = 4;  // Training batches of the task that make up the loss (fixed).
    int64_t steps = 40;   // Lanczos steps (Hessian-vector products).
    int64_t count = 5;    // How many of the top and of the bottom to report.
    uint64_t seed = 0;    // Seeds the task's data and Lanczos' start vector.
    bool verbose = true;
};

struct SpectrumReport {
    std::string description;  // Task kind, data, weights.
    int64_t parameters = 0, examples = 0, steps = 0;
    double loss = 0, gradient_norm = 0, seconds = 0;
    std::vector<double> top, top_residual;        // Largest first.
    std::vector<double> bottom, bottom_residual;  // Smallest first.
    // Layers whose second derivative is 0 almost everywhere and undefined at a kink (ReLU,
    // Hardsigmoid, MaxPool2d): the Hessian is then that of the active pieces.
    std::vector<std::string> kinked_layers;
};

// Builds the task of `cfg` (task.kind from the registry), loads `weights` into its model, puts
// it in eval mode and takes the mean training loss of its first `batches` batches. Lanczos'
// residuals tell which Ritz values have converged (a small residual) and which not yet.
SpectrumReport model_spectrum(const app::Config& cfg, const std::string& weights,
                              const SpectrumOptions& options);

std::string describe_spectrum(const SpectrumReport& r);

}  // namespace kaya::analysis
