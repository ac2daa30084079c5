// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/train/task.h"
#include "apps/tts/tacotron.h"
#include "apps/tts/tts_data.h"

namespace kaya::tts {

// Model keys (model.*) of the autoregressive model, with their defaults.
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
class TacotronTask : public app::Task {
public:
    explicit TacotronTask(const app::Config& cfg);
    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return corpus_.description; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void write_inputs(const std::string& dir) override;
    // durations.tsv (frames per character of every utterance, from the best weights' teacher-
    // forced attention) and durations.json (mean focus rate, characters given no frame).
    void finish(const std::string& dir) override;

    const SpeechCorpus& corpus() const { return corpus_; }
    Tacotron& tacotron() { return *model_; }

private:
    // The loss parts of one batch: mel_l1 (both outputs), stop, guided; and their weighted sum.
    struct Losses {
        Tensor total, mel_l1, stop, guided;
    };
    Losses losses(const data::Example& batch);
    app::Metrics evaluate(const std::vector<SpeechItem>& items, const std::string& prefix);
    int64_t max_steps(int64_t characters) const;  // The free run's limit for a text.

    TtsDataOptions data_;
    MelConfig mel_;
    TacotronOptions options_;
    double guided_weight_ = 1.0, guided_sigma_ = 0.2;
    int64_t max_frames_per_char_ = 20, longest_ = 50;
    SpeechCorpus corpus_;
    std::shared_ptr<SpeechDataset> train_;
    std::unique_ptr<data::DataLoader> loader_;
    std::shared_ptr<Tacotron> model_;
};

void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::tts
