// SPDX-License-Identifier: MIT
// Demos built on the trainer: a hyperparameter sweep, overfitting and early stopping, batch
// sizes, cross-entropy vs squared error.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <filesystem>

#include "apps/train/config.h"
#include "apps/train/demos.h"
#include "apps/train/plot.h"
#include "apps/train/sweep.h"
#include "apps/train/task.h"
#include "apps/train/trainer.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

namespace fs = std::filesystem;

RunResult quiet_run(const std::string& toml, const std::string& name) {
    std::printf("  %s\n", name.c_str());
    std::fflush(stdout);
    return train(Config::parse(toml, name), {.verbose = false});
}

std::string fashion(const TourOptions& o, int64_t train_rows) {
    return "[data]\nsource = 'fashion_mnist'\nlimit_train = " + std::to_string(o.full ? 60000 : train_rows) +
           "\nlimit_test = " + std::to_string(o.full ? 10000 : 2000) + "\n";
}

}  // namespace

void demo_sweep(const TourOptions& o, Report& report) {
    std::printf("\n== hyperparameter sweep ==\n");
    Config base = Config::parse("[data]\nsource = 'synthetic'\nrows = 2000\nfeatures = 8\nnoise = 0.1\n"
                                "[model]\nhidden = [32, 16]\n[train]\noptimizer = 'adam'\nepochs = " +
                                    std::string(o.full ? "60" : "15") + "\n",
                                "sweep.toml");
    std::vector<SweepAxis> axes{parse_sweep_axis("train.lr=0.0003,0.001,0.003,0.01,0.03,0.1"),
                                parse_sweep_axis("train.batch_size=16,64,256")};
    std::printf("  %zu runs: learning rate x batch size\n", axes[0].values.size() * axes[1].values.size());
    std::fflush(stdout);
    auto res = sweep(base, axes, {.out_dir = o.out_dir + "/runs/sweep", .verbose = false});
    fs::copy_file(res.dir + "/sweep.svg", o.out_dir + "/sweep.svg", fs::copy_options::overwrite_existing);
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < res.runs.size(); ++i) {
        const auto& r = res.runs[i];
        rows.push_back({r.values[0], r.values[1], Report::number(r.best_val_loss), std::to_string(r.best_epoch),
                        Report::number(r.seconds, "%.2f") + (i == res.best ? "  (best)" : "")});
    }
    std::string html = "<p>Learning rate and batch size are set by people, not learned. <code>kaya sweep</code> trains "
                       "every combination on the same data and split and keeps the one with the lowest validation loss: "
                       "here an MLP 32-16 with Adam on the synthetic regression, " + std::string(o.full ? "60" : "15") +
                       " epochs each. The same from the command line:</p><pre>kaya sweep config.toml --grid "
                       "train.lr=0.0003,0.001,0.003,0.01,0.03,0.1 --grid train.batch_size=16,64,256</pre>";
    html += Report::figure("sweep.svg", "best validation loss against the learning rate, one line per batch size");
    html += Report::table_html({"learning rate", "batch size", "best validation MSE", "best epoch", "seconds"}, rows);
    report.add_section("3", "Hyperparameters: a sweep", html);
}

void demo_overfitting(const TourOptions& o, Report& report) {
    std::printf("\n== overfitting and early stopping ==\n");
    // 80 noisy points, half held out, and a 2-layer 256-unit MLP: far more capacity than data.
    const std::string dir = o.out_dir + "/runs/overfitting";
    auto r = quiet_run("[data]\nsource = 'synthetic'\nrows = 80\nfeatures = 1\nnoise = 0.4\nval_fraction = 0.5\n"
                       "[model]\nhidden = [256, 256]\n[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 40\n"
                       "epochs = " + std::string(o.full ? "3000" : "1200") + "\n[output]\ndir = '" + dir + "'\n",
                       "MLP 256-256 on 40 training points");
    Series tr{"train"}, va{"validation", {}, {}, true}, best{"best epoch"};
    for (const auto& e : r.history) {
        tr.x.push_back(e.epoch);
        tr.y.push_back(e.train_loss);
        va.x.push_back(e.epoch);
        va.y.push_back(e.val_loss);
    }
    best.x = {static_cast<double>(r.best_epoch), static_cast<double>(r.best_epoch)};
    best.y = {*std::min_element(tr.y.begin(), tr.y.end()), *std::max_element(va.y.begin(), va.y.end())};
    io::write_file_atomic(o.out_dir + "/overfitting.svg",
                          line_plot_svg({tr, va, best}, {.title = "overfitting: training keeps falling, validation turns",
                                                         .xlabel = "epoch", .ylabel = "MSE", .log_y = true}));
    const auto& last = r.history.back();
    std::string html = "<p>" + Report::escape(r.data_description) + "; the noise variance (0.16) is the best "
                       "achievable validation MSE. A 256-256 MLP has ~66,000 parameters for 40 training points.</p>";
    html += Report::table_html({"", "epoch", "train MSE", "validation MSE"},
                               {{"best validation (early stopping)", std::to_string(r.best_epoch),
                                 Report::number(r.history[r.best_epoch - 1].train_loss), Report::number(r.best_val_loss)},
                                {"end of training", std::to_string(last.epoch), Report::number(last.train_loss), Report::number(last.val_loss)}});
    html += "<p>With <code>train.patience</code> set, training stops once the validation loss has not improved for "
            "that many epochs, and model.safetensors keeps the best weights.</p>";
    html += Report::figure("overfitting.svg", "training and validation loss; the vertical line marks the best epoch");
    report.add_section("6", "Overfitting and early stopping", html);
}

