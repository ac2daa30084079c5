// SPDX-License-Identifier: MIT
#include "apps/tts/tacotron_task.h"

#include <chrono>

#include "apps/tts/durations.h"
#include "apps/tts/evaluation.h"
#include "apps/tts/text.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

const std::vector<SizeField<TacotronOptions>>& tacotron_sizes() {
    using O = TacotronOptions;
    static const std::vector<SizeField<O>> fields = {
        {"embedding", &O::embedding, 4, 4096},
        {"encoder_convs", &O::encoder_convs, 0, 16},
        {"encoder_channels", &O::encoder_channels, 4, 4096},
        {"encoder_kernel", &O::encoder_kernel, 1, 31, true},
        {"encoder_lstm", &O::encoder_lstm, 2, 2048},
        {"attention", &O::attention, 4, 4096},
        {"location_filters", &O::location_filters, 1, 512},
        {"location_kernel", &O::location_kernel, 1, 127, true},
        {"prenet", &O::prenet, 4, 4096},
        {"attention_rnn", &O::attention_rnn, 4, 4096},
        {"decoder_rnn", &O::decoder_rnn, 4, 4096},
        {"reduction", &O::reduction, 1, 8},
        {"postnet_layers", &O::postnet_layers, 2, 16},
        {"postnet_channels", &O::postnet_channels, 4, 4096},
        {"postnet_kernel", &O::postnet_kernel, 1, 31, true}};
    return fields;
}

TacotronOptions read_tacotron_options(const app::Config& cfg) {
    TacotronOptions o;
    read_sizes(cfg, tacotron_sizes(), o);
    o.dropout = cfg.get_double("model.dropout", o.dropout, 0, 0.9);
    o.symbols = Symbols::count();
    return o;
}

TacotronTask::TacotronTask(const app::Config& cfg) : SpeechTask(cfg), options_(read_tacotron_options(cfg)) {
    options_.n_mels = mel_.n_mels;
    guided_weight_ = cfg.get_double("train.guided_attention", guided_weight_, 0, 100);
    guided_sigma_ = cfg.get_double("train.guided_sigma", guided_sigma_, 0.01, 1);
    max_frames_per_char_ = cfg.get_int("eval.max_frames_per_char", max_frames_per_char_, 1, 1000);
    longest_ = cfg.get_int("eval.longest", longest_, 0, 100000);
}

void TacotronTask::prepare(const app::TaskEnv& env) {
    load_corpus(env);
    model_ = std::make_shared<Tacotron>(options_);
    model_->normalizer().fit(training_frames());
}

SpeechTask::Losses TacotronTask::losses(const data::Example& batch) {
    const Tensor &text = batch[0], &text_len = batch[1], &mel = batch[2], &mel_len = batch[3];
    const TacotronOutput out = model_->forward(text, text_len, mel, mel_len);
    const int64_t r = options_.reduction, steps = out.stop_logits.shape()[1];
    // The target padded with silence to whole decoder steps; padding frames are not scored,
    // and the frames are scored standardised, so every band counts alike.
    const Tensor goal = model_->normalizer().normalize(padded_target(mel, out.mel.shape()[1]));
    const Tensor mel_l1 = add(masked_l1(out.frames, goal, mel_len), masked_l1(out.frames_post, goal, mel_len));
    // Steps: ceil(T_n / r) per item; the stop target is 1 from an item's last step on.
    std::vector<int64_t> steps_of = to_vector<int64_t>(mel_len);
    for (auto& n : steps_of) n = (n + r - 1) / r;
    const Tensor step_len = from_vector<int64_t>(steps_of, {static_cast<int64_t>(steps_of.size())});
    const Tensor stop_target = to(ge(unsqueeze(arange(steps), 0), unsqueeze(sub(step_len, 1), 1)), DType::Float32);
    const Tensor stop = nn::binary_cross_entropy_with_logits(out.stop_logits, stop_target);
    const Tensor guided = guided_attention_loss(out.alignment, text_len, step_len, guided_sigma_);
    return {add(add(mel_l1, stop), mul(guided, guided_weight_)), {{"mel_l1", mel_l1}, {"stop", stop}, {"guided", guided}}};
}

app::Metrics TacotronTask::test() {
    app::Metrics m = evaluate(corpus_.test, "test");
    m.append(evaluate_free_running(
        corpus_.test,
        [&](const SpeechItem& item) {
            const auto t0 = std::chrono::steady_clock::now();
            Tacotron::Generated g = model_->generate(item.ids, max_steps(item.ids.shape()[0]));
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            return Synthesis{g.mel, g.alignment, g.stopped, s};
        },
        "test", longest_));
    return m;
}

int64_t TacotronTask::max_steps(int64_t characters) const {
    return (max_frames_per_char_ * characters + options_.reduction - 1) / options_.reduction;
}

std::map<std::string, std::string> TacotronTask::model_metadata() const {
    return metadata("tts_ar", sizes_of(tacotron_sizes(), options_));
}

void TacotronTask::write_inputs(const std::string& dir) {
    std::string tsv = "id\tpart\ttext\n";
    for (const auto& [part, items] : {std::pair{"train", &corpus_.train}, {"dev", &corpus_.dev}, {"test", &corpus_.test}}) {
        for (const auto& it : *items) tsv += it.id + "\t" + part + "\t" + it.text + "\n";
    }
    io::write_file_atomic(dir + "/split.tsv", tsv);
}

void TacotronTask::finish(const std::string& dir) {
    // Durations for the non-autoregressive model, from teacher-forced alignments of every
    // utterance with the best weights (FastSpeech's way).
    std::map<std::string, std::vector<int64_t>> durations;
    double focus = 0;
    int64_t characters = 0, unattended = 0;
    for (const auto* part : {&corpus_.train, &corpus_.dev, &corpus_.test}) {
        for (size_t start = 0; start < part->size(); start += 32) {
            const std::vector<SpeechItem> chunk(part->begin() + static_cast<std::ptrdiff_t>(start),
                                                part->begin() + static_cast<std::ptrdiff_t>(std::min(start + 32, part->size())));
            SpeechDataset ds(chunk);
            std::vector<data::Example> rows;
            for (int64_t i = 0; i < ds.size(); ++i) rows.push_back(ds.get(i));
            const data::Example b = speech_collate(mel_.silence())(rows);
            autograd::NoGradGuard no_grad;
            const TacotronOutput out = model_->forward(b[0], b[1], b[2], b[3]);
            for (size_t i = 0; i < chunk.size(); ++i) {
                const auto n = static_cast<int64_t>(i);
                const int64_t L = chunk[i].ids.shape()[0], T = chunk[i].mel.shape()[0];
                const int64_t steps = (T + options_.reduction - 1) / options_.reduction;
                const Tensor a = narrow(narrow(select(out.alignment, 0, n), 0, 0, steps), 1, 0, L);
                auto d = durations_from_alignment(a, T, options_.reduction);
                focus += focus_rate(a);
                characters += L;
                for (int64_t v : d) unattended += v == 0;
                durations[chunk[i].id] = std::move(d);
            }
        }
    }
    write_durations(dir + "/durations.tsv", durations);
    const auto n = static_cast<double>(durations.size());
    io::write_file_atomic(dir + "/durations.json",
                          "{\"utterances\": " + std::to_string(durations.size()) +
                              ", \"mean_focus_rate\": " + std::to_string(focus / n) +
                              ", \"characters\": " + std::to_string(characters) +
                              ", \"characters_without_frames\": " + std::to_string(unattended) + "}\n");
}

}  // namespace kaya::tts
