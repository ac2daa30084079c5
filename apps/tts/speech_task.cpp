// SPDX-License-Identifier: MIT
#include "apps/tts/speech_task.h"

#include "apps/tts/text.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

SpeechTask::SpeechTask(const app::Config& cfg) : data_(TtsDataOptions::read(cfg)) {}

void SpeechTask::load_corpus(const app::TaskEnv& env) {
    corpus_ = load_speech_corpus(data_, mel_, env.verbose && env.rank == 0);
    description_ = corpus_.description;
    train_ = std::make_shared<SpeechDataset>(corpus_.train, extra_fields(corpus_.train));
    loader_ = std::make_unique<data::DataLoader>(
        train_, data::DataLoaderOptions{.batch_size = env.batch_size, .shuffle = true, .seed = env.seed,
                                        .lengths = train_->frame_counts(), .collate = speech_collate(mel_.silence()),
                                        .shard = env.rank, .shards = env.world_size});
}

void SpeechTask::visit_batches(int64_t epoch, int64_t first,
                               const std::function<bool(int64_t, const data::Example&)>& fn) {
    app::visit_loader_batches(*loader_, epoch, first, fn);
}

Tensor SpeechTask::training_loss(const data::Example& batch, app::Metrics& sums) {
    const Losses l = losses(batch);
    const auto rows = static_cast<double>(batch[0].shape()[0]);
    for (const auto& [name, value] : l.parts) sums.add(name, value.item<double>() * rows);
    return l.total;
}

app::Metrics SpeechTask::evaluate(const std::vector<SpeechItem>& items, const std::string& prefix) {
    SpeechDataset ds(items, extra_fields(items));
    data::DataLoader loader(std::shared_ptr<const data::Dataset>(&ds, [](const data::Dataset*) {}),
                            {.batch_size = 32, .prefetch = false, .collate = speech_collate(mel_.silence())});
    app::Metrics m;
    double n = 0;
    for (const auto& b : loader.epoch(0)) {
        const Losses l = losses(b);
        const auto rows = static_cast<double>(b[0].shape()[0]);
        m.add(prefix + "_loss", l.total.item<double>() * rows);
        for (const auto& [name, value] : l.parts) m.add(prefix + "_" + name, value.item<double>() * rows);
        n += rows;
    }
    app::Metrics mean;
    for (const auto& [name, v] : m.items()) mean.set(name, v / std::max(n, 1.0));
    return mean;
}

Tensor SpeechTask::padded_target(const Tensor& mel, int64_t frames) const {
    const int64_t T = mel.shape()[1];
    if (frames > T) return cat({mel, full({mel.shape()[0], frames - T, mel.shape()[2]}, mel_.silence())}, 1);
    return frames < T ? narrow(mel, 1, 0, frames) : mel;
}

std::map<std::string, std::string> SpeechTask::metadata(const std::string& task,
                                                        const std::map<std::string, int64_t>& sizes) const {
    std::map<std::string, std::string> m = mel_.metadata();
    m["format"] = "pt";
    m["task"] = task;
    m["symbols"] = Symbols::symbols();
    for (const auto& [k, v] : sizes) m["model." + k] = std::to_string(v);
    return m;
}

std::vector<Tensor> SpeechTask::training_frames() const {
    std::vector<Tensor> mels;
    for (const auto& it : corpus_.train) mels.push_back(it.mel);
    return mels;
}

}  // namespace kaya::tts
