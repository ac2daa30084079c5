// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/mlp/data.h"
#include "apps/train/task.h"
#include "kaya/data/dataloader.h"

namespace kaya::mlp {

// Regression and classification on feature vectors with an MLP (task.kind = "regression" or
// "classification"): CSV tables, Fashion-MNIST images as 784 pixels, or synthetic data.
// Regression minimises MSE; classification takes CrossEntropyLoss on raw logits, or with
// train.loss = "mse" squared error between softmax and one-hot targets (the notes' comparison).
// The best epoch has the lowest validation loss. Outputs besides the loop's: split.json (the
// features and the exact train/validation rows), test.json on a labeled test set, and
// predictions.csv for data.test_path.
class MlpTask : public app::Task {
public:
    explicit MlpTask(const app::Config& cfg);

    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return data_.description; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Metrics test() override;
    void write_inputs(const std::string& dir) override;
    void finish(const std::string& dir) override;

    // The prepared data and model (after prepare()), for demos that look inside.
    const PreparedData& prepared() const { return data_; }
    std::shared_ptr<nn::Sequential> mlp() const { return model_; }

private:
    Tensor loss_of(const Tensor& out, const Tensor& target) const;
    app::Metrics evaluate(const data::TensorDataset& ds, const std::string& prefix);

    DataOptions data_options_;
    ModelOptions model_options_;
    bool mse_onehot_ = false;        // Classification trained with squared error on softmax.
    std::string prediction_column_;  // output.prediction_column ("" : from the target's name).
    PreparedData data_;
    std::shared_ptr<nn::Sequential> model_;
    std::unique_ptr<data::DataLoader> loader_;
};

// Registers "regression" and "classification".
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::mlp
