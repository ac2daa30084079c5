// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/train/task.h"
#include "apps/tts/fastspeech.h"
#include "apps/tts/tts_data.h"

namespace kaya::tts {

// Model keys (model.*) of the non-autoregressive model, with their defaults.
FastSpeechOptions read_fastspeech_options(const app::Config& cfg);

// Task kind `tts_nar`: FastSpeech on the same corpus as tts_ar, with the durations an
// autoregressive run wrote (data.durations, e.g. runs/tts_ar/durations.tsv; every utterance's
// durations must cover its frames exactly). Training loss: L1 on the standardised frames before
// and after the post-net plus train.duration_weight x the duration predictor's squared error
// in log(1 + frames). Validation: val_loss, val_mel_l1, val_duration. Test: the same, then each
// test sentence said with predicted durations (evaluate_free_running), and the length control:
// for speeds 0.5, 0.75, 1, 1.25, 1.5, the largest relative difference between the audio's length
// and the natural length / speed (test_speed_<s>_length_error).
class FastSpeechTask : public app::Task {
public:
    explicit FastSpeechTask(const app::Config& cfg);
    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return description_; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;

    const SpeechCorpus& corpus() const { return corpus_; }

private:
    struct Losses {
        Tensor total, mel_l1, duration;
    };
    Losses losses(const data::Example& batch);
    app::Metrics evaluate(const std::vector<SpeechItem>& items, const std::string& prefix);
    std::vector<Tensor> durations_of(const std::vector<SpeechItem>& items) const;

    TtsDataOptions data_;
    std::string durations_path_;
    MelConfig mel_;
    FastSpeechOptions options_;
    double duration_weight_ = 1.0;
    SpeechCorpus corpus_;
    std::map<std::string, std::vector<int64_t>> durations_;
    std::string description_;
    std::shared_ptr<SpeechDataset> train_;
    std::unique_ptr<data::DataLoader> loader_;
    std::shared_ptr<FastSpeech> model_;
};

}  // namespace kaya::tts
