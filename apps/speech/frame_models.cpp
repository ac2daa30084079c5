// SPDX-License-Identifier: MIT
#include "apps/speech/frame_models.h"

#include <algorithm>

#include "apps/train/metadata.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {
namespace {

// Row indices of each frame's context window inside one recording: (T, 2k + 1).
std::vector<int64_t> window_rows(int64_t T, int64_t k, int64_t offset) {
    std::vector<int64_t> rows;
    rows.reserve(static_cast<size_t>(T * (2 * k + 1)));
    for (int64_t t = 0; t < T; ++t) {
        for (int64_t j = -k; j <= k; ++j) rows.push_back(offset + std::clamp<int64_t>(t + j, 0, T - 1));
    }
    return rows;
}

// Frame accuracy sums of per-frame logits (N, K) against labels (N).
void count_frames(const Tensor& logits, const Tensor& labels, app::Metrics& sums) {
    sums.add("frame_accuracy", static_cast<double>(sum(eq(argmax(detach(logits), 1), labels)).item<int64_t>()));
    sums.add("frames", static_cast<double>(labels.numel()));
}

class MlpFrameModel : public FrameModel {
public:
    MlpFrameModel(const FrameModelOptions& o, int64_t dim, int64_t classes) : o_(o), dim_(dim) {
        net_ = std::make_shared<nn::Sequential>();
        int64_t in = dim * (2 * o.context + 1);
        for (int64_t h : o.hidden) {
            net_->push_back(std::make_shared<nn::Linear>(in, h));
            if (o.batch_norm) net_->push_back(std::make_shared<nn::BatchNorm1d>(h));
            net_->push_back(std::make_shared<nn::ReLU>());
            if (o.dropout > 0) net_->push_back(std::make_shared<nn::Dropout>(o.dropout));
            in = h;
        }
        net_->push_back(std::make_shared<nn::Linear>(in, classes));
    }
    nn::Sequential& network() override { return *net_; }

    std::shared_ptr<data::Dataset> training_set(const std::vector<Tensor>& features,
                                                const std::vector<int64_t>& labels) override {
        // All training frames in one matrix; an example is a frame's window of row indices.
        std::vector<int64_t> rows, frame_labels;
        int64_t offset = 0;
        for (size_t i = 0; i < features.size(); ++i) {
            const int64_t T = features[i].shape()[0];
            auto w = window_rows(T, o_.context, offset);
            rows.insert(rows.end(), w.begin(), w.end());
            frame_labels.insert(frame_labels.end(), static_cast<size_t>(T), labels[i]);
            offset += T;
        }
        train_features_ = contiguous(cat(features, 0));
        const auto n = static_cast<int64_t>(frame_labels.size());
        return std::make_shared<data::TensorDataset>(std::vector<Tensor>{
            from_vector(rows, {n, 2 * o_.context + 1}), from_vector(frame_labels, {n})});
    }

    Tensor loss(const data::Example& batch, app::Metrics& sums) override {
        const int64_t B = batch[0].shape()[0];
        Tensor x = reshape(index_select(train_features_, 0, reshape(batch[0], {-1})), {B, -1});
        Tensor logits = (*net_)(x);
        count_frames(logits, batch[1], sums);
        return nn::cross_entropy(logits, batch[1]);
    }

    std::vector<Tensor> log_probs(const std::vector<Tensor>& features) override {
        std::vector<Tensor> out;
        // Recordings in groups of about 8,192 frames: one product per group.
        size_t i = 0;
        while (i < features.size()) {
            std::vector<Tensor> windows;
            std::vector<int64_t> lengths;
            int64_t total = 0;
            while (i < features.size() && (total == 0 || total + features[i].shape()[0] <= 8192)) {
                windows.push_back(context_windows(features[i], o_.context));
                lengths.push_back(features[i].shape()[0]);
                total += lengths.back();
                ++i;
            }
            Tensor lp = log_softmax((*net_)(cat(windows, 0)), 1);
            int64_t start = 0;
            for (int64_t len : lengths) {
                out.push_back(narrow(lp, 0, start, len));
                start += len;
            }
        }
        return out;
    }

