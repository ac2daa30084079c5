// SPDX-License-Identifier: MIT
#include "apps/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <tuple>

#include "apps/train/plot.h"
#include "apps/train/progress.h"
#include "apps/train/task.h"
#include "kaya/data/dataloader.h"
#include "kaya/io/file.h"
#include "kaya/io/json.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

namespace fs = std::filesystem;

// Loss of a batch: cross-entropy on logits (classification), MSE (regression), or with
// train.loss = "mse" for classification, squared error between softmax and one-hot targets
// summed over classes, averaged over the batch (the notes' comparison of the two).
Tensor loss_of(const Tensor& out, const Tensor& target, bool classification, bool mse_onehot) {
    if (!classification) return nn::mse_loss(out, target);
    if (mse_onehot) {
        Tensor onehot = to(one_hot(target, out.shape()[1]), out.dtype());
        return mul(nn::mse_loss(softmax(out, 1), onehot), static_cast<double>(out.shape()[1]));
    }
    return nn::cross_entropy(out, target);
}

// Mean loss (and accuracy) over a dataset, in eval mode without a graph.
std::pair<double, double> evaluate(nn::Module& model, const data::TensorDataset& ds, bool classification,
                                   bool mse_onehot) {
    autograd::NoGradGuard no_grad;
    model.eval();
    data::DataLoader loader(std::make_shared<data::TensorDataset>(ds), {.batch_size = 1024, .prefetch = false});
    double total = 0, correct = 0;
    for (const auto& b : loader.epoch(0)) {
        Tensor out = model(b[0]);
        const double n = static_cast<double>(b[0].shape()[0]);
        total += loss_of(out, b[1], classification, mse_onehot).item<double>() * n;
        if (classification) correct += static_cast<double>(sum(eq(argmax(out, 1), b[1])).item<int64_t>());
    }
    model.train();
    const double n = static_cast<double>(ds.size());
    return {total / n, classification ? correct / n : -1.0};
}

Tensor history_column(const std::vector<EpochRecord>& h, double EpochRecord::*field) {
    std::vector<double> v;
    for (const auto& r : h) v.push_back(r.*field);
    return from_vector(v, {static_cast<int64_t>(v.size())});
}

void write_metrics(const std::string& dir, const std::vector<EpochRecord>& h, bool classification) {
    std::ostringstream os;
    os << "epoch,train_loss,val_loss" << (classification ? ",val_accuracy" : "") << ",lr,seconds\n";
    for (const auto& r : h) {
        os << r.epoch << "," << r.train_loss << "," << r.val_loss;
        if (classification) os << "," << r.val_accuracy;
        os << "," << r.lr << "," << r.seconds << "\n";
    }
    io::write_file_atomic(dir + "/metrics.csv", os.str());
    Series tr{"train"}, va{"validation", {}, {}, true};
    for (const auto& r : h) {
        tr.x.push_back(static_cast<double>(r.epoch));
        tr.y.push_back(r.train_loss);
        va.x.push_back(static_cast<double>(r.epoch));
        va.y.push_back(r.val_loss);
    }
    io::write_file_atomic(dir + "/curves.svg",
                          line_plot_svg({tr, va}, {.title = "loss per epoch", .xlabel = "epoch",
                                                   .ylabel = classification ? "cross-entropy" : "MSE",
                                                   .log_y = true}));
}

// split.json: the features and the exact train/validation rows, so the same split can be
// reproduced elsewhere (tools/covid_torch.py trains PyTorch on it).
void write_split(const std::string& dir, const PreparedData& d) {
    auto list = [](const auto& v, auto item) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
        return s + "]";
    };
    auto quote = [](const std::string& s) { return io::json_quote(s); };
    auto num = [](int64_t v) { return std::to_string(v); };
    std::string j = "{\n  \"target\": " + io::json_quote(d.target) + ",\n  \"features\": " +
                    list(d.feature_names, quote) + ",\n  \"train_rows\": " + list(d.train_rows, num) +
                    ",\n  \"val_rows\": " + list(d.val_rows, num) + "\n}\n";
    io::write_file_atomic(dir + "/split.json", j);
}

// The course's submission format names the column after the target without pandas' ".N"
// suffix for repeated names (tested_positive.4 -> tested_positive).
std::string prediction_column(const Config& cfg, const std::string& target) {
    std::string def = target.empty() ? "prediction" : target;
    auto dot = def.rfind('.');
    if (dot != std::string::npos && dot + 1 < def.size() &&
        def.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
        def = def.substr(0, dot);
    }
    return cfg.get_string("output.prediction_column", def);
}

}  // namespace

NamedTensors with_prefix(const std::string& prefix, const NamedTensors& in) {
    NamedTensors out;
    for (const auto& [n, t] : in) out.emplace_back(prefix + n, t);
    return out;
}

