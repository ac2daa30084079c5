// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/train/task.h"
#include "apps/tts/tts_data.h"

namespace kaya::tts {

// What the two text-to-speech tasks share: the corpus (data.*), the bucketed loader, the
// teacher-forced evaluation of named loss parts, the target padded to whole decoder steps, the
// metadata stored with the weights. A task supplies its model, its loss parts and its test.
class SpeechTask : public app::Task {
public:
    std::string data_description() const override { return description_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    // The total of losses(); each named part is summed into train_<name>.
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override { return evaluate(corpus_.dev, "val"); }

    const SpeechCorpus& corpus() const { return corpus_; }

protected:
    explicit SpeechTask(const app::Config& cfg);

    // One batch's loss: the total the optimiser follows and its named parts (mel_l1, ...).
    struct Losses {
        Tensor total;
        std::vector<std::pair<std::string, Tensor>> parts;
    };
    virtual Losses losses(const data::Example& batch) = 0;
    // Extra per-utterance fields of the examples (the durations of tts_nar); none by default.
    virtual std::vector<Tensor> extra_fields(const std::vector<SpeechItem>& items) const { return {}; }

    // Loads the corpus and builds the training loader (call from prepare()).
    void load_corpus(const app::TaskEnv& env);
    // <prefix>_loss and <prefix>_<part> over `items`, teacher-forced, in batches of 32.
    app::Metrics evaluate(const std::vector<SpeechItem>& items, const std::string& prefix);
    // The frames (N, T, C) padded with silence to `frames` (or cut when every item is shorter).
    Tensor padded_target(const Tensor& mel, int64_t frames) const;
    // The mel settings, the symbols, `task` and the model's sizes as "model.<name>".
    std::map<std::string, std::string> metadata(const std::string& task,
                                                const std::map<std::string, int64_t>& sizes) const;
    // Frames of all training utterances (for the models' per-band standardisation).
    std::vector<Tensor> training_frames() const;

    TtsDataOptions data_;
    MelConfig mel_;
    SpeechCorpus corpus_;
    std::string description_;

private:
    std::shared_ptr<SpeechDataset> train_;
    std::unique_ptr<data::DataLoader> loader_;
};

}  // namespace kaya::tts
