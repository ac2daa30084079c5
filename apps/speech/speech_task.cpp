// SPDX-License-Identifier: MIT
#include "apps/speech/speech_task.h"

#include <chrono>
#include <set>
#include <sstream>

#include "apps/train/metadata.h"
#include "apps/train/plot.h"
#include "kaya/io/csv.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {
namespace {

// Default features per task: the course's 39 MFCC dimensions for frames, 40 log mel bands
// (the picture) for the CNN.
FeatureOptions default_features(const std::string& kind) {
    FeatureOptions f;
    if (kind == "cnn") {
        f.kind = "fbank";
        f.num_mel_bins = 40;
        f.deltas = 0;
    }
    return f;
}

std::vector<int64_t> labels_of(const std::vector<Recording>& rs) {
    std::vector<int64_t> out;
    for (const auto& r : rs) out.push_back(r.label);
    return out;
}

}  // namespace

std::vector<Tensor> features_of(const std::vector<Recording>& recordings, int64_t sample_rate,
                                const FeatureOptions& options) {
    std::vector<Tensor> out(recordings.size());
    std::vector<std::string> errors(recordings.size());
    parallel_for(static_cast<int64_t>(recordings.size()), 8, [&](int64_t b, int64_t e) {
        autograd::NoGradGuard no_grad;  // Grad mode is per thread.
        for (int64_t i = b; i < e; ++i) {
            try {
                out[i] = compute_features(recordings[i].wave, sample_rate, options, recordings[i].name);
            } catch (const Error& err) {
                errors[i] = err.what();
            }
        }
    });
    for (const auto& e : errors) {
        KAYA_CHECK(e.empty(), ValueError, e);
    }
    return out;
}

SpeechTask::SpeechTask(const app::Config& cfg, const std::string& model_kind)
    : kind_(model_kind),
      data_options_(SpeechDataOptions::read(cfg)),
      feature_options_(FeatureOptions::read(cfg, default_features(model_kind))),
      model_options_(FrameModelOptions::read(cfg, model_kind)) {}

void SpeechTask::prepare(const app::TaskEnv& env) {
    data_ = load_speech_data(data_options_);
    // Recordings shorter than one analysis window cannot be framed: skipped and listed.
    const auto min_samples = static_cast<size_t>(feature_options_.frame_length_ms * 1e-3 * data_.sample_rate);
    for (auto* split : {&data_.train, &data_.val, &data_.test}) {
        std::vector<Recording> kept;
        for (auto& r : *split) {
            if (static_cast<size_t>(r.wave.numel()) < min_samples) {
                data_.skipped.push_back({r.name, "shorter than one " + std::to_string(feature_options_.frame_length_ms) +
                                                     " ms window (" + std::to_string(r.wave.numel()) + " samples)"});
            } else {
                kept.push_back(std::move(r));
            }
        }
        *split = std::move(kept);
    }
    KAYA_CHECK(!data_.train.empty() && !data_.val.empty(), ValueError, data_.description,
               ": no training or validation recordings long enough to frame");
    const auto start = std::chrono::steady_clock::now();
    train_features_ = features_of(data_.train, data_.sample_rate, feature_options_);
    val_features_ = features_of(data_.val, data_.sample_rate, feature_options_);
    test_features_ = features_of(data_.test, data_.sample_rate, feature_options_);
    feature_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    model_ = make_frame_model(model_options_, feature_options_.dim(), static_cast<int64_t>(data_.classes.size()));
    auto train_set = model_->training_set(train_features_, labels_of(data_.train));
    loader_ = std::make_unique<data::DataLoader>(
        train_set, data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true, .seed = env.seed,
                                .shard = env.rank, .shards = env.world_size});
    int64_t frames = 0;
    for (const auto& f : train_features_) frames += f.shape()[0];
    std::ostringstream os;
    os.precision(2);
    os << std::fixed << data_.description << "; " << feature_options_.describe() << ", " << frames
       << " training frames; features of " << data_.train.size() + data_.val.size() + data_.test.size()
       << " recordings in " << feature_seconds_ << " s; " << model_->describe();
    description_ = os.str();
}

