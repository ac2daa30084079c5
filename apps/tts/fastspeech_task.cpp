// SPDX-License-Identifier: MIT
#include "apps/tts/fastspeech_task.h"

#include <chrono>
#include <cmath>

#include "apps/tts/durations.h"
#include "apps/tts/evaluation.h"
#include "apps/tts/text.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

const std::vector<SizeField<FastSpeechOptions>>& fastspeech_sizes() {
    using O = FastSpeechOptions;
    static const std::vector<SizeField<O>> fields = {
        {"d_model", &O::d_model, 8, 4096},
        {"heads", &O::heads, 1, 64},
        {"encoder_layers", &O::encoder_layers, 1, 32},
        {"decoder_layers", &O::decoder_layers, 1, 32},
        {"filter", &O::filter, 4, 16384},
        {"kernel", &O::kernel, 1, 31, true},
        {"kernel2", &O::kernel2, 1, 31, true},
        {"duration_filter", &O::duration_filter, 4, 4096},
        {"duration_kernel", &O::duration_kernel, 1, 31, true},
        {"reduction", &O::reduction, 1, 8},
        {"postnet_layers", &O::postnet_layers, 0, 16},
        {"postnet_channels", &O::postnet_channels, 4, 4096},
        {"postnet_kernel", &O::postnet_kernel, 1, 31, true}};
    return fields;
}

FastSpeechOptions read_fastspeech_options(const app::Config& cfg) {
    FastSpeechOptions o;
    read_sizes(cfg, fastspeech_sizes(), o);
    if (o.d_model % o.heads != 0) cfg.fail("model.heads", "model.heads must divide model.d_model");
    if (o.postnet_layers == 1) cfg.fail("model.postnet_layers", "model.postnet_layers must be 0 (none) or >= 2");
    o.dropout = cfg.get_double("model.dropout", o.dropout, 0, 0.9);
    o.symbols = Symbols::count();
    return o;
}

FastSpeechTask::FastSpeechTask(const app::Config& cfg) : SpeechTask(cfg), options_(read_fastspeech_options(cfg)) {
    durations_path_ = cfg.get_string("data.durations", "runs/tts_ar/durations.tsv");
    duration_weight_ = cfg.get_double("train.duration_weight", duration_weight_, 0, 100);
    options_.n_mels = mel_.n_mels;
}

std::vector<Tensor> FastSpeechTask::extra_fields(const std::vector<SpeechItem>& items) const {
    std::vector<Tensor> out;
    for (const auto& it : items) {
        const auto found = durations_.find(it.id);
        KAYA_CHECK(found != durations_.end(), ValueError, durations_path_, " has no durations for '", it.id, "' of ",
                   data_.corpus, " (were they made from another corpus?)");
        const std::vector<int64_t>& d = found->second;
        int64_t total = 0;
        for (int64_t v : d) total += v;
        KAYA_CHECK(static_cast<int64_t>(d.size()) == it.ids.shape()[0] && total == it.mel.shape()[0], ValueError,
                   durations_path_, ": '", it.id, "' has ", d.size(), " durations summing to ", total, " frames; ",
                   data_.corpus, " has ", it.ids.shape()[0], " characters (with the end mark) and ", it.mel.shape()[0],
                   " frames");
        out.push_back(from_vector<int64_t>(d, {static_cast<int64_t>(d.size())}));
    }
    return out;
}

void FastSpeechTask::prepare(const app::TaskEnv& env) {
    durations_ = read_durations(durations_path_);
    load_corpus(env);
    extra_fields(corpus_.dev);  // Every held-out utterance checked now, not at the first validation.
    extra_fields(corpus_.test);
    description_ += "; durations from " + durations_path_;
    model_ = std::make_shared<FastSpeech>(options_);
    model_->normalizer().fit(training_frames());
}

SpeechTask::Losses FastSpeechTask::losses(const data::Example& batch) {
    const Tensor &text = batch[0], &text_len = batch[1], &mel = batch[2], &mel_len = batch[3], &dur = batch[4];
    const FastSpeechOutput out = model_->forward(text, text_len, dur);
    const Tensor goal = model_->normalizer().normalize(padded_target(mel, out.mel.shape()[1]));
    const Tensor mel_l1 = add(masked_l1(out.frames, goal, mel_len), masked_l1(out.frames_post, goal, mel_len));
    const Tensor valid = to(logical_not(padding_from_lengths(text_len, text.shape()[1])), DType::Float32);
    const Tensor err = sub(out.log_duration, log(add(to(dur, DType::Float32), 1.0)));
    const Tensor duration = div(sum(mul(mul(err, err), valid)), clamp(sum(valid), 1.0, std::nullopt));
    return {add(mel_l1, mul(duration, duration_weight_)), {{"mel_l1", mel_l1}, {"duration", duration}}};
}

app::Metrics FastSpeechTask::test() {
    app::Metrics m = evaluate(corpus_.test, "test");
    m.append(evaluate_free_running(
        corpus_.test,
        [&](const SpeechItem& item) {
            const auto t0 = std::chrono::steady_clock::now();
            FastSpeech::Generated g = model_->generate(item.ids);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return Synthesis{g.mel, Tensor(), true, s};
        },
        "test"));
    // Length control: each speed's frames against the natural length / speed.
    for (double speed : {0.5, 0.75, 1.0, 1.25, 1.5}) {
        double worst = 0;
        for (const auto& item : corpus_.test) {
            int64_t natural = 0, got = 0;
            for (int64_t v : model_->predict_durations(item.ids, 1.0)) natural += v;
            for (int64_t v : model_->predict_durations(item.ids, speed)) got += v;
            const double expected = static_cast<double>(natural) / speed;
            worst = std::max(worst, std::abs(static_cast<double>(got) - expected) / expected);
        }
        char name[48];
        std::snprintf(name, sizeof name, "test_speed_%.2f_length_error", speed);
        m.set(name, worst);
    }
    return m;
}

std::map<std::string, std::string> FastSpeechTask::model_metadata() const {
    return metadata("tts_nar", sizes_of(fastspeech_sizes(), options_));
}

}  // namespace kaya::tts
