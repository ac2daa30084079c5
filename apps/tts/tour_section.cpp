// SPDX-License-Identifier: MIT
// `kaya tour`'s text-to-speech section (MISSION row 17): an autoregressive decoder (Tacotron)
// and a non-autoregressive one (FastSpeech) saying the same sentences. By default both are
// trained here, briefly, on a toy corpus espeak-ng speaks (a few seconds of training: they
// mumble); with --data and finished runs of configs/tts_ar.toml and configs/tts_nar.toml in
// runs/, those are shown. Mel pictures, the attention alignment, the durations, the speed and
// length-control tables and the audio itself.
#include "apps/tts/tour_section.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "apps/tour/report.h"
#include "apps/train/plot.h"
#include "apps/train/run.h"
#include "apps/tts/corpus.h"
#include "apps/tts/durations.h"
#include "apps/tts/synthesizer.h"
#include "apps/tts/text.h"
#include "apps/tts/tts_data.h"
#include "kaya/audio/audio_file.h"
#include "kaya/io/file.h"
#include "kaya/io/image.h"
#include "kaya/io/json.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace {

namespace fs = std::filesystem;
using tour::Report;
using tour::TourOptions;
using Clock = std::chrono::steady_clock;

struct Runs {
    std::string ar, nar, corpus, what;
};

// The toy pair: a corpus of short sentences, a small Tacotron, its durations, a small FastSpeech.
Runs toy_runs(const TourOptions& o) {
    const std::string dir = o.out_dir + "/runs/tts_toy";
    fs::remove_all(dir);
    const std::string data = "[data]\ncorpus = '" + dir + "/corpus'\nsentences_from = 'toy'\nsentences = " +
                             std::string(o.full ? "600" : "160") + "\ndev = 8\ntest = 8\n";
    const std::string train = "[train]\noptimizer = 'adam'\nlr = 0.002\nbatch_size = 16\nepochs = " +
                              std::string(o.full ? "40" : "8") + "\nclip_norm = 1.0\n";
    std::printf("  espeak-ng speaks the toy corpus; a small Tacotron, then a small FastSpeech on its durations\n");
    std::fflush(stdout);
    app::run_training(app::Config::parse("[task]\nkind = 'tts_ar'\n" + data +
                                             "[model]\nembedding = 48\nencoder_convs = 2\nencoder_channels = 48\n"
                                             "encoder_lstm = 32\nattention = 48\nprenet = 48\nattention_rnn = 96\n"
                                             "decoder_rnn = 96\npostnet_layers = 2\npostnet_channels = 48\n" +
                                             train + "[output]\ndir = '" + dir + "/ar'\n",
                                         "tour tts_ar"),
                      {.verbose = false});
    app::run_training(app::Config::parse("[task]\nkind = 'tts_nar'\n" + data + "durations = '" + dir +
                                             "/ar/durations.tsv'\n[model]\nd_model = 64\nheads = 2\n"
                                             "encoder_layers = 2\ndecoder_layers = 2\nfilter = 128\n" +
                                             train + "[output]\ndir = '" + dir + "/nar'\n",
                                         "tour tts_nar"),
                      {.verbose = false});
    return {dir + "/ar", dir + "/nar", dir + "/corpus",
            "two small models trained here for a few seconds on a toy corpus espeak-ng speaks (with --data and "
            "finished runs of configs/tts_ar.toml and configs/tts_nar.toml, those are shown instead)"};
}

Runs pick_runs(const TourOptions& o) {
    if (!o.data_dir.empty() && fs::exists("runs/tts_ar/run.json") && fs::exists("runs/tts_nar/run.json"))
        return {"runs/tts_ar", "runs/tts_nar", "runs/tts_corpus",
                "the runs of configs/tts_ar.toml and configs/tts_nar.toml in runs/"};
    return toy_runs(o);
}

// The test sentences of a run (split.tsv of the AR run).
std::vector<Utterance> test_sentences(const std::string& run) {
    std::vector<Utterance> out;
    const std::string tsv = io::read_file(run + "/split.tsv");
    size_t start = tsv.find('\n') + 1;
    while (start < tsv.size()) {
        const size_t end = tsv.find('\n', start), a = tsv.find('\t', start), b = tsv.find('\t', a + 1);
        if (tsv.substr(a + 1, b - a - 1) == "test") out.push_back({tsv.substr(start, a - start), tsv.substr(b + 1, end - b - 1)});
        start = end + 1;
    }
    return out;
}

void picture(const std::string& path, const Tensor& m, int64_t scale) { io::write_png(path, app::feature_image(m, scale)); }

struct Said {
    Synthesizer::Speech speech;
    double frames_per_second = 0;
};

Said say(const Synthesizer& s, const std::string& text, double speed, const std::string& wav) {
    Said r;
    r.speech = s.say(text, {.speed = speed});
    r.frames_per_second = static_cast<double>(r.speech.frames) / std::max(r.speech.model_seconds, 1e-9);
    audio::save_wav(wav, r.speech.samples, s.mel().sample_rate);
    return r;
}

