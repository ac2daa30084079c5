// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/data/dataset.h"
#include "kaya/nn/nn.h"

namespace kaya::mlp {

// The [data] keys of the feature-vector task, read once (app::Config checks ranges and names
// the key and its origin in errors). Which keys exist depends on `source`.
struct DataOptions {
    std::string source = "csv";  // csv | fashion_mnist | synthetic
    double val_fraction = 0.2;   // Of the rows (csv, synthetic) or of the training images.
    uint64_t seed = 0;           // The split (and the synthetic data).
    bool normalize = true;       // Standardise inputs with training-split statistics.
    // csv
    std::string path, target = "last", id_column = "id", test_path;
    std::vector<std::string> features;  // Empty: every column but the target and the id.
    int64_t select_k = 0;               // Keep the k features most correlated with the target.
    bool drop_nonfinite = false;        // Skip rows with NaN/inf instead of refusing the file.
    // fashion_mnist
    std::string dir = "/usr/share/datasets/fashion-mnist";
    int64_t limit_train = 0, limit_test = 0;  // 0: all.
    // synthetic
    int64_t rows = 2000, num_features = 8;
    double noise = 0.1;

    static DataOptions read(const app::Config& cfg);
    bool classification() const { return source == "fashion_mnist"; }
};

// Training and validation data, plus what the model needs to know about it.
struct PreparedData {
    std::shared_ptr<data::TensorDataset> train,
        val;  // Features float32; targets float32 (N, 1) or int64 (N).
    // Labeled held-out test set, scored once at the end; may be null.
    std::shared_ptr<data::TensorDataset> test;
    std::shared_ptr<nn::Standardize> normalizer;  // Fitted on the training split; null if off.
    int64_t num_features = 0;
    int64_t num_classes = 0;  // 0 for regression.
    std::vector<std::string> feature_names;
    std::string target;                         // Target column (csv) for the prediction file.
    std::vector<int64_t> train_rows, val_rows;  // Row numbers of the split (csv, synthetic).
    Tensor test_x;                              // Optional unlabeled test features.
    std::vector<int64_t> test_ids;
    std::string description;  // One line for logs and the report.
};

// Loads or makes the data. Images are scaled to [0, 1] (pixel / 255) before normalisation.
// ValueError when the data cannot give a training and a validation set (too few rows).
PreparedData prepare_data(const DataOptions& options);

// The [model] keys: hidden sizes ([] is a linear model) or depth (Linear layers) and width,
// activation, dropout.
struct ModelOptions {
    std::vector<int64_t> hidden = {64, 64};
    std::string activation = "relu";  // relu | sigmoid | hardsigmoid | tanh | gelu | silu
    double dropout = 0;

    static ModelOptions read(const app::Config& cfg);
};

// An MLP: the input normalizer (state_dict "0.mean", "0.std") first, then Linear and activation
// layers, as PyTorch's nn.Sequential would name them.
std::shared_ptr<nn::Sequential> build_mlp(const ModelOptions& options, const PreparedData& data);

}  // namespace kaya::mlp
