// SPDX-License-Identifier: MIT
// The MLP task's sections of the tour: regression, classification, a hyperparameter sweep,
// overfitting and early stopping, batch sizes, cross-entropy vs squared error.
#include "apps/mlp/tour_sections.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/mlp/mlp_task.h"
#include "apps/train/config.h"
#include "apps/train/plot.h"
#include "apps/train/run.h"
#include "apps/train/sweep.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::mlp {

using app::Config;
using app::line_plot_svg;
using app::RunResult;
using app::Series;
using tour::Report;
using tour::TourOptions;

namespace {

namespace fs = std::filesystem;

RunResult quiet_run(const std::string& toml, const std::string& name) {
    std::printf("  %s\n", name.c_str());
    std::fflush(stdout);
    return app::run_training(Config::parse(toml, name), {.verbose = false});
}

RunResult run(const std::string& toml, const std::string& name) {
    std::printf("-- %s\n", name.c_str());
    std::fflush(stdout);
    return app::run_training(Config::parse(toml, name));
}

// Copies a run's curves next to the report under a new name.
std::string take_curves(const RunResult& r, const std::string& out, const std::string& name) {
    fs::copy_file(r.dir + "/curves.svg", out + "/" + name, fs::copy_options::overwrite_existing);
    return name;
}

std::string fashion(const TourOptions& o, int64_t train_rows) {
    return "[task]\nkind = 'classification'\n[data]\nsource = 'fashion_mnist'\nlimit_train = " +
           std::to_string(o.full ? 60000 : train_rows) +
           "\nlimit_test = " + std::to_string(o.full ? 10000 : 2000) + "\n";
}

// An MLP against a linear model on the same split.
void regression(const TourOptions& o, Report& report) {
    std::string covid = o.data_dir.empty() ? "" : o.data_dir + "/covid/ml2023/covid_train.csv";
    std::string data;
    if (!covid.empty() && fs::exists(covid)) {
        data = "[data]\nsource = 'csv'\npath = '" + covid +
               "'\ntarget = 'last'\nselect_k = 24\n"
               "test_path = '" +
               o.data_dir + "/covid/ml2023/covid_test.csv'\n";
    } else {
        data = "[data]\nsource = 'synthetic'\nrows = 2000\nfeatures = 8\nnoise = 0.1\n";
    }
    const int64_t epochs = o.full ? 300 : 60;
    auto train = [&](const char* lr) {
        return "[train]\noptimizer = 'adam'\nlr = " + std::string(lr) +
               "\nbatch_size = 64\nepochs = " + std::to_string(epochs) + "\npatience = 40\n";
    };
    auto mlp = run(data + "[model]\nhidden = [32, 16]\n" + train("0.003") + "[output]\ndir = '" +
                       o.out_dir + "/runs/regression_mlp'\n",
                   "regression: MLP");
    // The linear model has 25 weights and needs larger steps to converge in the same epochs.
    auto lin = run(data + "[model]\nhidden = []\n" + train("0.1") + "[output]\ndir = '" +
                       o.out_dir + "/runs/regression_linear'\n",
                   "regression: linear baseline");
    std::string html =
        "<p>Data: " + Report::escape(mlp.data_description) +
        ". Validation is a fixed, "
        "seeded 20% of the training rows; features are standardised on the training split.</p>";
    html +=
        Report::table_html({"model", "parameters", "best validation MSE", "epoch"},
                           {{"MLP 32-16 (ReLU, Adam)", std::to_string(mlp.num_parameters),
                             Report::number(mlp.best_score), std::to_string(mlp.best_epoch)},
                            {"linear regression (Adam lr 0.1)", std::to_string(lin.num_parameters),
                             Report::number(lin.best_score), std::to_string(lin.best_epoch)}});
    html += Report::figure(take_curves(mlp, o.out_dir, "regression_mlp.svg"),
                           "MLP: training and validation MSE");
    html += Report::figure(take_curves(lin, o.out_dir, "regression_linear.svg"),
                           "linear: training and validation MSE");
    const bool mlp_wins = mlp.best_score < lin.best_score;
    html += Report::finding(
        std::string(mlp_wins ? "the MLP" : "the linear model") +
        " reaches the lower validation error (" +
        Report::number(std::min(mlp.best_score, lin.best_score)) + " against " +
        Report::number(std::max(mlp.best_score, lin.best_score)) + "). " +
        (mlp_wins ? "The target is not linear in the features, and hidden layers capture that."
                  : "Here the target is close to linear in the features: the extra capacity of the "
                    "hidden layers buys nothing on validation."));
    report.add_section("Regression: predicting a number", html);
}

// Fashion-MNIST with softmax + cross-entropy.
void classification(const TourOptions& o, Report& report) {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(dir + "/train-images-idx3-ubyte.gz")) {
        report.add_section("Classification: choosing a class",
                           "<p>Fashion-MNIST is not installed (Debian package "
                           "dataset-fashion-mnist; scripts/setup.sh installs it).</p>");
        return;
    }
    std::string toml = "[task]\nkind = 'classification'\n[data]\nsource = 'fashion_mnist'\n" +
                       std::string(o.full ? "" : "limit_train = 12000\nlimit_test = 2000\n") +
                       "[model]\nhidden = [256, 128]\n[train]\noptimizer = 'adam'\nlr = 0.001\n"
                       "batch_size = 128\nepochs = " +
                       std::string(o.full ? "20" : "3") + "\n[output]\ndir = '" + o.out_dir +
                       "/runs/fashion_mnist'\n";
    auto r = run(toml, "classification: Fashion-MNIST MLP");
    std::string html = "<p>Data: " + Report::escape(r.data_description) +
                       ". Model: 784-256-128-10 MLP, ReLU, CrossEntropyLoss on raw logits "
                       "(log-softmax inside the loss). The epoch with the lowest validation loss "
                       "is kept; the test images are scored once, with its weights.</p>";
    html += Report::table_html(
        {"epochs", "best epoch", "validation accuracy", "test accuracy", "test cross-entropy"},
        {{std::to_string(r.history.size()), std::to_string(r.best_epoch),
          Report::number(100 * r.best("val_accuracy"), "%.2f%%"),
          Report::number(100 * r.test.get("test_accuracy"), "%.2f%%"),
          Report::number(r.test.get("test_loss"))}});
    html +=
        Report::figure(take_curves(r, o.out_dir, "fashion_mnist.svg"), "cross-entropy per epoch");
    html += Report::finding(
        "ten classes make chance 10%; the MLP classifies " +
        Report::number(100 * r.test.get("test_accuracy"), "%.1f%%") +
        " of the unseen test images correctly, within " +
        Report::number(100 * std::abs(r.test.get("test_accuracy") - r.best("val_accuracy")),
                       "%.1f") +
        " points of its validation accuracy, so the validation split was an honest estimate.");
    report.add_section("Classification: choosing a class", html);
}

