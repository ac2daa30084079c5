// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::mlp {

// The MLP task's sections of `kaya tour`: regression (MLP against a linear model), Fashion-MNIST
// classification, a learning-rate x batch-size sweep, overfitting and early stopping, a
// batch-size study, and cross-entropy against squared error.
void add_tour_sections();

}  // namespace kaya::mlp
