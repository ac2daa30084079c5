// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "apps/train/report.h"
#include "apps/train/tour.h"

namespace kaya::app {

// The course demos of `kaya tour`, each adding one report section with its tables and plots
// (SVG files written into options.out_dir).

// Rows 4, 5: one curve fitted with N sigmoids, N hard sigmoids (each made of two ReLUs) and N
// ReLUs, for several N.
void demo_piecewise(const TourOptions& options, Report& report);
// Rows 2, 9: SGD, momentum, Adagrad, RMSprop and Adam on a 2-parameter problem: loss curves
// and the paths drawn on the error-surface contour.
void demo_optimizers(const TourOptions& options, Report& report);
// Row 3: a learning-rate x batch-size sweep with kaya sweep's machinery.
void demo_sweep(const TourOptions& options, Report& report);
// Rows 6, 8: an over-parameterised model on few noisy points (overfitting, early stopping),
// and a batch-size study (time per epoch vs validation accuracy).
void demo_overfitting(const TourOptions& options, Report& report);
void demo_batch_size(const TourOptions& options, Report& report);
// Row 10: cross-entropy vs squared error on softmax outputs: curves and the gradient sizes at
// initialisation.
void demo_cross_entropy(const TourOptions& options, Report& report);
// Row 13: GNU Go self-play games made through the match runner, read back as SGF, split by
// game into positions, with the feature planes' speed.
void demo_go(const TourOptions& options, Report& report);

}  // namespace kaya::app