// A column of every epoch of a run, and the epoch numbers.
std::vector<double> column(const RunResult& r, const std::string& name) {
    std::vector<double> v;
    for (const auto& e : r.history) v.push_back(e.get(name));
    return v;
}

void demo_sweep(const TourOptions& o, Report& report) {
    Config base = Config::parse(
        "[data]\nsource = 'synthetic'\nrows = 2000\nfeatures = 8\nnoise = 0.1\n"
        "[model]\nhidden = [32, 16]\n[train]\noptimizer = 'adam'\nepochs = " +
            std::string(o.full ? "60" : "15") + "\n",
        "sweep.toml");
    std::vector<app::SweepAxis> axes{
        app::parse_sweep_axis("train.lr=0.0003,0.001,0.003,0.01,0.03,0.1"),
        app::parse_sweep_axis("train.batch_size=16,64,256")};
    std::printf("  %zu runs: learning rate x batch size\n",
                axes[0].values.size() * axes[1].values.size());
    std::fflush(stdout);
    auto res = app::sweep(base, axes, {.out_dir = o.out_dir + "/runs/sweep", .verbose = false});
    fs::copy_file(res.dir + "/sweep.svg", o.out_dir + "/sweep.svg",
                  fs::copy_options::overwrite_existing);
    std::vector<std::vector<std::string>> rows;
    double worst = 0;
    for (size_t i = 0; i < res.runs.size(); ++i) {
        const auto& r = res.runs[i];
        worst = std::max(worst, r.best_score);
        rows.push_back({r.values[0], r.values[1], Report::number(r.best_score),
                        std::to_string(r.best_epoch),
                        Report::number(r.seconds, "%.2f") + (i == res.best ? "  (best)" : "")});
    }
    const auto& best = res.runs[res.best];
    std::string html =
        "<p>Learning rate and batch size are set by people, not learned. <code>kaya sweep</code> "
        "trains "
        "every combination on the same data and split and keeps the one with the lowest validation "
        "loss: "
        "here an MLP 32-16 with Adam on the synthetic regression, " +
        std::string(o.full ? "60" : "15") +
        " epochs each. The same from the command line:</p><pre>kaya sweep config.toml --grid "
        "train.lr=0.0003,0.001,0.003,0.01,0.03,0.1 --grid train.batch_size=16,64,256</pre>";
    html += Report::figure(
        "sweep.svg", "best validation loss against the learning rate, one line per batch size");
    html += Report::table_html(
        {"learning rate", "batch size", "best validation MSE", "best epoch", "seconds"}, rows);
    html += Report::finding(
        "the best setting is lr " + best.values[0] + " with batch size " + best.values[1] +
        " (validation MSE " + Report::number(best.best_score) + "); the worst reaches " +
        Report::number(worst) + ", " + Report::number(worst / best.best_score, "%.1f") +
        " times higher, from the same model and data: the hyperparameters people choose matter.");
    report.add_section("Hyperparameters: learning rate and batch size, swept", html);
}

