// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/speech/features.h"
#include "apps/speech/frame_models.h"
#include "apps/speech/scores.h"
#include "apps/speech/speech_data.h"
#include "apps/train/task.h"
#include "kaya/data/dataloader.h"

namespace kaya::speech {

// Spoken-word classification from 10 ms frames: task.kind "speech_frames" (the MLP on frames
// with context, MFCC + deltas by default) or "speech_cnn" (the CNN over log-mel images).
// [data] speech_data.h, [features] features.h, [model] frame_models.h. Every frame is
// classified; a recording's label is the vote of its frames. The validation frames'
// accuracy picks the epoch. Outputs besides the loop's: accuracy.svg (frame and recording
// accuracy per epoch), confusion.svg and predictions.csv (test recordings), skipped.csv
// (files the load skipped, when any).
class SpeechTask : public app::Task {
public:
    SpeechTask(const app::Config& cfg, const std::string& model_kind);

    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return description_; }
    nn::Module& model() override { return model_->network(); }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    // Frame accuracy picks the epoch: the recordings' accuracy saturates within a few epochs
    // on a few hundred validation recordings (one error moves it by 0.4% on FSDD), while the
    // ~11,000 validation frames keep telling epochs apart.
    app::Selection selection() const override { return {"val_frame_accuracy", true}; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void write_inputs(const std::string& dir) override;
    void finish(const std::string& dir) override;
    void write_plots(const std::string& dir, const std::vector<app::Metrics>& history) override;

    const SpeechData& data() const { return data_; }
    const FeatureOptions& features() const { return feature_options_; }
    const Scores& test_scores() const { return test_scores_; }
    double feature_seconds() const { return feature_seconds_; }

private:
    Scores evaluate(const std::vector<Recording>& split, const std::vector<Tensor>& features);

    std::string kind_;
    SpeechDataOptions data_options_;
    FeatureOptions feature_options_;
    FrameModelOptions model_options_;
    SpeechData data_;
    std::vector<Tensor> train_features_, val_features_, test_features_;
    std::unique_ptr<FrameModel> model_;
    std::unique_ptr<data::DataLoader> loader_;
    Scores test_scores_;
    double feature_seconds_ = 0;
    std::string description_;
};

// The features of every recording, computed on the thread pool: (frames, dim) each.
std::vector<Tensor> features_of(const std::vector<Recording>& recordings, int64_t sample_rate,
                                const FeatureOptions& options);

// A trained speech classifier read back from model.safetensors (`kaya classify`).
class SpeechClassifier {
public:
    // ParseError/ValueError naming the file when it is not a speech classifier's weights.
    static SpeechClassifier load(const std::string& path);
    // Class probabilities of one recording (T) float at the model's sample rate (each class's
    // share of the frame votes, and the voted class), and its per-frame log-probabilities.
    struct Result {
        int64_t label = 0;
        std::vector<double> votes;  // Fraction of frames voting for each class.
        Tensor frame_log_probs;     // (frames, classes)
    };
    // `name` appears in errors (e.g. a clip shorter than one analysis window).
    Result classify(const Tensor& wave, const std::string& name = "recording");
    int64_t sample_rate() const { return sample_rate_; }
    const std::vector<std::string>& classes() const { return classes_; }
    const FeatureOptions& features() const { return features_; }

private:
    std::unique_ptr<FrameModel> model_;
    FeatureOptions features_;
    std::vector<std::string> classes_;
    int64_t sample_rate_ = 8000;
};

// Registers "speech_frames" and "speech_cnn".
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::speech
