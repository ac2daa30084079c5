// SPDX-License-Identifier: MIT
#include "apps/train/task.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "kaya/data/dataset.h"
#include "kaya/io/csv.h"
#include "kaya/io/idx.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

// Rows of `x` at the indices of a split.
Tensor rows(const Tensor& x, const std::vector<int64_t>& idx) {
    return index_select(x, 0, from_vector(idx, {static_cast<int64_t>(idx.size())}));
}

// Seeded train/validation split of n examples.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_indices(int64_t n, double val_fraction, uint64_t seed) {
    KAYA_CHECK(val_fraction >= 0 && val_fraction < 1, ValueError,
               "data.val_fraction must be in [0, 1), got ", val_fraction);
    Generator g(seed);
    auto perm = to_vector<int64_t>(randperm(n, &g));
    int64_t nval = static_cast<int64_t>(std::round(val_fraction * static_cast<double>(n)));
    std::vector<int64_t> val(perm.begin(), perm.begin() + nval), train(perm.begin() + nval, perm.end());
    return {train, val};
}

// |Pearson correlation| of each column of x with y, on the given rows.
std::vector<double> abs_correlation(const Tensor& x, const Tensor& y) {
    Tensor xc = sub(x, mean(x, {0}, true)), yc = sub(y, mean(y));
    Tensor cov = sum(mul(xc, unsqueeze(yc, 1)), {0});
    Tensor denom = mul(sqrt(sum(mul(xc, xc), {0})), sqrt(sum(mul(yc, yc))));
    auto c = to_vector<double>(div(cov, add(denom, 1e-12)));
    for (auto& v : c) v = std::abs(v);
    return c;
}

PreparedData from_csv(const Config& cfg) {
    PreparedData d;
    const std::string path = cfg.require_string("data.path");
    io::CsvTable table = io::read_csv(path);
    const std::string id_col = cfg.get_string("data.id_column", "id");
    std::string target = cfg.get_string("data.target", "last");
    if (target == "last") target = table.columns.back();
    table.column(target);  // Validates the name.
    std::vector<std::string> features = cfg.get_strings("data.features", {});
    if (features.empty()) {
        for (const auto& c : table.columns) {
            if (c != target && c != id_col) features.push_back(c);
        }
    }
    Tensor x = table.select(features, DType::Float32);
    Tensor y = table.select({target}, DType::Float32);  // (N, 1)
    auto [tr, va] = split_indices(table.rows(), cfg.get_double("data.val_fraction", 0.2),
                                  static_cast<uint64_t>(cfg.get_int("data.seed", 0)));
    const int64_t k = cfg.get_int("data.select_k", 0);
    if (k > 0 && k < static_cast<int64_t>(features.size())) {
        // Rank features by correlation with the target on the training rows only, so the
        // validation score stays honest.
        auto corr = abs_correlation(rows(x, tr), squeeze(rows(y, tr), 1));
        std::vector<int64_t> order(features.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return corr[a] > corr[b]; });
        order.resize(k);
        std::sort(order.begin(), order.end());
        std::vector<std::string> kept;
        for (int64_t i : order) kept.push_back(features[i]);
        features = kept;
        x = table.select(features, DType::Float32);
    }
    d.feature_names = features;
    d.target = target;
    d.train_rows = tr;
    d.val_rows = va;
    d.num_features = static_cast<int64_t>(features.size());
    Tensor xtr = rows(x, tr), ytr = rows(y, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, ytr});
    d.val = std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(x, va), rows(y, va)});
    if (cfg.get_bool("data.normalize", true)) d.normalizer = nn::Standardize::fit(xtr);
    const std::string test_path = cfg.get_string("data.test_path", "");
    if (!test_path.empty()) {
        io::CsvTable test = io::read_csv(test_path);
        d.test_x = test.select(features, DType::Float32);
        auto ids = to_vector<double>(test.select({test.columns.front() == id_col ? id_col : test.columns.front()}, DType::Float64));
        for (double v : ids) d.test_ids.push_back(static_cast<int64_t>(v));
    }
    d.description = path + ": " + std::to_string(table.rows()) + " rows, " +
                    std::to_string(d.num_features) + " features, target '" + target + "', " +
                    std::to_string(tr.size()) + " train / " + std::to_string(va.size()) + " validation";
    return d;
}