void demo_overfitting(const TourOptions& o, Report& report) {
    // 80 noisy points, half held out, and a 2-layer 256-unit MLP: far more capacity than data.
    const std::string dir = o.out_dir + "/runs/overfitting";
    auto r = quiet_run(
        "[data]\nsource = 'synthetic'\nrows = 80\nfeatures = 1\nnoise = 0.4\nval_fraction = 0.5\n"
        "[model]\nhidden = [256, 256]\n[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 40\n"
        "epochs = " +
            std::string(o.full ? "3000" : "1200") + "\n[output]\ndir = '" + dir + "'\n",
        "MLP 256-256 on 40 training points");
    const std::vector<double> epochs = column(r, "epoch"), train = column(r, "train_loss"),
                              val = column(r, "val_loss");
    Series tr{"train", epochs, train}, va{"validation", epochs, val, true}, best{"best epoch"};
    best.x = {static_cast<double>(r.best_epoch), static_cast<double>(r.best_epoch)};
    best.y = {*std::min_element(train.begin(), train.end()),
              *std::max_element(val.begin(), val.end())};
    io::write_file_atomic(
        o.out_dir + "/overfitting.svg",
        line_plot_svg({tr, va, best},
                      {.title = "overfitting: training keeps falling, validation turns",
                       .xlabel = "epoch",
                       .ylabel = "MSE",
                       .log_y = true}));
    std::string html = "<p>" + Report::escape(r.data_description) +
                       "; the noise variance (0.16) is the best "
                       "achievable validation MSE. A 256-256 MLP has ~66,000 parameters for 40 "
                       "training points.</p>";
    html +=
        Report::table_html({"", "epoch", "train MSE", "validation MSE"},
                           {{"best validation (early stopping)", std::to_string(r.best_epoch),
                             Report::number(r.best("train_loss")), Report::number(r.best_score)},
                            {"end of training", std::to_string(epochs.size()),
                             Report::number(train.back()), Report::number(val.back())}});
    html +=
        "<p>With <code>train.patience</code> set, training stops once the validation loss has not "
        "improved for "
        "that many epochs, and model.safetensors keeps the best weights.</p>";
    html += Report::figure("overfitting.svg",
                           "training and validation loss; the vertical line marks the best epoch");
    const bool turned = val.back() > 1.05 * r.best_score;
    html += Report::finding(
        "from epoch " + std::to_string(r.best_epoch) + " on, the training error kept falling (" +
        Report::number(r.best("train_loss")) + " to " + Report::number(train.back()) +
        ") while the validation error " +
        (turned ? "rose by " + Report::number(100 * (val.back() / r.best_score - 1), "%.0f") +
                      "% (" + Report::number(r.best_score) + " to " + Report::number(val.back()) +
                      "): the model learns the noise of its 40 points. That is overfitting, and "
                      "early stopping at the "
                      "best validation epoch avoids it."
                : "stayed near its best (" + Report::number(r.best_score) + " to " +
                      Report::number(val.back()) + "): this run did not overfit clearly."));
    report.add_section("Overfitting and early stopping", html);
}

