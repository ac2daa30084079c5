// SPDX-License-Identifier: MIT
#pragma once

#include "apps/train/task.h"

namespace kaya::tts {

// Registers the text-to-speech tasks: tts_ar (Tacotron) and tts_nar (FastSpeech).
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::tts
