// SPDX-License-Identifier: MIT
#include "apps/mlp/mlp_task.h"

#include <sstream>

#include "apps/train/run.h"
#include "kaya/io/file.h"
#include "kaya/io/json.h"
#include "kaya/ops/ops.h"

namespace kaya::mlp {

MlpTask::MlpTask(const app::Config& cfg)
    : data_options_(DataOptions::read(cfg)), model_options_(ModelOptions::read(cfg)) {
    const std::string kind = cfg.get_string("task.kind", app::RunSettings{}.kind);
    if (data_options_.classification() != (kind == "classification")) {
        cfg.fail("task.kind",
                 "task.kind '" + kind + "' does not fit data.source '" + data_options_.source +
                     "' (" +
                     (data_options_.classification() ? "a classification" : "a regression") +
                     " dataset: set task.kind = '" +
                     (data_options_.classification() ? "classification" : "regression") + "')");
    }
    const bool classification = data_options_.classification();
    const std::string loss =
        classification ? cfg.get_choice("train.loss", "cross_entropy", {"cross_entropy", "mse"})
                       : cfg.get_choice("train.loss", "mse", {"mse"});
    mse_onehot_ = classification && loss == "mse";
    prediction_column_ = cfg.get_string("output.prediction_column", "");
}

void MlpTask::prepare(const app::TaskEnv& env) {
    data_ = prepare_data(data_options_);
    model_ = build_mlp(model_options_, data_);
    loader_ = std::make_unique<data::DataLoader>(
        data_.train,
        data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true, .seed = env.seed,
                                .shard = env.rank, .shards = env.world_size});
}

void MlpTask::visit_batches(int64_t epoch, int64_t first,
                            const std::function<bool(int64_t, const data::Example&)>& fn) {
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

// Cross-entropy on logits (classification), MSE (regression), or for classification with
// train.loss = "mse", squared error between softmax and one-hot targets summed over classes
// and averaged over the batch.
Tensor MlpTask::loss_of(const Tensor& out, const Tensor& target) const {
    if (data_.num_classes == 0) return nn::mse_loss(out, target);
    if (mse_onehot_) {
        Tensor onehot = to(one_hot(target, out.shape()[1]), out.dtype());
        return mul(nn::mse_loss(softmax(out, 1), onehot), static_cast<double>(out.shape()[1]));
    }
    return nn::cross_entropy(out, target);
}

Tensor MlpTask::training_loss(const data::Example& batch, app::Metrics&) {
    return loss_of((*model_)(batch[0]), batch[1]);
}

// Mean loss (and accuracy) over a dataset; the loop has set eval mode and no-grad.
app::Metrics MlpTask::evaluate(const data::TensorDataset& ds, const std::string& prefix) {
    data::DataLoader loader(std::make_shared<data::TensorDataset>(ds),
                            {.batch_size = 1024, .prefetch = false});
    double total = 0, correct = 0;
    for (const auto& b : loader.epoch(0)) {
        Tensor out = (*model_)(b[0]);
        total += loss_of(out, b[1]).item<double>() * static_cast<double>(b[0].shape()[0]);
        if (data_.num_classes)
            correct += static_cast<double>(sum(eq(argmax(out, 1), b[1])).item<int64_t>());
    }
    const double n = static_cast<double>(ds.size());
    app::Metrics m{{prefix + "_loss", total / n}};
    if (data_.num_classes) m.set(prefix + "_accuracy", correct / n);
    return m;
}

app::Metrics MlpTask::validate() { return evaluate(*data_.val, "val"); }

app::Metrics MlpTask::test() { return data_.test ? evaluate(*data_.test, "test") : app::Metrics{}; }

// split.json: the features and the exact train/validation rows, so the same split can be
// reproduced elsewhere (tools/covid_compare.py trains PyTorch on it).
void MlpTask::write_inputs(const std::string& dir) {
    if (data_.train_rows.empty()) return;
    auto list = [](const auto& v, auto item) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
        return s + "]";
    };
    auto quote = [](const std::string& s) { return io::json_quote(s); };
    auto num = [](int64_t v) { return std::to_string(v); };
    io::write_file_atomic(dir + "/split.json",
                          "{\n  \"target\": " + io::json_quote(data_.target) +
                              ",\n  \"features\": " + list(data_.feature_names, quote) +
                              ",\n  \"train_rows\": " + list(data_.train_rows, num) +
                              ",\n  \"val_rows\": " + list(data_.val_rows, num) + "\n}\n");
}

// predictions.csv in the course's submission format: the column is named after the target
// without pandas' ".N" suffix for repeated names (tested_positive.4 -> tested_positive).
void MlpTask::finish(const std::string& dir) {
    if (!data_.test_x.defined()) return;
    std::string column = prediction_column_;
    if (column.empty()) {
        column = data_.target.empty() ? "prediction" : data_.target;
        const auto dot = column.rfind('.');
        if (dot != std::string::npos && dot + 1 < column.size() &&
            column.find_first_not_of("0123456789", dot + 1) == std::string::npos)
            column = column.substr(0, dot);
    }
    auto pred = to_vector<double>((*model_)(data_.test_x));
    std::ostringstream os;
    os << "id," << column << "\n";
    for (size_t i = 0; i < pred.size(); ++i) os << data_.test_ids[i] << "," << pred[i] << "\n";
    io::write_file_atomic(dir + "/predictions.csv", os.str());
}

void register_tasks(app::TaskRegistry& registry) {
    auto make = [](const app::Config& cfg) { return std::make_unique<MlpTask>(cfg); };
    registry.add("regression", make, "an MLP predicting a number (CSV or synthetic data)");
    registry.add("classification", make, "an MLP choosing a class (Fashion-MNIST)");
}

}  // namespace kaya::mlp
