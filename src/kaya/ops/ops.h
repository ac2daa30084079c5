// SPDX-License-Identifier: MIT
#pragma once

// Everything a user of the engine needs: tensors, ops and autograd.
#include "kaya/autograd/engine.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/core/parallel.h"
#include "kaya/core/random.h"
#include "kaya/core/tensor.h"
#include "kaya/ops/activation.h"
#include "kaya/ops/attention.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/conv.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/index.h"
#include "kaya/ops/inplace.h"
#include "kaya/ops/linalg.h"
#include "kaya/ops/norm.h"
#include "kaya/ops/random.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"
