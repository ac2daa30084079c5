// SPDX-License-Identifier: MIT
#include "apps/speech/tour_section.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include "apps/speech/features.h"
#include "apps/speech/pictures.h"
#include "apps/speech/speech_data.h"
#include "apps/train/run.h"
#include "kaya/audio/kaldi.h"
#include "kaya/audio/mel.h"
#include "kaya/io/file.h"
#include "kaya/io/image.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {

using tour::Report;
using tour::TourOptions;

namespace {

namespace fs = std::filesystem;

std::string percent(double v) { return Report::number(100 * v, "%.1f") + "%"; }

// The [data] lines of the tour's runs: FSDD when --data has it, else the synthetic words.
std::string data_toml(const TourOptions& o, bool& real) {
    const std::string fsdd = o.data_dir + "/speech/fsdd_recordings.tar.gz";
    real = !o.data_dir.empty() && fs::exists(fsdd);
    if (real) return "[data]\nsource = 'fsdd'\npath = '" + fsdd + "'\n";
    return "[data]\nsource = 'toy'\ntoy_per_class = " + std::string(o.full ? "60" : "24") + "\n";
}

app::RunResult train(const TourOptions& o, const std::string& name, const std::string& kind, const std::string& extra) {
    bool real = false;
    const std::string model = kind == "speech_frames" ? "[model]\nhidden = [256, 256]\n"
                                                      : "[model]\nchannels = [16, 32]\nconvs = 1\nframes = 128\n";
    const int epochs = o.full ? 20 : (kind == "speech_frames" ? 8 : 6);
    const std::string toml = "[task]\nkind = '" + kind + "'\n" + data_toml(o, real) + extra + model +
                             "[train]\noptimizer = 'adam'\nlr = 0.002\nbatch_size = " +
                             (kind == "speech_frames" ? "256" : "16") + "\nepochs = " + std::to_string(epochs) +
                             "\nschedule = 'cosine'\nseed = 0\n[output]\ndir = '" + o.out_dir + "/runs/speech_" + name +
                             "'\n";
    std::printf("  %s\n", name.c_str());
    std::fflush(stdout);
    return app::run_training(app::Config::parse(toml, "tour speech " + name), {.force = true, .verbose = false});
}

// Pictures of one recording: the wave with its frames, spectrogram, log-mel and MFCC.
std::string pictures(const TourOptions& o, const Recording& r, int64_t rate) {
    autograd::NoGradGuard no_grad;
    io::write_file_atomic(o.out_dir + "/speech_waveform.svg",
                          waveform_svg(r.wave, rate, 25, 10, "recording " + r.name + ": 25 ms frames every 10 ms", 0.3));
    audio::KaldiOptions k;
    k.sample_frequency = static_cast<double>(rate);
    const auto framing = audio::kaldi_framing(k);
    audio::SpectrogramOptions s{.n_fft = framing.padded_size, .win_length = framing.window_size,
                                .hop_length = framing.window_shift, .window = audio::WindowKind::Hamming,
                                .center = false};
    Tensor spec = transpose(audio::amplitude_to_db(audio::spectrogram(r.wave, s), 10.0, 1e-10, 0.0, 80.0), 0, 1);
    io::write_png(o.out_dir + "/speech_spectrogram.png", feature_image(spec, 2));
    k.num_mel_bins = 40;
    io::write_png(o.out_dir + "/speech_logmel.png", feature_image(audio::kaldi_fbank(r.wave, k), 4));
    k.num_mel_bins = 23;
    Tensor mfcc = audio::kaldi_mfcc(r.wave, k);
    io::write_png(o.out_dir + "/speech_mfcc.png", feature_image(mfcc, 8));
    const int64_t frames = mfcc.shape()[0];
    return Report::figure("speech_waveform.svg", "the first 0.3 s of the wave; ticks mark where each frame starts") +
           Report::figure("speech_spectrogram.png", "power spectrogram (dB) of " + std::to_string(frames) + " frames: " +
                                                        std::to_string(framing.padded_size / 2 + 1) + " frequency bins, 0 Hz at the bottom") +
           Report::figure("speech_logmel.png", "log energies of 40 mel bands (the CNN's input)") +
           Report::figure("speech_mfcc.png", "13 MFCCs (the MLP's input, with deltas and context)");
}

}  // namespace

