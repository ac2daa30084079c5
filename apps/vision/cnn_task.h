// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/train/task.h"
#include "apps/vision/augment.h"
#include "apps/vision/cnn.h"
#include "apps/vision/image_data.h"
#include "kaya/data/dataloader.h"
#include "kaya/data/transforms.h"

namespace kaya::vision {

// A test set seen through one fixed transform (rotated by 15 degrees, flipped up-down...):
// how well the network recognises images it was not shown in that form.
struct TestView {
    std::string name;  // Column suffix: test_accuracy_<name>.
    std::string label;  // For tables: "rotated 15 deg".
    std::function<Tensor(const Tensor&)> apply;  // On one image (C, H, W).
};

// The views scored by `evaluate.views` ("rot15", "rot30", "scale0.8", "scale1.2", "vflip",
// "hflip"); ValueError for an unknown name.
std::vector<TestView> test_views(const std::vector<std::string>& names);

// Image classification with a CNN (task.kind = "image_classifier"): [data] (image_data.h),
// [model] (cnn.h), [augment] (augment.h: applied in the loader's worker to training images
// only), [evaluate] views = [...] (transformed copies of the test set, each scored once with
// the best weights). The validation accuracy picks the epoch. Outputs besides the loop's:
// accuracy.svg, confusion.svg (test), layers.csv (each layer's output, parameters and
// multiply-adds), augmented.png (training images as the network sees them), feature_maps_K.png
// (one test image after each down-sampling step).
class CnnTask : public app::Task {
public:
    explicit CnnTask(const app::Config& cfg);

    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return data_.description; }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return loader_->num_batches(); }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics validate() override;
    app::Selection selection() const override { return {"val_accuracy", true}; }
    app::Metrics test() override;
    std::map<std::string, std::string> model_metadata() const override;
    void write_inputs(const std::string& dir) override;
    void finish(const std::string& dir) override;
    void write_plots(const std::string& dir, const std::vector<app::Metrics>& history) override;

    const ImageData& data() const { return data_; }
    std::shared_ptr<nn::Sequential> network() const { return model_; }
    const std::vector<TestView>& views() const { return views_; }

private:
    struct Scores {
        double loss = 0, correct = 0, count = 0;
        std::vector<double> confusion;  // gold * classes + predicted
    };
    Scores evaluate(const data::TensorDataset& ds, const TestView* view = nullptr);

    ImageDataOptions data_options_;
    CnnOptions model_options_;
    AugmentOptions augment_options_;
    std::vector<TestView> views_;
    ImageData data_;
    std::shared_ptr<nn::Sequential> model_;
    std::shared_ptr<data::AugmentedDataset> augmented_;  // Null without augmentation.
    std::unique_ptr<data::DataLoader> loader_;
    Scores test_scores_;
};

// A trained image classifier read back from model.safetensors (`kaya predict`).
class ImageClassifier {
public:
    // ParseError/ValueError naming the file when it is not an image classifier's weights.
    static ImageClassifier load(const std::string& path);
    // Class probabilities (softmax) for one image (C, H, W) in [0, 1] of the network's shape.
    std::vector<double> probabilities(const Tensor& image);
    const ImageShape& shape() const { return shape_; }
    const std::vector<std::string>& classes() const { return classes_; }
    // The training images' mean border brightness in [0, 1]; -1 when the file does not say.
    double background() const { return background_; }

private:
    std::shared_ptr<nn::Sequential> model_;
    ImageShape shape_;
    std::vector<std::string> classes_;
    double background_ = -1;
};

// Registers "image_classifier".
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::vision
