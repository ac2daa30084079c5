// SPDX-License-Identifier: MIT
#include "apps/mlp/data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "kaya/data/dataset.h"
#include "kaya/io/csv.h"
#include "kaya/io/idx.h"
#include "kaya/ops/ops.h"

namespace kaya::mlp {

namespace {

// Rows of `x` at the indices of a split.
Tensor rows(const Tensor& x, const std::vector<int64_t>& idx) {
    return index_select(x, 0, from_vector(idx, {static_cast<int64_t>(idx.size())}));
}

// Seeded train/validation split of n examples; both parts must be non-empty.
std::pair<std::vector<int64_t>, std::vector<int64_t>> split_indices(int64_t n, double val_fraction,
                                                                    uint64_t seed,
                                                                    const std::string& what) {
    Generator g(seed);
    auto perm = to_vector<int64_t>(randperm(n, &g));
    int64_t nval = static_cast<int64_t>(std::round(val_fraction * static_cast<double>(n)));
    KAYA_CHECK(nval > 0 && nval < n, ValueError, what, " has ", n, " examples: data.val_fraction ",
               val_fraction, " leaves ", n - nval, " for training and ", nval,
               " for validation; both need at least one (more data, or another val_fraction)");
    std::vector<int64_t> val(perm.begin(), perm.begin() + nval),
        train(perm.begin() + nval, perm.end());
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

// Reads a CSV; a non-finite cell is an error naming file:line:column unless drop_nonfinite.
io::CsvTable load_table(const std::string& path, bool drop_nonfinite) {
    try {
        return io::read_csv(path, {.drop_nonfinite = drop_nonfinite});
    } catch (const ParseError& e) {
        const std::string what = e.what();
        if (what.find("finite") == std::string::npos) throw;
        throw ParseError(what + " (data.drop_nonfinite = true skips such rows)");
    }
}

PreparedData from_csv(const DataOptions& o) {
    PreparedData d;
    io::CsvTable table = load_table(o.path, o.drop_nonfinite);
    KAYA_CHECK(table.rows() > 0, ValueError, o.path, ": no data rows",
               table.dropped_rows ? " (every row has a non-finite value and was dropped)"
                                  : " (only a header?)");
    std::string target = o.target == "last" ? table.columns.back() : o.target;
    table.column(target);  // Validates the name.
    std::vector<std::string> features = o.features;
    if (features.empty()) {
        for (const auto& c : table.columns) {
            if (c != target && c != o.id_column) features.push_back(c);
        }
    }
    KAYA_CHECK(!features.empty(), ValueError, o.path, ": no feature columns besides the target '",
               target, "'");
    Tensor x = table.select(features, DType::Float32);
    Tensor y = table.select({target}, DType::Float32);  // (N, 1)
    auto [tr, va] = split_indices(table.rows(), o.val_fraction, o.seed, o.path);
    const int64_t k = o.select_k;
    if (k > 0 && k < static_cast<int64_t>(features.size())) {
        // Rank features by correlation with the target on the training rows only, so the
        // validation score stays honest.
        auto corr = abs_correlation(rows(x, tr), squeeze(rows(y, tr), 1));
        std::vector<int64_t> order(features.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return corr[a] > corr[b]; });
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
    if (o.normalize) d.normalizer = nn::Standardize::fit(xtr);
    if (!o.test_path.empty()) {
        io::CsvTable test = load_table(o.test_path, false);
        d.test_x = test.select(features, DType::Float32);
        auto ids = to_vector<double>(
            test.select({test.columns.front() == o.id_column ? o.id_column : test.columns.front()},
                        DType::Float64));
        for (double v : ids) d.test_ids.push_back(static_cast<int64_t>(v));
    }
    d.description =
        o.path + ": " + std::to_string(table.rows()) + " rows" +
        (table.dropped_rows ? " (" + std::to_string(table.dropped_rows) + " with NaN/inf dropped)"
                            : "") +
        ", " + std::to_string(d.num_features) + " features, target '" + target + "', " +
        std::to_string(tr.size()) + " train / " + std::to_string(va.size()) + " validation";
    return d;
}

PreparedData from_fashion_mnist(const DataOptions& o) {
    PreparedData d;
    const std::string& dir = o.dir;
    auto load = [&](const std::string& images, const std::string& labels, int64_t limit) {
        Tensor x = io::load_idx(dir + "/" + images, DType::Float32);
        Tensor y = io::load_idx(dir + "/" + labels, DType::Int64);
        if (limit > 0 && limit < x.shape()[0]) {
            x = narrow(x, 0, 0, limit);
            y = narrow(y, 0, 0, limit);
        }
        return std::pair{div(reshape(x, {x.shape()[0], -1}), 255.0), contiguous(y)};
    };
    auto [xall, yall] =
        load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", o.limit_train);
    auto [xte, yte] = load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", o.limit_test);
    // Validation (best epoch, early stopping) comes from the training images; the official
    // test images are only scored once, with the chosen weights.
    auto [tr, va] = split_indices(xall.shape()[0], o.val_fraction, o.seed, dir);
    Tensor xtr = rows(xall, tr), ytr = rows(yall, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, ytr});
    d.val =
        std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(xall, va), rows(yall, va)});
    d.test = std::make_shared<data::TensorDataset>(std::vector<Tensor>{contiguous(xte), yte});
    d.num_features = 784;
    d.num_classes = 10;
    if (o.normalize) {
        // One mean/std for all pixels, as the usual transforms.Normalize((0.286,), (0.353,)).
        Tensor m = full({784}, mean(xtr).item<double>()),
               s = full({784}, kaya::std(xtr).item<double>());
        d.normalizer = std::make_shared<nn::Standardize>(m, s);
    }
    d.description = dir + ": Fashion-MNIST, " + std::to_string(tr.size()) + " train / " +
                    std::to_string(va.size()) + " validation (of the training images) / " +
                    std::to_string(xte.shape()[0]) + " test images (28x28, 10 classes)";
    return d;
}