void demo_speech(const TourOptions& o, Report& report) {
    bool real = false;
    data_toml(o, real);
    SpeechDataOptions d;
    if (real) {
        d.source = "fsdd";
        d.path = o.data_dir + "/speech/fsdd_recordings.tar.gz";
    } else {
        d.source = "toy";
        d.toy_per_class = 24;
    }
    SpeechData data = load_speech_data(d);
    std::string html =
        "<p>Speech as frames (MISSION row 14): " +
        std::string(real ? "the Free Spoken Digit Dataset (3,000 recordings of six speakers at 8 kHz; official split, takes 0-4 are the test set)"
                         : "ten synthetic words the project makes (two or three vowel-like segments with formants, four "
                           "\"speakers\" differing in pitch, formants and speed; <code>--data ../shared/data</code> uses the "
                           "Free Spoken Digit Dataset instead)") +
        ". Every recording is cut into 25 ms windows every 10 ms (Kaldi's framing: 200 samples every 80 at 8 kHz), each "
        "windowed and Fourier-transformed; a mel filter bank and a DCT turn each frame into a few numbers.</p>";
    html += pictures(o, data.test.empty() ? data.val[0] : data.test[0], data.sample_rate);

    app::RunResult mlp = train(o, "frames", "speech_frames", "");
    app::RunResult cnn = train(o, "cnn", "speech_cnn", "");
    std::vector<std::vector<std::string>> rows;
    for (const auto* r : {&mlp, &cnn}) {
        rows.push_back({r == &mlp ? "MLP: 11 frames of 39 MFCC+deltas" : "CNN: log-mel image, per-frame outputs",
                        Report::number(static_cast<double>(r->num_parameters), "%.0f"),
                        percent(r->test.get("test_frame_accuracy")), percent(r->test.get("test_accuracy"))});
    }
    html += "<p>Two classifiers, both giving every frame its own answer; a recording's label is the vote of its "
            "frames:</p>";
    html += Report::table_html({"model", "parameters", "test frame accuracy", "test recording accuracy (vote)"}, rows);
    fs::copy_file(mlp.dir + "/confusion.svg", o.out_dir + "/speech_confusion.svg", fs::copy_options::overwrite_existing);
    fs::copy_file(mlp.dir + "/accuracy.svg", o.out_dir + "/speech_accuracy.svg", fs::copy_options::overwrite_existing);
    html += Report::figure("speech_accuracy.svg", "the MLP's frame and recording accuracy per epoch") +
            Report::figure("speech_confusion.svg", "the MLP's test recordings: true word by voted word");

    // Speaker-independent: each speaker held out in turn (the MLP).
    std::set<std::string> speakers;
    for (const auto& r : data.train) speakers.insert(r.speaker);
    std::vector<std::vector<std::string>> srows;
    double worst = 1, total = 0;
    std::string worst_name;
    for (const auto& s : speakers) {
        app::RunResult r = train(o, "without_" + s, "speech_frames", "test_speaker = '" + s + "'\n");
        const double acc = r.test.get("test_accuracy");
        srows.push_back({s, percent(r.test.get("test_frame_accuracy")), percent(acc)});
        total += acc;
        if (acc < worst) worst = acc, worst_name = s;
    }
    const double mean_acc = total / static_cast<double>(speakers.size());
    html += "<p>The same MLP trained on all speakers but one and tested on that one's recordings (a voice it "
            "never heard):</p>";
    html += Report::table_html({"held-out speaker", "frame accuracy", "recording accuracy"}, srows);
    const double official = mlp.test.get("test_accuracy");
    html += Report::finding(
        "on its own, a single 25 ms frame (with its context) gets " + percent(mlp.test.get("test_frame_accuracy")) +
        " of the MLP's test frames right; the vote of a recording's frames names " + percent(official) +
        " of the recordings, since a wrong answer must win a majority of a recording's frames. The CNN over the log-mel image reaches " + percent(cnn.test.get("test_accuracy")) +
        " of recordings. On voices never heard in training the MLP averages " + percent(mean_acc) + " (worst: " +
        worst_name + ", " + percent(worst) + ") against " + percent(official) +
        " when every speaker was in the training set: speaker variation is the hard part.");
    report.add_section("Speech: 25 ms frames every 10 ms", html);
}

void add_tour_sections() { tour::add_tour_section({14, "speech frames", demo_speech}); }

}  // namespace kaya::speech
