// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/data/dataloader.h"

namespace kaya::data {

// Sequences (L_i, *) of one dtype and trailing shape padded with `value` to the longest and
// stacked: (B, L_max, *) with batch_first, else (L_max, B, *)
// (torch.nn.utils.rnn.pad_sequence). Differentiable. ShapeError / DTypeError on mismatched
// trailing shapes or dtypes, ValueError for an empty list.
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = true,
                    double value = 0.0);

// The lengths along dim 0 of the sequences, as int64 (B).
Tensor sequence_lengths(const std::vector<Tensor>& sequences);

// A collate for examples of sequences: field k of every example is padded with
// padding_values[k] (0 past the list's end) into (B, L_max, *), and the lengths of field 0
// are appended as a last field, int64 (B). Examples must have equally many fields.
Collate pad_collate(std::vector<double> padding_values = {});

}  // namespace kaya::data