// y = sum_j a_j sin(b_j x_j) + c . x + noise: smooth, non-linear, known optimum (the noise).
PreparedData from_synthetic(const DataOptions& o) {
    PreparedData d;
    const int64_t n = o.rows, f = o.num_features;
    const double noise = o.noise;
    Generator g(o.seed);
    Tensor x = uniform({n, f}, -2, 2, DType::Float32, &g);
    Tensor a = uniform({f}, 0.5, 1.5, DType::Float32, &g),
           b = uniform({f}, 0.5, 2.0, DType::Float32, &g);
    Tensor c = uniform({f}, -0.5, 0.5, DType::Float32, &g);
    Tensor y = add(sum(mul(a, sin(mul(x, b))), {1}), sum(mul(x, c), {1}));
    y = unsqueeze(add(y, mul(randn({n}, DType::Float32, &g), noise)), 1);
    auto [tr, va] = split_indices(n, o.val_fraction, o.seed, "synthetic data");
    Tensor xtr = rows(x, tr);
    d.train = std::make_shared<data::TensorDataset>(std::vector<Tensor>{xtr, rows(y, tr)});
    d.val = std::make_shared<data::TensorDataset>(std::vector<Tensor>{rows(x, va), rows(y, va)});
    d.num_features = f;
    for (int64_t j = 0; j < f; ++j) d.feature_names.push_back("x" + std::to_string(j));
    d.target = "y";
    d.train_rows = tr;
    d.val_rows = va;
    if (o.normalize) d.normalizer = nn::Standardize::fit(xtr);
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "synthetic: %lld rows, %lld features, y = sum a sin(b x) + c.x + N(0, %.3g^2)",
                  static_cast<long long>(n), static_cast<long long>(f), noise);
    d.description = buf;
    return d;
}

std::shared_ptr<nn::Module> activation(const std::string& name) {
    if (name == "relu") return std::make_shared<nn::ReLU>();
    if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
    if (name == "hardsigmoid") return std::make_shared<nn::HardSigmoid>();
    if (name == "tanh") return std::make_shared<nn::Tanh>();
    if (name == "gelu") return std::make_shared<nn::GELU>();
    return std::make_shared<nn::SiLU>();  // ModelOptions::read admits nothing else.
}

}  // namespace