    std::string describe() const override {
        return "MLP on " + std::to_string(2 * o_.context + 1) + " frames (" + std::to_string(dim_ * (2 * o_.context + 1)) +
               " inputs), hidden " + app::join_sizes(o_.hidden) + (o_.batch_norm ? ", batch norm" : "") +
               ", dropout " + std::to_string(o_.dropout).substr(0, 4);
    }

private:
    FrameModelOptions o_;
    int64_t dim_;
    std::shared_ptr<nn::Sequential> net_;
    Tensor train_features_;  // (all training frames, dim)
};

class CnnFrameModel : public FrameModel {
public:
    CnnFrameModel(const FrameModelOptions& o, int64_t dim, int64_t classes) : o_(o), dim_(dim) {
        net_ = std::make_shared<nn::Sequential>();
        int64_t in = 1, height = dim;
        for (int64_t c : o.channels) {
            KAYA_CHECK(height >= 2, ValueError, "model.channels: ", o.channels.size(),
                       " pooling stages halve the ", dim, " feature coefficients below 1; use fewer stages or more coefficients");
            for (int64_t k = 0; k < o.convs; ++k) {
                net_->push_back(std::make_shared<nn::Conv2d>(
                    nn::Conv2dOptions{.in = in, .out = c, .kernel = {3, 3}, .params = {.padding = {1, 1}}}));
                net_->push_back(std::make_shared<nn::BatchNorm2d>(c));
                net_->push_back(std::make_shared<nn::ReLU>());
                in = c;
            }
            net_->push_back(std::make_shared<nn::MaxPool2d>(
                Pool2dParams{.kernel_size = {2, 1}, .stride = std::array<int64_t, 2>{2, 1}}));
            if (o.dropout > 0) net_->push_back(std::make_shared<nn::Dropout2d>(o.dropout));
            height /= 2;
        }
        // The head sees each frame's whole column (channels x remaining coefficients): a
        // full-height convolution is a fully connected layer per frame. (Averaging over the
        // coefficient axis instead would throw away where in frequency the energy sits.)
        net_->push_back(std::make_shared<nn::Conv2d>(
            nn::Conv2dOptions{.in = in, .out = o.head, .kernel = {height, 1}}));
        net_->push_back(std::make_shared<nn::BatchNorm2d>(o.head));
        net_->push_back(std::make_shared<nn::ReLU>());
        if (o.dropout > 0) net_->push_back(std::make_shared<nn::Dropout>(o.dropout));
        net_->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions{.in = o.head, .out = classes, .kernel = {1, 1}}));
    }
    nn::Sequential& network() override { return *net_; }

    // (1, dim, frames) with the recording's frames from column 0, cut in the middle when longer.
    Tensor image(const Tensor& f, int64_t& valid) const {
        const int64_t T = f.shape()[0];
        Tensor x = transpose(f, 0, 1);  // (dim, T)
        if (T >= o_.frames) {
            valid = o_.frames;
            x = narrow(x, 1, (T - o_.frames) / 2, o_.frames);
        } else {
            valid = T;
            x = cat({x, zeros({dim_, o_.frames - T}, f.dtype())}, 1);
        }
        return unsqueeze(contiguous(x), 0);
    }

    std::shared_ptr<data::Dataset> training_set(const std::vector<Tensor>& features,
                                                const std::vector<int64_t>& labels) override {
        std::vector<Tensor> images;
        std::vector<int64_t> valid(features.size());
        for (size_t i = 0; i < features.size(); ++i) images.push_back(image(features[i], valid[i]));
        const auto n = static_cast<int64_t>(features.size());
        return std::make_shared<data::TensorDataset>(
            std::vector<Tensor>{stack(images, 0), from_vector(valid, {n}), from_vector(labels, {n})});
    }

    // Per-frame log-probabilities (B, T, K) of a batch of images.
    Tensor frame_log_probs(const Tensor& images) {
        Tensor logits = (*net_)(images);  // (B, K, 1, T)
        return log_softmax(transpose(squeeze(logits, 2), 1, 2), 2);
    }

    Tensor loss(const data::Example& batch, app::Metrics& sums) override {
        const Tensor& valid = batch[1];
        const Tensor& labels = batch[2];
        Tensor lp = frame_log_probs(batch[0]);  // (B, T, K)
        const int64_t B = lp.shape()[0], T = lp.shape()[1];
        // Frames past a recording's end are padding: masked out of the loss and the counts.
        Tensor mask = to(lt(unsqueeze(arange(T), 0), unsqueeze(valid, 1)), lp.dtype());  // (B, T)
        Tensor gold = expand(unsqueeze(labels, 1), {B, T});
        Tensor picked = squeeze(gather(lp, 2, unsqueeze(gold, 2)), 2);  // (B, T)
        const double count = sum(mask).item<double>();
        Tensor hits = mul(to(eq(argmax(detach(lp), 2), gold), lp.dtype()), mask);
        sums.add("frame_accuracy", sum(hits).item<double>());
        sums.add("frames", count);
        return div(neg(sum(mul(picked, mask))), count);
    }

    std::vector<Tensor> log_probs(const std::vector<Tensor>& features) override {
        std::vector<Tensor> out;
        for (size_t i = 0; i < features.size(); i += 64) {
            std::vector<Tensor> images;
            std::vector<int64_t> valid;
            for (size_t j = i; j < std::min(features.size(), i + 64); ++j) {
                int64_t v = 0;
                images.push_back(image(features[j], v));
                valid.push_back(v);
            }
            Tensor lp = frame_log_probs(stack(images, 0));
            for (size_t j = 0; j < valid.size(); ++j) {
                out.push_back(narrow(select(lp, 0, static_cast<int64_t>(j)), 0, 0, valid[j]));
            }
        }
        return out;
    }

    std::string describe() const override {
        return "CNN over " + std::to_string(dim_) + " x " + std::to_string(o_.frames) + " feature images, channels " +
               app::join_sizes(o_.channels) + ", " + std::to_string(o_.convs) + " convs per stage, a " + std::to_string(o_.head) +
               "-unit head per frame";
    }