void demo_batch_size(const TourOptions& o, Report& report) {
    std::vector<std::vector<std::string>> rows;
    Series time_s{"seconds per epoch"}, acc_s{"validation accuracy (%)"};
    for (int64_t bs : {8, 32, 128, 512, 2048}) {
        auto r = quiet_run(
            fashion(o, 12000) +
                "[model]\nhidden = [128]\n[train]\noptimizer = 'sgd'\nmomentum = 0.9\n"
                "lr = " +
                Report::number(0.01 * std::sqrt(bs / 32.0)) +
                "\nbatch_size = " + std::to_string(bs) + "\nepochs = 2\n[output]\ndir = '" +
                o.out_dir + "/runs/batch_" + std::to_string(bs) + "'\n",
            "batch size " + std::to_string(bs));
        double secs = 0;
        for (double v : column(r, "seconds")) secs += v;
        secs /= static_cast<double>(r.history.size());
        const double acc = 100 * r.history.back().get("val_accuracy");
        rows.push_back(
            {std::to_string(bs), Report::number(secs, "%.3f"), Report::number(acc, "%.2f")});
        time_s.x.push_back(static_cast<double>(bs));
        time_s.y.push_back(secs);
        acc_s.x.push_back(static_cast<double>(bs));
        acc_s.y.push_back(acc);
    }
    io::write_file_atomic(o.out_dir + "/batch_time.svg",
                          line_plot_svg({time_s}, {.title = "time per epoch",
                                                   .xlabel = "batch size",
                                                   .ylabel = "seconds",
                                                   .log_x = true}));
    io::write_file_atomic(o.out_dir + "/batch_accuracy.svg",
                          line_plot_svg({acc_s}, {.title = "accuracy after 2 epochs",
                                                  .xlabel = "batch size",
                                                  .ylabel = "%",
                                                  .log_x = true}));
    std::string html =
        "<p>Fashion-MNIST MLP 784-128-10, SGD with momentum 0.9, learning rate scaled with "
        "sqrt(batch size), 2 epochs each. Large batches use the hardware better (fewer, larger "
        "matrix "
        "products per epoch); small batches take more update steps per epoch.</p>";
    html +=
        Report::table_html({"batch size", "seconds per epoch", "validation accuracy (%)"}, rows);
    html += Report::figure("batch_time.svg", "time per epoch") +
            Report::figure("batch_accuracy.svg", "accuracy");
    const size_t best_acc =
        static_cast<size_t>(std::max_element(acc_s.y.begin(), acc_s.y.end()) - acc_s.y.begin());
    html += Report::finding(
        "an epoch took " + Report::number(time_s.y.front(), "%.2f") + " s with batches of " +
        Report::number(time_s.x.front(), "%.0f") + " and " +
        Report::number(time_s.y.back(), "%.2f") + " s with " +
        Report::number(time_s.x.back(), "%.0f") + " (" +
        Report::number(time_s.y.front() / time_s.y.back(), "%.1f") +
        "x faster), but after the same 2 epochs the best accuracy came from batches of " +
        Report::number(acc_s.x[best_acc], "%.0f") + " (" +
        Report::number(acc_s.y[best_acc], "%.1f") + "%) against " +
        Report::number(acc_s.y.back(), "%.1f") +
        "% with the largest: big batches are fast per epoch, "
        "small ones make more, noisier steps.");
    report.add_section("Mini-batches: time per epoch against accuracy", html);
}

