// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/tts/fastspeech.h"
#include "apps/tts/sizes.h"
#include "apps/tts/speech_task.h"

namespace kaya::tts {

// Model keys (model.*) of the non-autoregressive model, with their defaults.
const std::vector<SizeField<FastSpeechOptions>>& fastspeech_sizes();  // The integer sizes among them.
FastSpeechOptions read_fastspeech_options(const app::Config& cfg);

// Task kind `tts_nar`: FastSpeech on the same corpus as tts_ar, with the durations an
// autoregressive run wrote (data.durations, e.g. runs/tts_ar/durations.tsv; every utterance's
// durations must cover its frames exactly). Training loss: L1 on the standardised frames before
// and after the post-net plus train.duration_weight x the duration predictor's squared error
// in log(1 + frames). Validation: val_loss, val_mel_l1, val_duration. Test: the same, then each
// test sentence said with predicted durations (evaluate_free_running), and the length control:
// for speeds 0.5, 0.75, 1, 1.25, 1.5, the largest relative difference between the audio's length
// and the natural length / speed (test_speed_<s>_length_error).
class FastSpeechTask : public SpeechTask {
public:
    explicit FastSpeechTask(const app::Config& cfg);
    void prepare(const app::TaskEnv& env) override;
    nn::Module& model() override { return *model_; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;

private:
    // mel_l1 (both outputs), duration; their weighted sum.
    Losses losses(const data::Example& batch) override;
    // Every utterance's durations (checked against its characters and frames).
    std::vector<Tensor> extra_fields(const std::vector<SpeechItem>& items) const override;

    std::string durations_path_;
    FastSpeechOptions options_;
    double duration_weight_ = 1.0;
    std::map<std::string, std::vector<int64_t>> durations_;
    std::shared_ptr<FastSpeech> model_;
};

}  // namespace kaya::tts
