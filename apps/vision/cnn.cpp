// SPDX-License-Identifier: MIT
#include "apps/vision/cnn.h"

#include <sstream>

#include "apps/train/metadata.h"

#include "kaya/ops/ops.h"

namespace kaya::vision {

namespace {

std::string text(double v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    return os.str();
}

void check_sizes(const app::Config& cfg, const std::string& key, const std::vector<int64_t>& v) {
    for (int64_t c : v) {
        if (c <= 0 || c > 65536) cfg.fail(key, key + " sizes must be in [1, 65536], got " + std::to_string(c));
    }
}

}  // namespace

CnnOptions CnnOptions::read(const app::Config& cfg) {
    CnnOptions o;
    o.channels = cfg.get_ints("model.channels", o.channels);
    if (o.channels.empty()) cfg.fail("model.channels", "model.channels needs at least one stage");
    check_sizes(cfg, "model.channels", o.channels);
    o.convs = cfg.get_int("model.convs", o.convs, 1, 16);
    o.kernel = cfg.get_int("model.kernel", o.kernel, 1, 15);
    if (o.kernel % 2 == 0) cfg.fail("model.kernel", "model.kernel must be odd ('same' padding), got " + std::to_string(o.kernel));
    o.pool = cfg.get_choice("model.pool", o.pool, {"max", "avg", "stride", "none"});
    o.batch_norm = cfg.get_bool("model.batch_norm", o.batch_norm);
    o.dropout = cfg.get_double("model.dropout", o.dropout, 0, 0.95);
    o.hidden = cfg.get_ints("model.hidden", o.hidden);
    check_sizes(cfg, "model.hidden", o.hidden);
    o.head_dropout = cfg.get_double("model.head_dropout", o.head_dropout, 0, 0.95);
    return o;
}

std::map<std::string, std::string> CnnOptions::metadata() const {
    return {{"cnn.channels", app::join_sizes(channels)},   {"cnn.convs", std::to_string(convs)},
            {"cnn.kernel", std::to_string(kernel)}, {"cnn.pool", pool},
            {"cnn.batch_norm", batch_norm ? "1" : "0"}, {"cnn.dropout", text(dropout)},
            {"cnn.hidden", app::join_sizes(hidden)},       {"cnn.head_dropout", text(head_dropout)}};
}

CnnOptions CnnOptions::from_metadata(const std::map<std::string, std::string>& m, const std::string& source) {
    const app::MetadataReader r(m, source, "a model file of `kaya train` with task.kind = 'image_classifier'");
    CnnOptions o;
    o.channels = r.sizes("cnn.channels");
    o.convs = r.number<int64_t>("cnn.convs");
    o.kernel = r.number<int64_t>("cnn.kernel");
    o.pool = r.text("cnn.pool");
    o.batch_norm = r.number<int>("cnn.batch_norm") != 0;
    o.dropout = r.number<double>("cnn.dropout");
    o.hidden = r.text("cnn.hidden").empty() ? std::vector<int64_t>{} : r.sizes("cnn.hidden");
    o.head_dropout = r.number<double>("cnn.head_dropout");
    KAYA_CHECK(!o.channels.empty() && o.convs >= 1 && o.kernel >= 1 && o.kernel % 2 == 1 &&
                   (o.pool == "max" || o.pool == "avg" || o.pool == "stride" || o.pool == "none"),
               ParseError, source, ": metadata describes no valid network (cnn.*)");
    return o;
}

std::shared_ptr<nn::Sequential> build_cnn(const CnnOptions& o, const ImageShape& input, int64_t classes,
                                          const std::vector<double>& mean, const std::vector<double>& std) {
    KAYA_CHECK(static_cast<int64_t>(mean.size()) == input.channels &&
                   static_cast<int64_t>(std.size()) == input.channels,
               ValueError, "build_cnn: one mean and std per input channel needed (", input.channels, ")");
    auto model = std::make_shared<nn::Sequential>();
    model->push_back(std::make_shared<nn::Standardize>(
        from_vector<float>(std::vector<float>(mean.begin(), mean.end()), {input.channels, 1, 1}),
        from_vector<float>(std::vector<float>(std.begin(), std.end()), {input.channels, 1, 1})));
    int64_t in = input.channels, h = input.height, w = input.width;
    for (int64_t c : o.channels) {
        const bool shrink = o.pool != "none";
        KAYA_CHECK(!shrink || (h >= 2 && w >= 2), ValueError, "the image (", input.height, "x",
                   input.width, ") is too small for ", o.channels.size(),
                   " stages that each halve it: use fewer model.channels or model.pool = 'none'");
        for (int64_t i = 0; i < o.convs; ++i) {
            const int64_t stride = o.pool == "stride" && i + 1 == o.convs ? 2 : 1;
            model->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
                .in = in, .out = c, .kernel = {o.kernel, o.kernel},
                .params = {.stride = {stride, stride}, .padding = {o.kernel / 2, o.kernel / 2}},
                .bias = !o.batch_norm}));
            if (o.batch_norm) model->push_back(std::make_shared<nn::BatchNorm2d>(c));
            model->push_back(std::make_shared<nn::ReLU>());
            in = c;
        }
        if (o.pool == "max") model->push_back(std::make_shared<nn::MaxPool2d>(2));
        if (o.pool == "avg") model->push_back(std::make_shared<nn::AvgPool2d>(2));
        if (o.pool == "stride") h = (h + 1) / 2, w = (w + 1) / 2;
        else if (shrink) h /= 2, w /= 2;
        if (o.dropout > 0) model->push_back(std::make_shared<nn::Dropout>(o.dropout));
    }
    model->push_back(std::make_shared<nn::Flatten>());
    int64_t features = in * h * w;
    for (int64_t hidden : o.hidden) {
        model->push_back(std::make_shared<nn::Linear>(features, hidden));
        model->push_back(std::make_shared<nn::ReLU>());
        if (o.head_dropout > 0) model->push_back(std::make_shared<nn::Dropout>(o.head_dropout));
        features = hidden;
    }
    model->push_back(std::make_shared<nn::Linear>(features, classes));
    return model;
}

