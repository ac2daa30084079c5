// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

// MISSION row 7: train a small network to a critical point, then tell from the Hessian's
// eigenvalues whether it is a local minimum or a saddle point, and for a saddle show the way
// down along the eigenvector of the most negative eigenvalue.
namespace kaya::analysis {

// A full-batch classification problem small enough for a full Hessian of its network.
struct Problem {
    Tensor x;  // (N, F) float64, standardised
    Tensor y;  // (N) int64 class indices
    int64_t classes = 0;
    std::string description;
};

// `samples` training images of Fashion-MNIST (IDX files in dir), chosen with the seed, each
// averaged down from 28 x 28 to 7 x 7 pixels (49 features) and standardised.
Problem fashion_problem(const std::string& dir, int64_t samples, uint64_t seed);
// Gaussian clusters, one per class (tests and the tour when Fashion-MNIST is missing).
Problem cluster_problem(int64_t samples, int64_t features, int64_t classes, uint64_t seed);

struct LandscapeOptions {
    int64_t hidden = 8;               // One hidden layer: F -> hidden -> classes.
    std::string activation = "tanh";  // tanh | sigmoid | relu (relu: see kink_fraction)
    int64_t train_steps = 1500;       // Full-batch Adam on the loss.
    double lr = 0.02;
    int64_t critical_steps = 2500;    // Then full-batch Adam on |gradient|^2 / 2 (cosine decay).
    double critical_lr = 2e-3;
    int64_t newton_steps = 30;        // Then Levenberg-Marquardt on |gradient|^2 (full Hessian).
    double gradient_tolerance = 1e-3; // A critical point: gradient norm at most this.
    double eigen_tolerance = 1e-6;    // |eigenvalue| below this x the largest |eigenvalue| (or 1e-12) is zero.
};

struct CriticalPointReport {
    uint64_t seed = 0;
    int64_t parameters = 0;
    double loss = 0;
    double trained_gradient_norm = 0;  // After ordinary training.
    double descended_gradient_norm = 0;  // After the descent on the gradient norm.
    int64_t polish_steps = 0;          // Levenberg-Marquardt steps taken.
    double gradient_norm = 0;          // At the point analysed.
    std::vector<double> eigenvalues;   // Ascending.
    int64_t negative = 0, zero = 0, positive = 0;
    double minimum_ratio = 0;          // positive / all eigenvalues (the course's measure)
    std::string verdict;               // "local minimum", "saddle point", "flat", "not a critical point"
    double kink_fraction = 0;          // relu: share of pre-activations within 1e-6 of 0
    // Loss along the eigenvector u of the most negative eigenvalue lambda: loss(point + t u) and
    // the quadratic model loss + lambda t^2 / 2, for t up to 1.25 times the distance the loss
    // keeps falling on both sides (empty without a negative eigenvalue).
    std::vector<double> escape_t, escape_loss, escape_quadratic;
    // The search: step, loss, gradient norm (training, then the gradient-norm phase).
    std::vector<double> history_step, history_loss, history_gradient_norm;
    int64_t train_steps = 0;           // Where the second phase starts in the history.
};

// Trains the network from a seeded initialisation (full-batch Adam on the loss), descends on
// the gradient norm (Adam on |g|^2 / 2, whose gradient H g is one Hessian-vector product), polishes
// with Levenberg-Marquardt steps on |g|^2 (drawn to the nearest critical point, minimum or
// saddle alike), and analyses the point it reaches.
CriticalPointReport find_critical_point(const Problem& problem, const LandscapeOptions& options,
                                        uint64_t seed);

// The analysis alone at a given point of the network F -> hidden -> classes: {w1 (hidden, F),
// b1, w2 (classes, hidden), b2}, float64 (the history stays empty).
CriticalPointReport analyse_point(const Problem& problem, const LandscapeOptions& options,
                                  const std::vector<Tensor>& params);

// The verdict and counts from eigenvalues (ascending), for a point with this gradient norm.
void classify_point(CriticalPointReport& report, const LandscapeOptions& options);

}  // namespace kaya::analysis