NamedTensors without_prefix(const std::string& prefix, const NamedTensors& in) {
    NamedTensors out;
    for (const auto& [n, t] : in) {
        if (n.rfind(prefix, 0) == 0) out.emplace_back(n.substr(prefix.size()), t);
    }
    return out;
}

RunResult train(const Config& cfg, const RunOptions& opt) {
    RunResult res;
    res.dir = cfg.get_string("output.dir", "runs/" + fs::path(cfg.source()).stem().string());
    fs::create_directories(res.dir);
    const uint64_t seed = static_cast<uint64_t>(cfg.get_int("train.seed", 0));
    manual_seed(seed);  // Model initialisation and dropout draw from the default generator.

    PreparedData data = prepare_data(cfg);
    const bool classification = data.num_classes > 0;
    auto model = build_model(cfg, data);
    auto optimizer = build_optimizer(cfg, model->parameters());
    auto schedule = build_schedule(cfg, *optimizer);
    std::unique_ptr<optim::ReduceLROnPlateau> plateau;
    if (cfg.get_string("train.schedule", "none") == "plateau") {
        plateau = std::make_unique<optim::ReduceLROnPlateau>(*optimizer, optim::PlateauOptions{
            .factor = cfg.get_double("train.gamma", 0.5), .patience = cfg.get_int("train.plateau_patience", 5)});
    }
    res.data_description = data.description;
    res.model_summary = model->summary();
    res.num_parameters = model->num_parameters();

    const int64_t epochs = cfg.get_int("train.epochs", 10);
    const int64_t patience = cfg.get_int("train.patience", 0);
    const double clip = cfg.get_double("train.clip_norm", 0.0);
    const std::string loss_name = cfg.get_string("train.loss", classification ? "cross_entropy" : "mse");
    KAYA_CHECK(loss_name == "mse" || (classification && loss_name == "cross_entropy"), ValueError,
               cfg.source(), ": train.loss '", loss_name, "' must be mse",
               classification ? " or cross_entropy" : " for regression");
    const bool mse_onehot = classification && loss_name == "mse";
    data::DataLoader loader(data.train, {.batch_size = cfg.get_int("train.batch_size", 64), .shuffle = true,
                                         .seed = seed, .drop_last = false});
    int64_t start_epoch = 1, bad_epochs = 0;
    res.best_val_loss = INFINITY;
    NamedTensors best_state;
    const std::string ckpt = res.dir + "/checkpoint.safetensors";

    if (opt.resume) {
        KAYA_CHECK(fs::exists(ckpt), IoError, ckpt, ": no checkpoint to resume from");
        auto f = io::load_safetensors(ckpt);
        model->load_state_dict(without_prefix("model.", f.tensors));
        optimizer->load_state_dict(without_prefix("optimizer.", f.tensors));
        best_state = without_prefix("best.", f.tensors);
        auto m = [&](const std::string& k) { return std::stod(f.metadata.at(k)); };
        start_epoch = static_cast<int64_t>(m("epoch")) + 1;
        bad_epochs = static_cast<int64_t>(m("bad_epochs"));
        res.best_epoch = static_cast<int64_t>(m("best_epoch"));
        res.best_val_loss = m("best_val_loss");
        default_generator().set_state(std::stoull(f.metadata.at("rng_seed")), std::stoull(f.metadata.at("rng_offset")));
        NamedTensors hist = without_prefix("history.", f.tensors);
        for (int64_t e = 0; e < start_epoch - 1; ++e) {
            auto at = [&](const std::string& k) {
                for (auto& [n, t] : hist) {
                    if (n == k) return to_vector<double>(t)[e];
                }
                throw ParseError(ckpt + ": history." + k + " missing");
            };
            res.history.push_back({e + 1, at("train_loss"), at("val_loss"), at("val_accuracy"), at("lr"), at("seconds")});
        }
        if (schedule) schedule->set_epoch(start_epoch - 1);
        if (opt.verbose) std::printf("resuming %s at epoch %lld\n", res.dir.c_str(), static_cast<long long>(start_epoch));
    } else {
        io::write_file_atomic(res.dir + "/config.toml", cfg.dump());
        if (!data.train_rows.empty()) write_split(res.dir, data);
    }

    for (int64_t epoch = start_epoch; epoch <= epochs; ++epoch) {
        if (patience > 0 && bad_epochs >= patience) break;
        auto t0 = std::chrono::steady_clock::now();
        Progress bar("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs), loader.num_batches(), "batch");
        double loss_sum = 0;
        int64_t seen = 0, b = 0;
        model->train();
        for (const auto& batch : loader.epoch(epoch)) {
            optimizer->zero_grad();
            Tensor loss = loss_of((*model)(batch[0]), batch[1], classification, mse_onehot);
            autograd::backward(loss);
            if (clip > 0) optim::clip_grad_norm_(model->parameters(), clip);
            optimizer->step();
            const double l = loss.item<double>();
            KAYA_CHECK(std::isfinite(l), ValueError, "training diverged at epoch ", epoch, " batch ", b,
                       ": loss is ", l, " (lower train.lr?)");
            loss_sum += l * static_cast<double>(batch[0].shape()[0]);
            seen += batch[0].shape()[0];
            char status[64];
            std::snprintf(status, sizeof status, "loss %.4g", loss_sum / static_cast<double>(seen));
            bar.update(++b, status);
        }
        bar.finish();
        auto [val_loss, val_acc] = evaluate(*model, *data.val, classification, mse_onehot);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        res.history.push_back({epoch, loss_sum / static_cast<double>(seen), val_loss, val_acc, optimizer->lr(), secs});
        if (val_loss < res.best_val_loss) {
            res.best_val_loss = val_loss;
            res.best_epoch = epoch;
            bad_epochs = 0;
            best_state.clear();
            for (auto& [n, t] : model->state_dict()) best_state.emplace_back(n, clone(t));
        } else {
            ++bad_epochs;
        }
        if (schedule) schedule->step();
        if (plateau) plateau->step(val_loss);
        if (opt.verbose) {
            std::printf("epoch %3lld  train %.5g  val %.5g", static_cast<long long>(epoch),
                        res.history.back().train_loss, val_loss);
            if (classification) std::printf("  acc %.2f%%", 100 * val_acc);
            std::printf("  lr %.3g  %.1fs\n", res.history.back().lr, secs);
            std::fflush(stdout);
        }
        // Checkpoint: weights, optimizer, best weights, history, RNG and loop state.
        NamedTensors all = with_prefix("model.", model->state_dict());
        for (auto& kv : with_prefix("optimizer.", optimizer->state_dict())) all.push_back(kv);
        for (auto& kv : with_prefix("best.", best_state)) all.push_back(kv);
        all.emplace_back("history.train_loss", history_column(res.history, &EpochRecord::train_loss));
        all.emplace_back("history.val_loss", history_column(res.history, &EpochRecord::val_loss));
        all.emplace_back("history.val_accuracy", history_column(res.history, &EpochRecord::val_accuracy));
        all.emplace_back("history.lr", history_column(res.history, &EpochRecord::lr));
        all.emplace_back("history.seconds", history_column(res.history, &EpochRecord::seconds));
        char best_buf[64];
        std::snprintf(best_buf, sizeof best_buf, "%.17g", res.best_val_loss);
        io::save_safetensors(ckpt, all, {{"epoch", std::to_string(epoch)}, {"bad_epochs", std::to_string(bad_epochs)},
                                         {"best_epoch", std::to_string(res.best_epoch)}, {"best_val_loss", best_buf},
                                         {"rng_seed", std::to_string(default_generator().seed())},
                                         {"rng_offset", std::to_string(default_generator().offset())}});
        write_metrics(res.dir, res.history, classification);
        if (epoch == opt.stop_after) return res;
    }
    res.stopped_early = patience > 0 && bad_epochs >= patience && res.history.size() < static_cast<size_t>(epochs);
    io::save_safetensors(res.dir + "/model.safetensors", best_state.empty() ? model->state_dict() : best_state,
                         {{"format", "pt"}});
    // The test set and the prediction file both see the best weights.
    if (!best_state.empty()) model->load_state_dict(best_state);
    if (data.test) {
        std::tie(res.test_loss, res.test_accuracy) =
            evaluate(*model, *data.test, classification, mse_onehot);
        char json[256];
        std::snprintf(json, sizeof json,
                      "{\"best_epoch\": %lld, \"test_loss\": %.9g, \"test_accuracy\": %.9g}\n",
                      static_cast<long long>(res.best_epoch), res.test_loss, res.test_accuracy);
        io::write_file_atomic(res.dir + "/test.json", json);
        if (opt.verbose) {
            std::printf("test (best epoch %lld): loss %.5g", static_cast<long long>(res.best_epoch),
                        res.test_loss);
            if (classification) std::printf("  acc %.2f%%", 100 * res.test_accuracy);
            std::printf("\n");
        }
    }
    if (data.test_x.defined()) {
        autograd::NoGradGuard no_grad;
        model->eval();
        auto pred = to_vector<double>((*model)(data.test_x));
        std::ostringstream os;
        os << "id," << prediction_column(cfg, data.target) << "\n";
        for (size_t i = 0; i < pred.size(); ++i) os << data.test_ids[i] << "," << pred[i] << "\n";
        io::write_file_atomic(res.dir + "/predictions.csv", os.str());
    }
    return res;
}

}  // namespace kaya::app
