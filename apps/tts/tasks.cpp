// SPDX-License-Identifier: MIT
#include "apps/tts/tasks.h"

#include "apps/tts/fastspeech_task.h"
#include "apps/tts/tacotron_task.h"

namespace kaya::tts {

void register_tasks(app::TaskRegistry& registry) {
    registry.add("tts_ar", [](const app::Config& cfg) { return std::make_unique<TacotronTask>(cfg); },
                 "Text to speech, autoregressive: Tacotron 2 on an espeak-ng corpus");
    registry.add("tts_nar", [](const app::Config& cfg) { return std::make_unique<FastSpeechTask>(cfg); },
                 "Text to speech, non-autoregressive: FastSpeech with durations from a tts_ar run");
}

}  // namespace kaya::tts
