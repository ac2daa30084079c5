// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <vector>

#include "apps/train/task.h"
#include "apps/tts/tts_data.h"

namespace kaya::tts {

// One sentence said by a model on its own (no teacher forcing).
struct Synthesis {
    Tensor mel;        // (frames, n_mels) log-mel
    Tensor alignment;  // (steps, L) for an attention model; undefined otherwise
    bool stopped = true;  // The model ended it (not a length limit)
    double seconds = 0;   // Time to make the frames
};
using Synthesize = std::function<Synthesis(const SpeechItem&)>;

// Every test sentence said by `say` at batch 1 and compared with its recording:
//   <prefix>_mcd, <prefix>_gen_mel_l1, <prefix>_length_ratio (speech_distance, means);
//   <prefix>_frames_per_second (all frames / all seconds);
//   on the `longest` longest sentences, how many runs failed and how (attention_failures; a
//   model without attention cannot skip, repeat or fail to stop): <prefix>_failures, ..._skipped,
//   ..._repeated, ..._stopped_early, ..._never_stopped; <prefix>_longest (how many were judged).
app::Metrics evaluate_free_running(const std::vector<SpeechItem>& items, const Synthesize& say,
                                   const std::string& prefix, int64_t longest = 50);

}  // namespace kaya::tts