void SpeechTask::visit_batches(int64_t epoch, int64_t first,
                               const std::function<bool(int64_t, const data::Example&)>& fn) {
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

Tensor SpeechTask::training_loss(const data::Example& batch, app::Metrics& sums) {
    app::Metrics local;
    Tensor loss = model_->loss(batch, local);
    // The loop divides task sums by the batch's rows; frame accuracy is per frame, so it is
    // stored scaled to rows (exact when every batch has the same frames per row, as for the MLP).
    const double rows = static_cast<double>(batch[0].shape()[0]);
    sums.add("frame_accuracy", local.get("frame_accuracy") / local.get("frames") * rows);
    return loss;
}

Scores SpeechTask::evaluate(const std::vector<Recording>& split, const std::vector<Tensor>& features) {
    Scores s(static_cast<int64_t>(data_.classes.size()));
    auto lps = model_->log_probs(features);
    for (size_t i = 0; i < split.size(); ++i) s.add(lps[i], split[i].label);
    return s;
}

app::Metrics SpeechTask::validate() { return evaluate(data_.val, val_features_).metrics("val"); }

app::Metrics SpeechTask::test() {
    if (data_.test.empty()) return {};
    test_scores_ = evaluate(data_.test, test_features_);
    app::Metrics m = test_scores_.metrics("test");
    // Per speaker, when the recordings say who speaks.
    std::map<std::string, std::pair<double, double>> per;
    for (size_t i = 0; i < data_.test.size(); ++i) {
        if (data_.test[i].speaker.empty()) continue;
        auto& p = per[data_.test[i].speaker];
        p.first += test_scores_.predictions[i] == data_.test[i].label;
        p.second += 1;
    }
    for (const auto& [speaker, p] : per) m.set("test_accuracy_" + speaker, p.first / p.second);
    m.set("feature_seconds", feature_seconds_);
    return m;
}

std::map<std::string, std::string> SpeechTask::model_metadata() const {
    auto m = feature_options_.metadata();
    for (const auto& [k, v] : model_options_.metadata()) m[k] = v;
    m["format"] = "pt";
    m["kaya.task"] = "speech_" + std::string(kind_ == "mlp" ? "frames" : "cnn");
    m["classes"] = app::join_lines(data_.classes);
    m["sample_rate"] = std::to_string(data_.sample_rate);
    return m;
}

void SpeechTask::write_inputs(const std::string& dir) {
    if (data_.skipped.empty()) return;
    std::string csv = "file,reason\n";
    for (const auto& s : data_.skipped) csv += io::csv_field(s.name) + "," + io::csv_field(s.reason) + "\n";
    io::write_file_atomic(dir + "/skipped.csv", csv);
}

void SpeechTask::finish(const std::string& dir) {
    if (data_.test.empty() || test_scores_.predictions.empty()) return;
    io::write_file_atomic(dir + "/confusion.svg",
                          app::heatmap_svg(test_scores_.confusion, data_.classes, data_.classes,
                                           {.title = "test recordings: true class by voted class",
                                            .xlabel = "predicted", .ylabel = "true class"}));
    std::string csv = "file,speaker,label,predicted,correct\n";
    for (size_t i = 0; i < data_.test.size(); ++i) {
        const auto& r = data_.test[i];
        const int64_t p = test_scores_.predictions[i];
        csv += io::csv_field(r.name) + "," + io::csv_field(r.speaker) + "," + io::csv_field(data_.classes[r.label]) + "," +
               io::csv_field(data_.classes[p]) + "," + (p == r.label ? "1" : "0") + "\n";
    }
    io::write_file_atomic(dir + "/predictions.csv", csv);
}

void SpeechTask::write_plots(const std::string& dir, const std::vector<app::Metrics>& history) {
    app::Series train{"training frames (dropout on)"}, val_frames{"validation frames"}, val{"validation recordings (vote)"};
    for (const auto& m : history) {
        for (auto* s : {&train, &val_frames, &val}) s->x.push_back(m.get("epoch"));
        train.y.push_back(100 * m.get("train_frame_accuracy"));
        val_frames.y.push_back(100 * m.get("val_frame_accuracy"));
        val.y.push_back(100 * m.get("val_accuracy"));
    }
    io::write_file_atomic(dir + "/accuracy.svg",
                          app::line_plot_svg({train, val_frames, val}, {.title = "spoken-word classification accuracy",
                                                                        .xlabel = "epoch", .ylabel = "accuracy (%)"}));
}

SpeechClassifier SpeechClassifier::load(const std::string& path) {
    io::SafetensorsFile f = io::load_safetensors(path);
    auto task = f.metadata.find("kaya.task");
    const std::string kind = task == f.metadata.end() ? std::string("absent") : task->second;
    KAYA_CHECK(kind == "speech_frames" || kind == "speech_cnn", ParseError, path,
               ": not the weights of a speech classifier (metadata kaya.task is '", kind, "')");
    SpeechClassifier c;
    const app::MetadataReader r(f.metadata, path, "a speech classifier's weights");
    c.features_ = FeatureOptions::from_metadata(f.metadata, path);
    FrameModelOptions o = FrameModelOptions::from_metadata(f.metadata, path);
    c.classes_ = app::split_lines(r.text("classes"));
    c.sample_rate_ = r.number<int64_t>("sample_rate");
    KAYA_CHECK(!c.classes_.empty() && c.sample_rate_ >= 1000 && c.sample_rate_ <= 192000, ParseError, path,
               ": metadata gives no classes or an invalid sample rate");
    try {
        c.model_ = make_frame_model(o, c.features_.dim(), static_cast<int64_t>(c.classes_.size()));
        c.model_->network().load_state_dict(f.tensors);
    } catch (const ParseError&) {
        throw;
    } catch (const Error& e) {
        throw ValueError(path + ": the weights do not fit the network its metadata describes: " + e.what());
    }
    c.model_->network().eval();
    return c;
}

SpeechClassifier::Result SpeechClassifier::classify(const Tensor& wave, const std::string& name) {
    autograd::NoGradGuard no_grad;
    Result r;
    Tensor feats = compute_features(wave, sample_rate_, features_, name);
    r.frame_log_probs = model_->log_probs({feats})[0];
    r.label = vote(r.frame_log_probs);
    auto best = to_vector<int64_t>(argmax(r.frame_log_probs, 1));
    r.votes.assign(classes_.size(), 0.0);
    for (int64_t b : best) r.votes[static_cast<size_t>(b)] += 1.0 / static_cast<double>(best.size());
    return r;
}

void register_tasks(app::TaskRegistry& registry) {
    registry.add("speech_frames",
                 [](const app::Config& cfg) { return std::make_unique<SpeechTask>(cfg, "mlp"); },
                 "spoken words classified frame by frame (MFCC + context, MLP), recordings by vote");
    registry.add("speech_cnn",
                 [](const app::Config& cfg) { return std::make_unique<SpeechTask>(cfg, "cnn"); },
                 "spoken words classified by a CNN over log-mel images (per-frame outputs, vote)");
}

}  // namespace kaya::speech