std::string audio_tag(const std::string& file, const std::string& caption) {
    return "<figure><audio controls src='" + file + "'></audio><figcaption>" + Report::escape(caption) +
           "</figcaption></figure>";
}

// Speed over several test sentences at batch 1: frames a second of each model, timed alone over
// the sentences one after another (as test.json does), and the time to a WAV (model and
// Griffin-Lim) of the same sentences.
std::vector<std::vector<std::string>> speed_rows(const Synthesizer& ar, const Synthesizer& nar,
                                                 const std::vector<Utterance>& sentences, double& ratio,
                                                 double& vocoder_share) {
    double frames[2] = {0, 0}, model[2] = {0, 0}, total[2] = {0, 0};
    int unfinished = 0;
    const Synthesizer* s[2] = {&ar, &nar};
    const size_t n = std::min<size_t>(sentences.size(), 8);
    for (int k = 0; k < 2; ++k) {
        s[k]->say(sentences.at(0).text, {.render = false});  // Untimed: the first call sizes buffers.
        for (size_t i = 0; i < n; ++i) {
            const auto sp = s[k]->say(sentences[i].text, {.render = false});
            frames[k] += static_cast<double>(sp.frames);
            model[k] += sp.model_seconds;
            if (k == 0) unfinished += static_cast<int>(sp.unfinished);
        }
        for (size_t i = 0; i < n; ++i) {
            const auto sp = s[k]->say(sentences[i].text, {});
            total[k] += sp.model_seconds + sp.vocoder_seconds;
        }
    }
    ratio = (frames[1] / model[1]) / (frames[0] / model[0]);
    vocoder_share = 1 - (model[0] + model[1]) / (total[0] + total[1]);
    auto row = [&](int k, const char* name) {
        return std::vector<std::string>{name, Report::number(frames[k], "%.0f"), Report::number(frames[k] / model[k], "%.0f"),
                                        Report::number(1e3 * model[k], "%.1f"), Report::number(1e3 * total[k], "%.0f")};
    };
    auto rows = std::vector<std::vector<std::string>>{row(0, "autoregressive (Tacotron)"), row(1, "non-autoregressive (FastSpeech)")};
    if (unfinished > 0) rows[0][0] += " (" + std::to_string(unfinished) + " stopped by the length limit)";
    return rows;
}

// A number from a run's test.json, or NaN.
double test_metric(const std::string& run, const std::string& key) {
    const io::Json j = io::parse_json(io::read_file(run + "/test.json"), run + "/test.json");
    const io::Json* v = j.find(key);
    if (!v) return std::nan("");
    if (v->is_int()) return static_cast<double>(v->integer());
    return std::holds_alternative<double>(v->value) ? std::get<double>(v->value) : std::nan("");
}

// Both runs' free-running test scores (test.json): distance from the recordings and failures.
std::string quality_table(const Runs& runs) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, run] : {std::pair{"autoregressive", runs.ar}, {"non-autoregressive", runs.nar}}) {
        const double judged = test_metric(run, "test_longest");
        rows.push_back({name, Report::number(test_metric(run, "test_mcd"), "%.2f"),
                        Report::number(test_metric(run, "test_gen_mel_l1"), "%.3f"),
                        Report::number(test_metric(run, "test_length_ratio"), "%.2f"),
                        Report::number(test_metric(run, "test_failures"), "%.0f") + " of " +
                            Report::number(judged, "%.0f")});
    }
    return Report::table_html({"decoder", "MCD-DTW (dB)", "log-mel L1", "length / recording's",
                               "failed runs among the longest test sentences"},
                              rows);
}

// The non-autoregressive model at five speeds: audio lengths against natural / speed.
std::string length_control(const Synthesizer& nar, const std::string& text, const TourOptions& o, double& worst) {
    std::vector<std::vector<std::string>> rows;
    std::string audio;
    double natural = 0;
    worst = 0;
    for (double speed : {1.0, 0.5, 0.75, 1.25, 1.5}) {
        const std::string file = "tts_speed_" + Report::number(speed, "%.2f") + ".wav";
        const Said s = say(nar, text, speed, o.out_dir + "/" + file);
        const double seconds = static_cast<double>(s.speech.samples.shape()[0]) / static_cast<double>(nar.mel().sample_rate);
        if (speed == 1.0) natural = seconds;
        const double expected = natural / speed, error = std::abs(seconds - expected) / expected;
        worst = std::max(worst, error);
        rows.push_back({Report::number(speed, "%.2f"), Report::number(seconds, "%.2f"), Report::number(expected, "%.2f"),
                        Report::number(100 * error, "%.2f") + "%"});
        audio += audio_tag(file, "speed " + Report::number(speed, "%.2f"));
    }
    return Report::table_html({"speed", "seconds of audio", "natural / speed", "difference"}, rows) + audio;
}