PreparedData from_fashion_mnist(const Config& cfg) {
    PreparedData d;
    const std::string dir = cfg.get_string("data.dir", "/usr/share/datasets/fashion-mnist");
    auto load = [&](const std::string& images, const std::string& labels, int64_t limit) {
        Tensor x = io::load_idx(dir + "/" + images, DType::Float32);
        Tensor y = io::load_idx(dir + "/" + labels, DType::Int64);
        if (limit > 0 && limit < x.shape()[0]) {
            x = narrow(x, 0, 0, limit);
            y = narrow(y, 0, 0, limit);
        }
        return std::pair{div(reshape(x, {x.shape()[0], -1}), 255.0), contiguous(y)};
    };
    auto [xall, yall] = load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                             cfg.get_int("data.limit_train", 0));
    auto [xte, yte] = load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", cfg.get_int("data.limit_test", 0));
    // Validation (best epoch, early stopping) comes from the training images; the official
    // test images are only scored once, with the chosen weights.
    auto [tr, va] = split_indices(xall.shape()[0], cfg.get_double("data.val_fraction", 0.2),
                                  static_cast<uint64_t>(cfg.get_int("data.seed", 0)));
    Tensor xtr = rows(xall, tr), ytr = rows(yall, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, ytr});
    d.val =
        std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(xall, va), rows(yall, va)});
    d.test = std::make_shared<data::TensorDataset>(std::vector<Tensor>{contiguous(xte), yte});
    d.num_features = 784;
    d.num_classes = 10;
    if (cfg.get_bool("data.normalize", true)) {
        // One mean/std for all pixels, as the usual transforms.Normalize((0.286,), (0.353,)).
        Tensor m = full({784}, mean(xtr).item<double>()), s = full({784}, kaya::std(xtr).item<double>());
        d.normalizer = std::make_shared<nn::Standardize>(m, s);
    }
    d.description = dir + ": Fashion-MNIST, " + std::to_string(tr.size()) + " train / " +
                    std::to_string(va.size()) + " validation (of the training images) / " +
                    std::to_string(xte.shape()[0]) + " test images (28x28, 10 classes)";
    return d;
}

// y = sum_j a_j sin(b_j x_j) + c . x + noise: smooth, non-linear, known optimum (the noise).
PreparedData from_synthetic(const Config& cfg) {
    PreparedData d;
    const int64_t n = cfg.get_int("data.rows", 2000), f = cfg.get_int("data.features", 8);
    const double noise = cfg.get_double("data.noise", 0.1);
    Generator g(static_cast<uint64_t>(cfg.get_int("data.seed", 0)));
    Tensor x = uniform({n, f}, -2, 2, DType::Float32, &g);
    Tensor a = uniform({f}, 0.5, 1.5, DType::Float32, &g), b = uniform({f}, 0.5, 2.0, DType::Float32, &g);
    Tensor c = uniform({f}, -0.5, 0.5, DType::Float32, &g);
    Tensor y = add(sum(mul(a, sin(mul(x, b))), {1}), sum(mul(x, c), {1}));
    y = unsqueeze(add(y, mul(randn({n}, DType::Float32, &g), noise)), 1);
    auto [tr, va] = split_indices(n, cfg.get_double("data.val_fraction", 0.2), static_cast<uint64_t>(cfg.get_int("data.seed", 0)));
    Tensor xtr = rows(x, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, rows(y, tr)});
    d.val = std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(x, va), rows(y, va)});
    d.num_features = f;
    for (int64_t j = 0; j < f; ++j) d.feature_names.push_back("x" + std::to_string(j));
    d.target = "y";
    d.train_rows = tr;
    d.val_rows = va;
    if (cfg.get_bool("data.normalize", true)) d.normalizer = nn::Standardize::fit(xtr);
    char buf[160];
    std::snprintf(buf, sizeof buf, "synthetic: %lld rows, %lld features, y = sum a sin(b x) + c.x + N(0, %.3g^2)",
                  static_cast<long long>(n), static_cast<long long>(f), noise);
    d.description = buf;
    return d;
}

std::shared_ptr<nn::Module> activation(const std::string& name, const Config& cfg) {
    if (name == "relu") return std::make_shared<nn::ReLU>();
    if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
    if (name == "hardsigmoid") return std::make_shared<nn::HardSigmoid>();
    if (name == "tanh") return std::make_shared<nn::Tanh>();
    if (name == "gelu") return std::make_shared<nn::GELU>();
    if (name == "silu") return std::make_shared<nn::SiLU>();
    throw ValueError(cfg.source() + ": model.activation '" + name +
                     "' is not one of relu, sigmoid, hardsigmoid, tanh, gelu, silu");
}

}  // namespace