void demo_cross_entropy(const TourOptions& o, Report& report) {
    const std::string model =
        "[model]\nhidden = [128]\n[train]\noptimizer = 'sgd'\nlr = 0.05\nbatch_size = 64\nepochs "
        "= " +
        std::string(o.full ? "10" : "3") + "\n";
    auto ce = quiet_run(fashion(o, 12000) + model + "loss = 'cross_entropy'\n[output]\ndir = '" +
                            o.out_dir + "/runs/ce'\n",
                        "cross-entropy");
    auto mse = quiet_run(
        fashion(o, 12000) + model + "loss = 'mse'\n[output]\ndir = '" + o.out_dir + "/runs/mse'\n",
        "squared error on softmax");
    // Gradient size at initialisation on one batch, with respect to the output layer's weights.
    Config cfg = Config::parse(fashion(o, 2000) + model, "gradients");
    PreparedData d = prepare_data(DataOptions::read(cfg));
    const ModelOptions mo = ModelOptions::read(cfg);
    auto batch = d.train->get_batch({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    auto grad_norm = [&](bool use_mse) {
        manual_seed(0);
        auto m = build_mlp(mo, d);
        Tensor out = (*m)(batch[0]);
        Tensor l =
            use_mse ? mul(nn::mse_loss(softmax(out, 1), to(one_hot(batch[1], 10), DType::Float32)),
                          10.0)
                    : nn::cross_entropy(out, batch[1]);
        auto params = m->parameters();
        return norm(autograd::grad({l}, {params[params.size() - 2]})[0]).item<double>();
    };
    const double g_ce = grad_norm(false), g_mse = grad_norm(true);
    const std::vector<double> acc_ce = column(ce, "val_accuracy"),
                              acc_mse = column(mse, "val_accuracy");
    Series a{"cross-entropy"}, b{"squared error", {}, {}, true};
    for (size_t i = 0; i < acc_ce.size(); ++i)
        a.x.push_back(i + 1.0), a.y.push_back(100 * acc_ce[i]);
    for (size_t i = 0; i < acc_mse.size(); ++i)
        b.x.push_back(i + 1.0), b.y.push_back(100 * acc_mse[i]);
    io::write_file_atomic(
        o.out_dir + "/ce_vs_mse.svg",
        line_plot_svg({a, b}, {.title = "validation accuracy: cross-entropy against squared error",
                               .xlabel = "epoch",
                               .ylabel = "%"}));
    std::string html =
        "<p>The same 784-128-10 MLP and plain SGD (lr 0.05), trained with CrossEntropyLoss on the "
        "logits and with squared error between softmax(logits) and one-hot targets (summed over "
        "classes). With softmax, the squared-error gradient carries the factor p(1 - p), which is "
        "small wherever the softmax saturates; cross-entropy's gradient is simply p - y.</p>";
    html += Report::table_html(
        {"loss", "|grad| of output weights at init", "accuracy after epoch 1", "final accuracy"},
        {{"cross-entropy", Report::number(g_ce), Report::number(100 * acc_ce.front(), "%.2f%%"),
          Report::number(100 * acc_ce.back(), "%.2f%%")},
         {"squared error", Report::number(g_mse), Report::number(100 * acc_mse.front(), "%.2f%%"),
          Report::number(100 * acc_mse.back(), "%.2f%%")}});
    html += Report::figure("ce_vs_mse.svg", "validation accuracy per epoch");
    html += Report::finding(
        "at initialisation the cross-entropy gradient is " + Report::number(g_ce / g_mse, "%.1f") +
        " times the squared-error one, and after " + std::to_string(acc_ce.size()) +
        " epochs cross-entropy reaches " + Report::number(100 * acc_ce.back(), "%.1f") +
        "% against " + Report::number(100 * acc_mse.back(), "%.1f") +
        "%: with softmax outputs, cross-entropy learns faster, as the notes say.");
    report.add_section("Cross-entropy against squared error for classification", html);
}

}  // namespace

void add_tour_sections() {
    tour::add_tour_section({1, "regression", regression});
    tour::add_tour_section({1.1, "classification", classification});
    tour::add_tour_section({3, "hyperparameter sweep", demo_sweep});
    tour::add_tour_section({6, "overfitting and early stopping", demo_overfitting});
    tour::add_tour_section({8, "batch-size study", demo_batch_size});
    tour::add_tour_section({10, "cross-entropy against squared error", demo_cross_entropy});
}

}  // namespace kaya::mlp