// The attention picture of the autoregressive run and both models' durations per character.
std::string alignment_and_durations(const Said& a, const Said& n, int64_t reduction, const TourOptions& o) {
    const Tensor alignment = a.speech.alignments.at(0);  // (steps, L)
    picture(o.out_dir + "/tts_alignment.png", alignment, 3);
    const int64_t frames = a.speech.mels[0].shape()[0];
    const std::vector<int64_t> from_attention = durations_from_alignment(alignment, frames, reduction);
    app::Series att{"read from the autoregressive model's attention"}, pred{"predicted by the non-autoregressive model"};
    for (size_t i = 0; i < from_attention.size(); ++i) {
        att.x.push_back(static_cast<double>(i));
        att.y.push_back(static_cast<double>(from_attention[i]));
    }
    const auto& d = n.speech.durations.at(0);
    for (size_t i = 0; i < d.size(); ++i) {
        pred.x.push_back(static_cast<double>(i));
        pred.y.push_back(static_cast<double>(d[i]));
    }
    pred.markers = att.markers = true;
    io::write_file_atomic(o.out_dir + "/tts_durations.svg",
                          app::line_plot_svg({att, pred}, {.title = "frames per character", .xlabel = "character",
                                                           .ylabel = "frames (11.6 ms each)"}));
    return Report::figure("tts_alignment.png", "autoregressive attention: decoder steps left to right, characters "
                                               "bottom to top (a diagonal means it reads the text in order)") +
           Report::figure("tts_durations.svg", "the duration predictor's output against the durations the "
                                               "autoregressive model's attention gives");
}

void demo_tts(const TourOptions& o, Report& report) {
    const Runs runs = pick_runs(o);
    const Synthesizer ar = Synthesizer::load(runs.ar, "ar"), nar = Synthesizer::load(runs.nar, "nar");
    const std::vector<Utterance> tests = test_sentences(runs.ar);
    const Utterance& u = tests.at(0);
    const audio::Audio recorded = audio::load_audio(runs.corpus + "/wavs/" + u.id + ".wav");
    const Said a = say(ar, u.text, 1.0, o.out_dir + "/tts_ar.wav"), n = say(nar, u.text, 1.0, o.out_dir + "/tts_nar.wav");
    fs::copy_file(runs.corpus + "/wavs/" + u.id + ".wav", o.out_dir + "/tts_recording.wav",
                  fs::copy_options::overwrite_existing);
    picture(o.out_dir + "/tts_mel_target.png", log_mel(audio::to_mono(recorded.samples), ar.mel()), 2);
    picture(o.out_dir + "/tts_mel_ar.png", a.speech.mels[0], 2);
    picture(o.out_dir + "/tts_mel_nar.png", n.speech.mels[0], 2);
    std::string html =
        "<p>Autoregressive against non-autoregressive decoding (MISSION row 17). Tacotron writes mel frames one "
        "step after another, each from the one before, until its stop token says the end; FastSpeech first decides "
        "how many frames each character lasts (a duration predictor, trained on the durations Tacotron's attention "
        "gives), repeats each character's state that many times and writes every frame at once, so its length, "
        "and the speed of speech, is chosen before decoding. Shown: " + Report::escape(runs.what) +
        ". Sentence: \"" + Report::escape(u.text) + "\".</p>";
    html += Report::figure("tts_mel_target.png", "log-mel of espeak-ng's recording (the target)") +
            Report::figure("tts_mel_ar.png", "log-mel said by the autoregressive model") +
            Report::figure("tts_mel_nar.png", "log-mel said by the non-autoregressive model") +
            audio_tag("tts_recording.wav", "espeak-ng") + audio_tag("tts_ar.wav", "autoregressive") +
            audio_tag("tts_nar.wav", "non-autoregressive");
    html += alignment_and_durations(a, n, ar.reduction(), o);
    html += quality_table(runs);
    double ratio = 0, worst = 0, vocoder = 0;
    html += Report::table_html({"decoder", "frames", "frames a second (batch 1)", "model ms", "ms to a WAV"},
                               speed_rows(ar, nar, tests, ratio, vocoder));
    html += length_control(nar, u.text, o, worst);
    html += Report::finding(
        "on these test sentences the non-autoregressive model made its frames " + Report::number(ratio, "%.1f") +
        " times as fast as the autoregressive one at batch 1 (one pass over all frames against one decoder step after "
        "another); its length follows the speed factor (largest difference " + Report::number(100 * worst, "%.2f") +
        "% from natural length / speed), while the autoregressive model decides its length as it goes and cannot be "
        "told a speed. Griffin-Lim (60 rounds of STFT and its inverse) takes " + Report::number(100 * vocoder, "%.0f") +
        "% of the time to a WAV.");
    report.add_section("Autoregressive and non-autoregressive decoders: text to speech", html);
}

}  // namespace

void add_tour_sections() { tour::add_tour_section({17, "tts", demo_tts}); }

}  // namespace kaya::tts
