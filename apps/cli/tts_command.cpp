// SPDX-License-Identifier: MIT
// kaya tts --weights RUN_DIR [--model ar|nar] [--speed S] "text" -o out.wav: text to speech
// with a model of task tts_ar or tts_nar; the text from --input FILE or stdin when not given.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/text/utf8.h"
#include "apps/train/plot.h"
#include "apps/tts/synthesizer.h"
#include "kaya/audio/audio_file.h"
#include "kaya/io/file.h"
#include "kaya/io/image.h"

namespace kaya::cli {

namespace {

struct TtsArgs {
    std::string weights, model, input, output, alignment;
    std::vector<std::string> text;
    double speed = 1.0;
    int griffin_lim = 60;
};

void run(const TtsArgs& a) {
    KAYA_CHECK(a.model.empty() || a.model == "ar" || a.model == "nar", ValueError, "--model must be ar or nar, got '",
               a.model, "'");
    KAYA_CHECK(std::isfinite(a.speed) && a.speed > 0, ValueError, "--speed must be a positive number, got ", a.speed);
    std::string text;
    for (const auto& t : a.text) text += (text.empty() ? "" : " ") + t;
    if (a.text.empty()) {
        const std::string source = a.input.empty() || a.input == "-" ? "<stdin>" : a.input;
        text = source == "<stdin>" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : io::read_file(a.input);
        // Bad bytes named by line and column, as for every text file Kaya reads.
        text::for_each_line(text, source, [](int64_t, std::string_view) {});
    }
    const auto synth = tts::Synthesizer::load(a.weights, a.model);
    const auto speech = synth.say(text, {.speed = a.speed, .vocoder = {.griffin_lim_iters = a.griffin_lim}});
    if (!speech.dropped.empty())
        std::fprintf(stderr, "kaya: warning: left out characters the model cannot say: %s\n", speech.dropped.c_str());
    if (speech.unfinished > 0)
        std::fprintf(stderr, "kaya: warning: %lld piece%s reached the length limit before the stop token\n",
                     static_cast<long long>(speech.unfinished), speech.unfinished == 1 ? "" : "s");
    audio::save_wav(a.output, speech.samples, synth.mel().sample_rate);
    if (!a.alignment.empty()) {
        KAYA_CHECK(!speech.alignments.empty(), ValueError,
                   "--alignment: only the autoregressive model has an attention alignment to draw");
        io::write_png(a.alignment, app::feature_image(speech.alignments[0], 3));
    }
    const double seconds = static_cast<double>(speech.samples.shape()[0]) / static_cast<double>(synth.mel().sample_rate);
    std::fprintf(stderr, "%s: %.2f s of speech (%zu piece%s, %lld frames) in %.2f s: model %.3f s (%.0f frames/s), "
                 "Griffin-Lim %.2f s\n",
                 a.output.c_str(), seconds, speech.pieces.size(), speech.pieces.size() == 1 ? "" : "s",
                 static_cast<long long>(speech.frames), speech.model_seconds + speech.vocoder_seconds,
                 speech.model_seconds, static_cast<double>(speech.frames) / std::max(speech.model_seconds, 1e-9),
                 speech.vocoder_seconds);
}

}  // namespace

void add_tts_command(CLI::App& app) {
    auto args = std::make_shared<TtsArgs>();
    auto* cmd = app.add_subcommand("tts", "Text to speech with a trained model (task tts_ar or tts_nar), WAV out");
    cmd->add_option("text", args->text, "The text to say (else --input or stdin)");
    cmd->add_option("--weights", args->weights, "Run directory of a tts_ar or tts_nar training")->required();
    cmd->add_option("--model", args->model, "ar or nar: refuse weights of the other kind");
    cmd->add_option("--speed", args->speed, "Speaking rate, non-autoregressive model only (1.25: a quarter faster)");
    cmd->add_option("--input", args->input, "Read the text from this file ('-': stdin)");
    cmd->add_option("-o,--output", args->output, "WAV file to write")->required();
    cmd->add_option("--alignment", args->alignment,
                    "PNG of the autoregressive model's attention for the first piece (steps left to right)");
    cmd->add_option("--griffin-lim", args->griffin_lim, "Griffin-Lim iterations (quality against time)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
