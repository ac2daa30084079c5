// SPDX-License-Identifier: MIT
#include "apps/analysis/diagnose.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/train/plot.h"
#include "kaya/io/csv.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::analysis {

namespace {

namespace fs = std::filesystem;

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

bool is_run_dir(const fs::path& p) { return fs::exists(p / "metrics.csv"); }

}  // namespace

std::string RunSummary::label() const {
    return std::to_string(layers) + " layers, " + app::with_commas(parameters) + " parameters";
}

RunSummary read_run(const std::string& dir) {
    KAYA_CHECK(is_run_dir(dir), IoError, "diagnose: ", dir, " has no metrics.csv; give run"
               " directories of kaya train (or a sweep's directory)");
    io::CsvTable t = io::read_csv(dir + "/metrics.csv");
    RunSummary r;
    r.dir = dir;
    const int64_t ce = t.column("epoch"), ct = t.column("train_loss"), cv = t.column("val_loss");
    KAYA_CHECK(t.rows() > 0, ValueError, "diagnose: ", dir, "/metrics.csv has no finished epoch yet");
    auto v = to_vector<double>(t.values);
    const size_t cols = t.columns.size();
    for (int64_t row = 0; row < t.rows(); ++row) {
        const size_t base = static_cast<size_t>(row) * cols;
        r.epoch.push_back(v[base + static_cast<size_t>(ce)]);
        r.train_loss.push_back(v[base + static_cast<size_t>(ct)]);
        r.val_loss.push_back(v[base + static_cast<size_t>(cv)]);
    }
    r.best_train = *std::min_element(r.train_loss.begin(), r.train_loss.end());
    auto best = std::min_element(r.val_loss.begin(), r.val_loss.end());
    r.best_val = *best;
    r.best_val_epoch = static_cast<int64_t>(r.epoch[static_cast<size_t>(best - r.val_loss.begin())]);
    const std::string weights = dir + "/model.safetensors";
    if (fs::exists(weights)) {
        for (const auto& [name, tensor] : io::load_safetensors(weights).tensors) {
            if (!is_floating(tensor.dtype())) continue;
            r.parameters += tensor.numel();
            if (tensor.dim() >= 2) ++r.layers;
        }
    }
    return r;
}

std::vector<std::string> expand_run_dirs(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const auto& a : args) {
        if (is_run_dir(a)) {
            out.push_back(a);
            continue;
        }
        std::vector<std::string> runs;
        if (fs::is_directory(a)) {
            for (const auto& e : fs::directory_iterator(a)) {
                if (e.is_directory() && e.path().filename().string().rfind("run-", 0) == 0 && is_run_dir(e.path()))
                    runs.push_back(e.path().string());
            }
        }
        KAYA_CHECK(!runs.empty(), ValueError, "diagnose: ", a, " is neither a run directory (no"
                   " metrics.csv) nor a sweep's directory (no run-NNN folders with one)");
        std::sort(runs.begin(), runs.end());
        out.insert(out.end(), runs.begin(), runs.end());
    }
    return out;
}

