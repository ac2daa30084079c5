// SPDX-License-Identifier: MIT
#include "apps/train/run_state.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "apps/train/plot.h"
#include "apps/train/run.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

// Round-trips a double exactly through text metadata.
std::string exact(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ",") + n;
    return s;
}

std::vector<std::string> split_names(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

std::vector<std::string> columns_of(const std::vector<Metrics>& history) {
    std::vector<std::string> cols;
    for (const auto& row : history) {
        for (const auto& [n, v] : row.items()) {
            if (std::find(cols.begin(), cols.end(), n) == cols.end()) cols.push_back(n);
        }
    }
    return cols;
}

}  // namespace

void RunState::save(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                    int64_t batch_size, int64_t batches_per_epoch) const {
    NamedTensors all;
    for (auto& [n, t] : model.state_dict()) all.emplace_back("model." + n, t);
    for (auto& [n, t] : optimizer.state_dict()) all.emplace_back("optimizer." + n, t);
    for (auto& [n, t] : best_state) all.emplace_back("best." + n, t);
    const std::vector<std::string> cols = columns_of(history);
    for (const auto& c : cols) {
        std::vector<double> v;
        for (const auto& row : history) v.push_back(row.get(c));
        all.emplace_back("history." + c, from_vector<double>(v, {static_cast<int64_t>(v.size())}));
    }
    std::map<std::string, std::string> meta = {
        {"epoch", std::to_string(epochs_done)},
        {"batch", std::to_string(batches_done)},
        {"batch_size", std::to_string(batch_size)},
        {"batches_per_epoch", std::to_string(batches_per_epoch)},
        {"best_epoch", std::to_string(best_epoch)},
        {"best_score", exact(best_score)},
        {"bad_epochs", std::to_string(bad_epochs)},
        {"epoch_seconds", exact(epoch_seconds)},
        {"history", joined(cols)},
        {"processes", std::to_string(processes)},
        {"rng_seed", std::to_string(default_generator().seed())},
        {"rng_offset", std::to_string(default_generator().offset())}};
    std::vector<std::string> sum_names;
    for (const auto& [n, v] : sums.items()) {
        sum_names.push_back(n);
        meta["sum." + n] = exact(v);
    }
    meta["sums"] = joined(sum_names);
    std::vector<std::string> schedule_names;
    for (const auto& [n, v] : schedule.items()) {
        schedule_names.push_back(n);
        meta["schedule." + n] = exact(v);
    }
    meta["schedule"] = joined(schedule_names);
    io::save_safetensors(path, all, meta);
}

void RunState::load(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                    int64_t batch_size, int64_t batches_per_epoch) {
    KAYA_CHECK(std::filesystem::exists(path), IoError, path, ": no checkpoint to resume from");
    load(io::load_safetensors(path), path, model, optimizer, batch_size, batches_per_epoch);
}

void RunState::load(const io::SafetensorsFile& f, const std::string& path, nn::Module& model,
                    optim::Optimizer& optimizer, int64_t batch_size, int64_t batches_per_epoch) {
    auto text = [&](const std::string& k) {
        auto it = f.metadata.find(k);
        KAYA_CHECK(it != f.metadata.end(), ParseError, path, ": metadata '", k,
                   "' missing (not a checkpoint of this version of kaya train?)");
        return it->second;
    };
    auto number = [&](const std::string& k) {
        const std::string s = text(k);
        try {
            return std::stod(s);
        } catch (const std::exception&) {
            throw ParseError(path + ": metadata '" + k + "' is not a number: '" + s + "'");
        }
    };
    const auto saved_batch = static_cast<int64_t>(number("batch_size"));
    const auto saved_batches = static_cast<int64_t>(number("batches_per_epoch"));
    KAYA_CHECK(saved_batch == batch_size && saved_batches == batches_per_epoch, ValueError, path,
               ": saved with batch_size ", saved_batch, " and ", saved_batches,
               " batches per epoch; the config now gives ", batch_size, " and ", batches_per_epoch,
               " (the run would not continue with the same batches)");
    // Checkpoints from before data parallelism have no "processes": one process wrote them.
    const auto saved_processes =
        f.metadata.count("processes") ? static_cast<int64_t>(number("processes")) : 1;
    KAYA_CHECK(saved_processes == processes, ValueError, path, ": written by a run of ",
               saved_processes, " process", saved_processes == 1 ? "" : "es", ", resumed with ",
               processes, "; resume with the same number (",
               saved_processes == 1 ? std::string("without mpirun")
                                    : "mpirun -np " + std::to_string(saved_processes),
               "), or start over with --force");
    model.load_state_dict(without_prefix("model.", f.tensors));
    optimizer.load_state_dict(without_prefix("optimizer.", f.tensors));
    best_state = without_prefix("best.", f.tensors);
    epochs_done = static_cast<int64_t>(number("epoch"));
    batches_done = static_cast<int64_t>(number("batch"));
    best_epoch = static_cast<int64_t>(number("best_epoch"));
    best_score = number("best_score");
    bad_epochs = static_cast<int64_t>(number("bad_epochs"));
    epoch_seconds = number("epoch_seconds");
    sums = {};
    for (const auto& n : split_names(text("sums"))) sums.set(n, number("sum." + n));
    schedule = {};
    for (const auto& n : split_names(text("schedule"))) schedule.set(n, number("schedule." + n));
    const NamedTensors hist = without_prefix("history.", f.tensors);
    history.assign(static_cast<size_t>(epochs_done), Metrics{});
    for (const auto& c : split_names(text("history"))) {
        const Tensor* col = nullptr;
        for (const auto& [n, t] : hist) col = n == c ? &t : col;
        KAYA_CHECK(col && col->numel() == epochs_done, ParseError, path, ": history.", c,
                   " missing or not ", epochs_done, " long");
        const auto v = to_vector<double>(*col);
        for (size_t e = 0; e < v.size(); ++e) history[e].set(c, v[e]);
    }
    default_generator().set_state(static_cast<uint64_t>(std::stoull(text("rng_seed"))),
                                  static_cast<uint64_t>(std::stoull(text("rng_offset"))));
}

void write_history(const std::string& dir, const std::vector<Metrics>& history,
                   const Task::PlotAxis& axis) {
    const std::vector<std::string> cols = columns_of(history);
    std::ostringstream os;
    os << joined(cols) << "\n";
    for (const auto& row : history) {
        for (size_t i = 0; i < cols.size(); ++i) os << (i ? "," : "") << row.get(cols[i]);
        os << "\n";
    }
    io::write_file_atomic(dir + "/metrics.csv", os.str());
    Series tr{"training"}, va{"validation", {}, {}, true};
    auto [scale, xlabel] =
        axis.counts ? count_axis(history.empty() ? 0 : history.back().get(axis.column), axis.label)
                    : std::pair<double, std::string>{1.0, axis.label};
    for (const auto& row : history) {
        const double x = row.get(axis.column) * scale;
        tr.x.push_back(x);
        tr.y.push_back(row.get("train_loss"));
        va.x.push_back(x);
        va.y.push_back(row.get("val_loss"));
    }
    const std::string run = std::filesystem::path(dir).filename().string();
    io::write_file_atomic(dir + "/curves.svg",
                          line_plot_svg({tr, va}, {.title = "training and validation loss: " + run,
                                                   .xlabel = xlabel,
                                                   .ylabel = "loss",
                                                   .log_y = true}));
}

}  // namespace kaya::app