std::vector<LayerCost> layer_costs(nn::Sequential& model, const ImageShape& input) {
    autograd::NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    Tensor x = zeros({1, input.channels, input.height, input.width});
    std::vector<LayerCost> out;
    for (size_t i = 0; i < model.size(); ++i) {
        nn::Module& m = *model[i];
        const int64_t in_elems = x.numel();
        x = m(x);
        LayerCost row;
        row.name = std::to_string(i) + ": " + m.type_name();
        const std::string extra = m.extra_repr();
        if (!extra.empty()) row.name += "(" + extra + ")";
        for (size_t d = 1; d < static_cast<size_t>(x.dim()); ++d) row.shape.push_back(x.shape()[d]);
        row.parameters = m.num_parameters();
        if (auto* conv = dynamic_cast<nn::Conv2d*>(&m)) {
            const auto& co = conv->options();
            row.multiply_adds = x.numel() * (co.in / co.params.groups) * co.kernel[0] * co.kernel[1];
        } else if (dynamic_cast<nn::Linear*>(&m)) {
            row.multiply_adds = in_elems * x.numel();
        }
        out.push_back(std::move(row));
    }
    model.train(was_training);
    return out;
}

std::vector<size_t> downsampling_points(nn::Sequential& model, const ImageShape& input) {
    std::vector<size_t> points;
    auto costs = layer_costs(model, input);
    int64_t h = input.height;
    for (size_t i = 0; i < costs.size() && costs[i].shape.size() == 3; ++i) {
        if (costs[i].shape[1] >= h) continue;
        h = costs[i].shape[1];
        // A strided convolution's map is complete after its batch norm and activation.
        size_t j = i;
        while (j + 1 < costs.size() && (costs[j + 1].name.find("BatchNorm") != std::string::npos ||
                                        costs[j + 1].name.find("ReLU") != std::string::npos))
            ++j;
        points.push_back(j);
    }
    return points;
}

}  // namespace kaya::vision
