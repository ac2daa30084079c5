// SPDX-License-Identifier: MIT
#pragma once

// Optimizers, learning-rate schedules and gradient clipping.
#include "kaya/optim/adaptive.h"
#include "kaya/optim/lr_scheduler.h"
#include "kaya/optim/optimizer.h"
#include "kaya/optim/sgd.h"
