// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::tts {

// Dynamic time warping of two sequences of vectors a (T1, C) and b (T2, C) under the Euclidean
// distance, steps (1,0), (0,1), (1,1): the cheapest monotone path from (0,0) to (T1-1, T2-1).
std::vector<std::pair<int64_t, int64_t>> dtw_path(const Tensor& a, const Tensor& b);

// How far generated speech is from the recording of the same text, once aligned in time:
//   mcd: mel-cepstral distortion in dB, (10 / ln 10) sqrt(2 sum_d (c_d - c'_d)^2) averaged over
//        the DTW path, with c_1..c_24 the cepstrum of the natural-log mel frames on SPTK's scale
//        (c_d = (1/N) sum_n log-mel_n cos(pi d (n + 1/2) / N), N bands: the orthonormal DCT-II
//        divided by sqrt(2N)); c_0, the level, left out, as is usual. Mel filterbank cepstra,
//        not SPTK's all-pole analysis: comparable in scale with papers' figures, not equal;
//   mel_l1: mean |log-mel difference| over the bands along the same path;
//   length_ratio: generated frames / recorded frames.
struct SpeechDistance {
    double mcd = 0, mel_l1 = 0, length_ratio = 0;
};
SpeechDistance speech_distance(const Tensor& generated, const Tensor& recorded, int64_t cepstra = 24);

// What went wrong in an attention decoder's free run, judged from its alignment (steps, L)
// (L characters, the last one the end mark) and whether the stop token ended it:
//   never_stopped: the step limit ended it;
//   stopped_early: it stopped with attention's furthest point more than 2 characters short of
//                  the end;
//   skipped: attention's focus (argmax) jumped forward by more than `skip` characters in a step;
//   repeated: the focus went back by more than 2 characters after getting further.
// A run can have several; ok() when none.
struct AttentionFailures {
    bool never_stopped = false, stopped_early = false, skipped = false, repeated = false;
    bool ok() const { return !never_stopped && !stopped_early && !skipped && !repeated; }
    std::string describe() const;  // "ok" or e.g. "skipped, never stopped"
};
AttentionFailures attention_failures(const Tensor& alignment, bool stopped, int64_t skip = 4);

}  // namespace kaya::tts