void demo_batch_size(const TourOptions& o, Report& report) {
    std::printf("\n== batch-size study ==\n");
    std::vector<std::vector<std::string>> rows;
    Series time_s{"seconds per epoch"}, acc_s{"validation accuracy (%)"};
    for (int64_t bs : {8, 32, 128, 512, 2048}) {
        auto r = quiet_run(fashion(o, 12000) + "[model]\nhidden = [128]\n[train]\noptimizer = 'sgd'\nmomentum = 0.9\n"
                           "lr = " + Report::number(0.01 * std::sqrt(bs / 32.0)) + "\nbatch_size = " + std::to_string(bs) +
                           "\nepochs = 2\n[output]\ndir = '" + o.out_dir + "/runs/batch_" + std::to_string(bs) + "'\n",
                           "batch size " + std::to_string(bs));
        double secs = 0;
        for (const auto& e : r.history) secs += e.seconds;
        secs /= static_cast<double>(r.history.size());
        rows.push_back({std::to_string(bs), Report::number(secs, "%.3f"), Report::number(100 * r.history.back().val_accuracy, "%.2f")});
        time_s.x.push_back(static_cast<double>(bs));
        time_s.y.push_back(secs);
        acc_s.x.push_back(static_cast<double>(bs));
        acc_s.y.push_back(100 * r.history.back().val_accuracy);
    }
    io::write_file_atomic(o.out_dir + "/batch_time.svg",
                          line_plot_svg({time_s}, {.title = "time per epoch", .xlabel = "batch size", .ylabel = "seconds",
                                                    .log_x = true}));
    io::write_file_atomic(o.out_dir + "/batch_accuracy.svg",
                          line_plot_svg({acc_s}, {.title = "accuracy after 2 epochs", .xlabel = "batch size", .ylabel = "%",
                                                   .log_x = true}));
    std::string html = "<p>Fashion-MNIST MLP 784-128-10, SGD with momentum 0.9, learning rate scaled with "
                       "sqrt(batch size), 2 epochs each. Large batches use the hardware better (fewer, larger matrix "
                       "products per epoch); small batches take more update steps per epoch.</p>";
    html += Report::table_html({"batch size", "seconds per epoch", "validation accuracy (%)"}, rows);
    html += Report::figure("batch_time.svg", "time per epoch") + Report::figure("batch_accuracy.svg", "accuracy");
    report.add_section("8", "Mini-batches: time per epoch vs accuracy", html);
}

void demo_cross_entropy(const TourOptions& o, Report& report) {
    std::printf("\n== cross-entropy vs squared error ==\n");
    const std::string model = "[model]\nhidden = [128]\n[train]\noptimizer = 'sgd'\nlr = 0.05\nbatch_size = 64\nepochs = " +
                              std::string(o.full ? "10" : "3") + "\n";
    auto ce = quiet_run(fashion(o, 12000) + model + "loss = 'cross_entropy'\n[output]\ndir = '" + o.out_dir + "/runs/ce'\n",
                        "cross-entropy");
    auto mse = quiet_run(fashion(o, 12000) + model + "loss = 'mse'\n[output]\ndir = '" + o.out_dir + "/runs/mse'\n",
                         "squared error on softmax");
    // Gradient size at initialisation on one batch, with respect to the output layer's weights.
    Config cfg = Config::parse(fashion(o, 2000) + model, "gradients");
    PreparedData d = prepare_data(cfg);
    auto batch = d.train->get_batch({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    auto grad_norm = [&](bool use_mse) {
        manual_seed(0);
        auto m = build_model(cfg, d);
        Tensor out = (*m)(batch[0]);
        Tensor l = use_mse ? mul(nn::mse_loss(softmax(out, 1), to(one_hot(batch[1], 10), DType::Float32)), 10.0)
                           : nn::cross_entropy(out, batch[1]);
        auto params = m->parameters();
        return norm(autograd::grad({l}, {params[params.size() - 2]})[0]).item<double>();
    };
    const double g_ce = grad_norm(false), g_mse = grad_norm(true);
    Series a{"cross-entropy"}, b{"squared error", {}, {}, true};
    for (const auto& e : ce.history) a.x.push_back(e.epoch), a.y.push_back(100 * e.val_accuracy);
    for (const auto& e : mse.history) b.x.push_back(e.epoch), b.y.push_back(100 * e.val_accuracy);
    io::write_file_atomic(o.out_dir + "/ce_vs_mse.svg",
                          line_plot_svg({a, b}, {.title = "validation accuracy", .xlabel = "epoch", .ylabel = "%"}));
    std::string html = "<p>The same 784-128-10 MLP and plain SGD (lr 0.05), trained with CrossEntropyLoss on the "
                       "logits and with squared error between softmax(logits) and one-hot targets (summed over "
                       "classes). With softmax, the squared-error gradient carries the factor p(1 - p), which is "
                       "small wherever the softmax saturates; cross-entropy's gradient is simply p - y.</p>";
    html += Report::table_html({"loss", "|grad| of output weights at init", "accuracy after epoch 1", "final accuracy"},
                               {{"cross-entropy", Report::number(g_ce), Report::number(100 * ce.history.front().val_accuracy, "%.2f%%"),
                                 Report::number(100 * ce.history.back().val_accuracy, "%.2f%%")},
                                {"squared error", Report::number(g_mse), Report::number(100 * mse.history.front().val_accuracy, "%.2f%%"),
                                 Report::number(100 * mse.history.back().val_accuracy, "%.2f%%")}});
    html += Report::figure("ce_vs_mse.svg", "validation accuracy per epoch");
    report.add_section("10", "Cross-entropy vs squared error", html);
}

}  // namespace kaya::app