private:
    FrameModelOptions o_;
    int64_t dim_;
    std::shared_ptr<nn::Sequential> net_;
};

}  // namespace

FrameModelOptions FrameModelOptions::read(const app::Config& cfg, const std::string& kind) {
    FrameModelOptions o;
    o.kind = kind;
    o.dropout = cfg.get_double("model.dropout", kind == "mlp" ? 0.2 : 0.1, 0, 0.95);
    if (kind == "mlp") {
        o.context = cfg.get_int("model.context", o.context, 0, 50);
        o.hidden = cfg.get_ints("model.hidden", o.hidden);
        for (int64_t h : o.hidden) {
            if (h < 1 || h > 65536) cfg.fail("model.hidden", "layer sizes must be between 1 and 65536");
        }
        o.batch_norm = cfg.get_bool("model.batch_norm", o.batch_norm);
    } else {
        o.channels = cfg.get_ints("model.channels", o.channels);
        if (o.channels.empty()) cfg.fail("model.channels", "give at least one stage");
        for (int64_t c : o.channels) {
            if (c < 1 || c > 4096) cfg.fail("model.channels", "channel counts must be between 1 and 4096");
        }
        o.convs = cfg.get_int("model.convs", o.convs, 1, 8);
        o.frames = cfg.get_int("model.frames", o.frames, 8, 4096);
        o.head = cfg.get_int("model.head", o.head, 1, 65536);
    }
    return o;
}

std::map<std::string, std::string> FrameModelOptions::metadata() const {
    std::map<std::string, std::string> m{{"model.kind", kind}, {"model.dropout", std::to_string(dropout)}};
    if (kind == "mlp") {
        m["model.context"] = std::to_string(context);
        m["model.hidden"] = app::join_sizes(hidden);
        m["model.batch_norm"] = batch_norm ? "1" : "0";
    } else {
        m["model.channels"] = app::join_sizes(channels);
        m["model.convs"] = std::to_string(convs);
        m["model.frames"] = std::to_string(frames);
        m["model.head"] = std::to_string(head);
    }
    return m;
}

FrameModelOptions FrameModelOptions::from_metadata(const std::map<std::string, std::string>& m,
                                                   const std::string& source) {
    const app::MetadataReader r(m, source, "a speech classifier's weights");
    FrameModelOptions o;
    o.kind = r.text("model.kind");
    KAYA_CHECK(o.kind == "mlp" || o.kind == "cnn", ParseError, source, ": unknown model.kind '", o.kind, "'");
    o.dropout = r.number<double>("model.dropout");
    if (o.kind == "mlp") {
        o.context = r.number<int64_t>("model.context");
        o.hidden = r.sizes("model.hidden");
        o.batch_norm = r.number<int64_t>("model.batch_norm") != 0;
        KAYA_CHECK(o.context >= 0 && o.context <= 50, ParseError, source, ": metadata model.context out of range");
    } else {
        o.channels = r.sizes("model.channels");
        o.convs = r.number<int64_t>("model.convs");
        o.frames = r.number<int64_t>("model.frames");
        o.head = r.number<int64_t>("model.head");
        KAYA_CHECK(!o.channels.empty() && o.convs >= 1 && o.convs <= 8 && o.frames >= 8 && o.frames <= 4096 &&
                       o.head >= 1 && o.head <= 65536,
                   ParseError,
                   source, ": metadata gives an invalid CNN shape");
    }
    return o;
}

std::unique_ptr<FrameModel> make_frame_model(const FrameModelOptions& o, int64_t dim, int64_t classes) {
    if (o.kind == "mlp") return std::make_unique<MlpFrameModel>(o, dim, classes);
    return std::make_unique<CnnFrameModel>(o, dim, classes);
}

Tensor context_windows(const Tensor& features, int64_t k) {
    const int64_t T = features.shape()[0];
    auto rows = window_rows(T, k, 0);
    return reshape(index_select(features, 0, from_vector(rows, {static_cast<int64_t>(rows.size())})), {T, -1});
}

}  // namespace kaya::speech
