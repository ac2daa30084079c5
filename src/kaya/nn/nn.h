// SPDX-License-Identifier: MIT
#pragma once

// The layers, losses and initialisers of kaya::nn.
#include "kaya/nn/activation.h"
#include "kaya/nn/attention.h"
#include "kaya/nn/container.h"
#include "kaya/nn/conv.h"
#include "kaya/nn/embedding.h"
#include "kaya/nn/init.h"
#include "kaya/nn/linear.h"
#include "kaya/nn/loss.h"
#include "kaya/nn/module.h"
#include "kaya/nn/norm.h"
#include "kaya/nn/pool.h"
#include "kaya/nn/rnn.h"
#include "kaya/nn/standardize.h"
#include "kaya/nn/transformer.h"