PreparedData prepare_data(const Config& cfg) {
    const std::string source = cfg.get_string("data.source", "csv");
    PreparedData d;
    if (source == "csv") {
        d = from_csv(cfg);
    } else if (source == "fashion_mnist") {
        d = from_fashion_mnist(cfg);
    } else if (source == "synthetic") {
        d = from_synthetic(cfg);
    } else {
        throw ValueError(cfg.source() + ": data.source '" + source + "' is not one of csv, fashion_mnist, synthetic");
    }
    const std::string kind = cfg.get_string("task.kind", d.num_classes ? "classification" : "regression");
    KAYA_CHECK((kind == "classification") == (d.num_classes > 0), ValueError, cfg.source(),
               ": task.kind '", kind, "' does not fit data.source '", source, "'");
    return d;
}

std::shared_ptr<nn::Sequential> build_model(const Config& cfg, const PreparedData& d) {
    auto model = std::make_shared<nn::Sequential>();
    if (d.normalizer) model->push_back(d.normalizer);
    int64_t in = d.num_features;
    const std::string act = cfg.get_string("model.activation", "relu");
    const double p = cfg.get_double("model.dropout", 0.0);
    for (int64_t h : cfg.get_ints("model.hidden", {64, 64})) {
        KAYA_CHECK(h > 0, ValueError, cfg.source(), ": model.hidden sizes must be positive, got ", h);
        model->push_back(std::make_shared<nn::Linear>(in, h));
        model->push_back(activation(act, cfg));
        if (p > 0) model->push_back(std::make_shared<nn::Dropout>(p));
        in = h;
    }
    model->push_back(std::make_shared<nn::Linear>(in, d.num_classes ? d.num_classes : 1));
    return model;
}

std::unique_ptr<optim::Optimizer> build_optimizer(const Config& cfg, const std::vector<Tensor>& params) {
    const std::string name = cfg.get_string("train.optimizer", "adam");
    const double wd = cfg.get_double("train.weight_decay", 0.0);
    if (name == "sgd" || name == "momentum" || name == "nesterov") {
        double mom = cfg.get_double("train.momentum", name == "sgd" ? 0.0 : 0.9);
        return std::make_unique<optim::SGD>(params, optim::SGDOptions{.lr = cfg.get_double("train.lr", 0.01),
                                                                      .momentum = mom, .weight_decay = wd,
                                                                      .nesterov = name == "nesterov"});
    }
    if (name == "adagrad") {
        return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions{.lr = cfg.get_double("train.lr", 0.01), .weight_decay = wd});
    }
    if (name == "rmsprop") {
        return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions{
            .lr = cfg.get_double("train.lr", 0.001), .alpha = cfg.get_double("train.alpha", 0.99),
            .weight_decay = wd, .momentum = cfg.get_double("train.momentum", 0.0)});
    }
    if (name == "adam" || name == "adamw") {
        optim::AdamOptions o{.lr = cfg.get_double("train.lr", 0.001),
                             .betas = {cfg.get_double("train.beta1", 0.9), cfg.get_double("train.beta2", 0.999)},
                             .weight_decay = wd, .amsgrad = cfg.get_bool("train.amsgrad", false)};
        if (name == "adamw") return std::make_unique<optim::AdamW>(params, o);
        return std::make_unique<optim::Adam>(params, o);
    }
    throw ValueError(cfg.source() + ": train.optimizer '" + name +
                     "' is not one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw");
}

std::unique_ptr<optim::LRScheduler> build_schedule(const Config& cfg, optim::Optimizer& opt) {
    const std::string s = cfg.get_string("train.schedule", "none");
    if (s == "none" || s == "plateau") return nullptr;
    if (s == "step") {
        return std::make_unique<optim::StepLR>(opt, cfg.get_int("train.step_size", 10), cfg.get_double("train.gamma", 0.5));
    }
    if (s == "exponential") return std::make_unique<optim::ExponentialLR>(opt, cfg.get_double("train.gamma", 0.95));
    if (s == "cosine") {
        return std::make_unique<optim::CosineAnnealingLR>(opt, cfg.get_int("train.epochs", 10), cfg.get_double("train.eta_min", 0.0));
    }
    if (s == "warmup_cosine") {
        return std::make_unique<optim::WarmupDecayLR>(opt, cfg.get_int("train.warmup", 2),
                                                      optim::WarmupDecayLR::Decay::Cosine,
                                                      cfg.get_int("train.epochs", 10) + 1);
    }
    throw ValueError(cfg.source() + ": train.schedule '" + s +
                     "' is not one of none, step, exponential, cosine, warmup_cosine, plateau");
}

}  // namespace kaya::app
