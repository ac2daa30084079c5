// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::tts {

// How many mel frames each character lasts, read from an attention alignment as FastSpeech
// does: every decoder step is given to the character it attends to most (argmax), and a step is
// `reduction` frames (the last one what is left of `frames`). alignment (steps, L) with steps =
// ceil(frames / reduction); the durations sum to `frames`.
std::vector<int64_t> durations_from_alignment(const Tensor& alignment, int64_t frames, int64_t reduction);

// FastSpeech's focus rate: the mean over steps of the largest attention weight (1 = every step
// looks at one character).
double focus_rate(const Tensor& alignment);

// durations.tsv: "id<TAB>d_1 d_2 ... d_L" per utterance, written atomically; read back with
// ParseError naming file:line for a malformed line or a repeated id.
void write_durations(const std::string& path, const std::map<std::string, std::vector<int64_t>>& durations);
std::map<std::string, std::vector<int64_t>> read_durations(const std::string& path);
// The same from text already read; `source` names it in errors.
std::map<std::string, std::vector<int64_t>> parse_durations(const std::string& text, const std::string& source);

}  // namespace kaya::tts