DataOptions DataOptions::read(const app::Config& cfg) {
    DataOptions o;
    o.source = cfg.get_choice("data.source", o.source, {"csv", "fashion_mnist", "synthetic"});
    o.val_fraction = cfg.get_double("data.val_fraction", o.val_fraction, 0, 1);
    if (o.val_fraction <= 0 || o.val_fraction >= 1)
        cfg.fail("data.val_fraction",
                 "data.val_fraction must be between 0 and 1 (exclusive): the run needs a "
                 "validation set");
    o.seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0));
    o.normalize = cfg.get_bool("data.normalize", o.normalize);
    if (o.source == "csv") {
        o.path = cfg.require_string("data.path");
        o.target = cfg.get_string("data.target", o.target);
        o.id_column = cfg.get_string("data.id_column", o.id_column);
        o.test_path = cfg.get_string("data.test_path", o.test_path);
        o.features = cfg.get_strings("data.features", o.features);
        o.select_k = cfg.get_int("data.select_k", o.select_k, 0);
        o.drop_nonfinite = cfg.get_bool("data.drop_nonfinite", o.drop_nonfinite);
    } else if (o.source == "fashion_mnist") {
        o.dir = cfg.get_string("data.dir", o.dir);
        o.limit_train = cfg.get_int("data.limit_train", o.limit_train, 0);
        o.limit_test = cfg.get_int("data.limit_test", o.limit_test, 0);
    } else {
        o.rows = cfg.get_int("data.rows", o.rows, 2);
        o.num_features = cfg.get_int("data.features", o.num_features, 1);
        o.noise = cfg.get_double("data.noise", o.noise, 0, INFINITY);
    }
    return o;
}

PreparedData prepare_data(const DataOptions& o) {
    if (o.source == "csv") return from_csv(o);
    if (o.source == "fashion_mnist") return from_fashion_mnist(o);
    return from_synthetic(o);
}

ModelOptions ModelOptions::read(const app::Config& cfg) {
    ModelOptions o;
    if (cfg.has("model.depth")) {
        // A plain deep network of `depth` Linear layers (depth - 1 hidden ones of one width),
        // the form the course's depth comparison uses (5, 20, 56 layers).
        if (cfg.has("model.hidden"))
            cfg.fail("model.depth", "give model.hidden (the sizes) or model.depth with"
                                    " model.width, not both");
        int64_t depth = cfg.get_int("model.depth", 2, 1, 1000);
        int64_t width = cfg.get_int("model.width", 64, 1, 1 << 20);
        o.hidden.assign(static_cast<size_t>(depth - 1), width);
    } else {
        if (cfg.has("model.width")) cfg.fail("model.width", "model.width needs model.depth");
        o.hidden = cfg.get_ints("model.hidden", o.hidden);
    }
    for (int64_t h : o.hidden) {
        if (h <= 0)
            cfg.fail("model.hidden",
                     "model.hidden sizes must be positive, got " + std::to_string(h));
    }
    o.activation = cfg.get_choice("model.activation", o.activation,
                                  {"relu", "sigmoid", "hardsigmoid", "tanh", "gelu", "silu"});
    o.dropout = cfg.get_double("model.dropout", o.dropout, 0, 0.999);
    return o;
}

std::shared_ptr<nn::Sequential> build_mlp(const ModelOptions& o, const PreparedData& d) {
    auto model = std::make_shared<nn::Sequential>();
    if (d.normalizer) model->push_back(d.normalizer);
    int64_t in = d.num_features;
    for (int64_t h : o.hidden) {
        model->push_back(std::make_shared<nn::Linear>(in, h));
        model->push_back(activation(o.activation));
        if (o.dropout > 0) model->push_back(std::make_shared<nn::Dropout>(o.dropout));
        in = h;
    }
    model->push_back(std::make_shared<nn::Linear>(in, d.num_classes ? d.num_classes : 1));
    return model;
}

}  // namespace kaya::mlp