Diagnosis diagnose(std::vector<RunSummary> runs, const DiagnoseOptions& o) {
    KAYA_CHECK(!runs.empty(), ValueError, "diagnose: no runs given");
    std::stable_sort(runs.begin(), runs.end(), [](const RunSummary& a, const RunSummary& b) {
        return a.layers != b.layers ? a.layers < b.layers : a.parameters < b.parameters;
    });
    Diagnosis d;
    d.runs = runs;
    bool optimisation = false, overfitting = false;
    // A bigger model against the best of the smaller ones it could imitate.
    for (size_t j = 1; j < runs.size(); ++j) {
        size_t best = 0;
        for (size_t i = 1; i < j; ++i) {
            if (runs[i].best_train < runs[best].best_train) best = i;
        }
        const auto &big = runs[j], &small = runs[best];
        if (big.layers >= small.layers && big.parameters >= small.parameters &&
            big.best_train > small.best_train * (1 + o.margin)) {
            optimisation = true;
            d.findings.push_back({"optimisation",
                                  "The model with " + big.label() + " reaches a training loss of " +
                                      fmt("%.4g", big.best_train) + ", higher than " + fmt("%.4g", small.best_train) +
                                      " for the smaller model with " + small.label() +
                                      ", which it contains (its extra layers could pass their input on). "
                                      "Higher training loss in the bigger model is an optimisation failure, not model bias."});
        }
    }
    for (const auto& r : runs) {
        const double last_val = r.val_loss.back();
        if (last_val > r.best_val * (1 + o.rise) && r.best_val_epoch < static_cast<int64_t>(r.epoch.back())) {
            overfitting = true;
            d.findings.push_back({"overfitting", r.label() + ": validation loss fell to " + fmt("%.4g", r.best_val) +
                                                     " at epoch " + std::to_string(r.best_val_epoch) + " and rose to " +
                                                     fmt("%.4g", last_val) + " by epoch " + fmt("%.0f", r.epoch.back()) +
                                                     " while the training loss went on down to " +
                                                     fmt("%.4g", r.train_loss.back()) + ": overfitting."});
        }
    }
    const auto &smallest = runs.front(), &largest = runs.back();
    bool all_high = true;
    for (const auto& r : runs) all_high = all_high && r.best_train > o.high * r.train_loss.front();
    const bool size_no_help = largest.best_train >= smallest.best_train * (1 - o.margin);
    if (!optimisation && all_high && size_no_help) {
        d.findings.push_back({"model bias", "Every model stays high: the lowest training losses are " +
                                                fmt("%.4g", smallest.best_train) + " (" + smallest.label() + ") to " +
                                                fmt("%.4g", largest.best_train) + " (" + largest.label() +
                                                "), over " + fmt("%.0f", o.high * 100) +
                                                "% of where each started, and size does not help: model bias."});
        d.advice.push_back("Model bias: make the model more flexible (more input features, wider or deeper layers) "
                           "or change its family.");
    }
    if (optimisation) {
        d.advice.push_back("Optimisation: give the deep model a way to train (residual connections, batch "
                           "normalisation, Kaiming initialisation) or tune the optimizer (Adam, the learning rate, "
                           "more epochs); then the deeper model should reach at least the shallower one's loss.");
    }
    if (overfitting) {
        d.advice.push_back("Overfitting: keep the best epoch's weights (early stopping), add data or augmentation, "
                           "or constrain the model (fewer parameters, dropout, weight decay).");
    }
    if (d.findings.empty()) {
        d.findings.push_back({"healthy", "A healthy fit: training loss from " + fmt("%.4g", smallest.best_train) +
                                             " (" + smallest.label() + ") to " + fmt("%.4g", largest.best_train) + " (" +
                                             largest.label() + "), and validation loss never rose more than " +
                                             fmt("%.0f", o.rise * 100) + "% above its minimum."});
        d.advice.push_back("Nothing to fix: a bigger model or more data may still lower the validation loss.");
    }
    return d;
}

std::string diagnosis_text(const Diagnosis& d) {
    std::string s = "run                                        layers   parameters  best train  best val (epoch)  last val\n";
    for (const auto& r : d.runs) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%-42s %6lld %12s  %10.4g  %8.4g (%4lld)  %8.4g\n", r.dir.c_str(),
                      static_cast<long long>(r.layers), app::with_commas(r.parameters).c_str(), r.best_train, r.best_val,
                      static_cast<long long>(r.best_val_epoch), r.val_loss.back());
        s += buf;
    }
    s += "\n";
    for (const auto& f : d.findings) s += "[" + f.kind + "] " + f.text + "\n";
    for (const auto& a : d.advice) s += "next: " + a + "\n";
    return s;
}

std::string diagnosis_svg(const Diagnosis& d) {
    std::vector<app::Series> series;
    for (const auto& r : d.runs) {
        series.push_back({r.label() + " train", r.epoch, r.train_loss});
        series.push_back({r.label() + " validation", r.epoch, r.val_loss, true});
    }
    return app::line_plot_svg(series, {.title = "Training (solid) and validation (dashed) loss",
                                       .xlabel = "epoch", .ylabel = "loss", .log_y = true});
}

}  // namespace kaya::analysis
