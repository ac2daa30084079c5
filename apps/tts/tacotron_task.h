// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/tts/sizes.h"
#include "apps/tts/speech_task.h"
#include "apps/tts/tacotron.h"

namespace kaya::tts {

// Model keys (model.*) of the autoregressive model, with their defaults.
const std::vector<SizeField<TacotronOptions>>& tacotron_sizes();  // The integer sizes among them.
TacotronOptions read_tacotron_options(const app::Config& cfg);

// Task kind `tts_ar`: Tacotron on an espeak-ng corpus (made on first use). The training loss is
// L1 on the mel frames before and after the post-net, the stop token's cross-entropy and
// guided attention (train.guided_attention, its width train.guided_sigma), all teacher-forced.
// Validation: the same loss on the development sentences (val_loss), its mel part (val_mel_l1),
// and how far attention strays from the diagonal (val_guided). Test: the same on the test
// sentences, then each test sentence said freely at batch 1 (evaluate_free_running: MCD-DTW,
// mel L1, frames a second, failures on the eval.longest longest; at most eval.max_frames_per_char
// frames per character). Outputs besides the loop's: split.tsv (id, part, text), durations.tsv
// and durations.json (finish) for the non-autoregressive model.
class TacotronTask : public SpeechTask {
public:
    explicit TacotronTask(const app::Config& cfg);
    void prepare(const app::TaskEnv& env) override;
    nn::Module& model() override { return *model_; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void write_inputs(const std::string& dir) override;
    // durations.tsv (frames per character of every utterance, from the best weights' teacher-
    // forced attention) and durations.json (mean focus rate, characters given no frame).
    void finish(const std::string& dir) override;

    Tacotron& tacotron() { return *model_; }

private:
    // mel_l1 (both outputs), stop, guided; their weighted sum.
    Losses losses(const data::Example& batch) override;
    int64_t max_steps(int64_t characters) const;  // The free run's limit for a text.

    TacotronOptions options_;
    double guided_weight_ = 1.0, guided_sigma_ = 0.2;
    int64_t max_frames_per_char_ = 20, longest_ = 50;
    std::shared_ptr<Tacotron> model_;
};

}  // namespace kaya::tts
