// SPDX-License-Identifier: MIT
// FastSpeech's pieces (length regulator, speed scaling, causality-free decoding), the task
// tts_nar on durations from a toy tts_ar run, and `kaya tts` with its bad inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "apps/train/run.h"
#include "apps/tts/fastspeech.h"
#include "apps/tts/synthesizer.h"
#include "apps/tts/tacotron_task.h"
#include "apps/tts/tasks.h"
#include "apps/tts/text.h"
#include "kaya/audio/audio_file.h"
#include "kaya/io/file.h"
#include "kaya/io/process.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::tts {
namespace {

namespace fs = std::filesystem;

TEST(FastSpeechParts, LengthRegulatorAndSpeed) {
    // Durations 2, 0, 4, 1 frames: 7 frames; at 1/3 of the frame rate, positions cover frames
    // 1, 4, 6 (their middles): characters 0, 2, 3.
    EXPECT_EQ(regulate({2, 0, 4, 1}, 3), (std::vector<int64_t>{0, 2, 3}));
    EXPECT_EQ(regulate({2, 0, 4, 1}, 1), (std::vector<int64_t>{0, 0, 2, 2, 2, 2, 3}));
    EXPECT_TRUE(regulate({0, 0}, 2).empty());
    // Speed: the total is round(sum / speed) and no character drifts by more than one frame.
    const std::vector<int64_t> d = {3, 5, 2, 7, 1, 4};
    for (double speed : {0.5, 0.75, 1.0, 1.25, 1.5}) {
        const auto s = scale_durations(d, speed);
        int64_t total = 0;
        for (int64_t v : s) total += v;
        EXPECT_EQ(total, std::llround(22 / speed)) << speed;
        for (size_t i = 0; i < d.size(); ++i) EXPECT_LE(std::abs(static_cast<double>(s[i]) - d[i] / speed), 1.0);
    }
    EXPECT_NE(test::error_of([] { scale_durations({1}, 0.0); }).find("speed must be a positive number"),
              std::string::npos);
}

TEST(FastSpeechParts, ShapesAndPadding) {
    manual_seed(2);
    FastSpeech m({.d_model = 16, .heads = 2, .encoder_layers = 1, .decoder_layers = 1, .filter = 32,
                  .duration_filter = 16, .reduction = 2, .postnet_layers = 2, .postnet_channels = 8, .dropout = 0.0});
    m.eval();
    const Tensor text = from_vector<int64_t>({5, 6, 7, 1, 8, 1, 0, 0}, {2, 4});
    const Tensor lengths = from_vector<int64_t>({4, 2}, {2});
    const Tensor durations = from_vector<int64_t>({2, 3, 1, 1, 4, 2, 0, 0}, {2, 4});
    const FastSpeechOutput out = m.forward(text, lengths, durations);
    EXPECT_EQ(out.mel.shape(), Shape({2, 8, 80}));  // 7 and 6 frames -> 4 positions of 2.
    EXPECT_EQ(out.log_duration.shape(), Shape({2, 4}));
    EXPECT_EQ(select(select(out.log_duration, 0, 1), 0, 3).item<double>(), 0.0);  // Padding.
    // The second item alone gives the same frames: padding changes nothing.
    const FastSpeechOutput alone = m.forward(narrow(narrow(text, 0, 1, 1), 1, 0, 2), narrow(lengths, 0, 1, 1),
                                             narrow(narrow(durations, 0, 1, 1), 1, 0, 2));
    EXPECT_LT(max(abs(sub(narrow(select(out.log_duration, 0, 1), 0, 0, 2), select(alone.log_duration, 0, 0)))).item<double>(),
              1e-4);
    EXPECT_LT(max(abs(sub(narrow(select(out.mel, 0, 1), 0, 0, 6), narrow(select(alone.mel, 0, 0), 0, 0, 6))))
                  .item<double>(),
              1e-4);
    EXPECT_LT(max(abs(sub(narrow(select(out.mel_post, 0, 1), 0, 0, 6), narrow(select(alone.mel_post, 0, 0), 0, 0, 6))))
                  .item<double>(),
              1e-4);
    const auto g = m.generate(from_vector<int64_t>({5, 6, 1}, {3}), 1.0);
    int64_t total = 0;
    for (int64_t v : g.durations) total += v;
    EXPECT_EQ(g.mel.shape(), Shape({total, 80}));
}

TEST(TextToSpeech, BothModelsTrainAndSpeakThroughTheCommand) {
    const std::string dir = (fs::temp_directory_path() / ("kaya_tts_cli_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    app::TaskRegistry reg;
    register_tasks(reg);
    const std::string data = "[data]\ncorpus = '" + dir + "/corpus'\nsentences_from = 'toy'\nsentences = 30\ndev = 3\n"
                             "test = 3\n";
    const std::string train = "[train]\noptimizer = 'adam'\nlr = 0.003\nbatch_size = 8\nepochs = 1\n";
    app::run_training(app::Config::parse("[task]\nkind = 'tts_ar'\n" + data +
                                             "[model]\nembedding = 16\nencoder_convs = 1\nencoder_channels = 16\n"
                                             "encoder_lstm = 8\nattention = 16\nprenet = 16\nattention_rnn = 16\n"
                                             "decoder_rnn = 16\npostnet_layers = 2\npostnet_channels = 8\n" +
                                             train + "[output]\ndir = '" + dir + "/ar'\n",
                                         "ar.toml"),
                      {.verbose = false}, reg);
    ASSERT_TRUE(fs::exists(dir + "/ar/durations.tsv"));
    const app::RunResult nar = app::run_training(
        app::Config::parse("[task]\nkind = 'tts_nar'\n" + data + "durations = '" + dir + "/ar/durations.tsv'\n" +
                               "[model]\nd_model = 16\nheads = 2\nencoder_layers = 1\ndecoder_layers = 1\nfilter = 32\n"
                               "duration_filter = 16\n" + train + "[output]\ndir = '" + dir + "/nar'\n",
                           "nar.toml"),
        {.verbose = false}, reg);
    // Length control holds by construction (carried rounding): within one frame of natural / speed.
    for (const char* k : {"test_speed_0.50_length_error", "test_speed_1.50_length_error"}) EXPECT_LT(nar.test.get(k), 0.05);
    EXPECT_EQ(nar.test.get("test_failures"), 0.0);
    // The command, with both models and bad input.
    const std::string kaya = KAYA_BINARY;
    auto run = [&](const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kaya, "tts"};
        argv.insert(argv.end(), args.begin(), args.end());
        return io::run_process(argv, "", 120);
    };
    for (const char* m : {"ar", "nar"}) {
        const auto r = run({"--weights", dir + "/" + m, "--model", m, "The boat, 3 times!", "-o", dir + "/" + m + ".wav"});
        EXPECT_EQ(r.exit_status, 0) << r.err;
        const audio::Audio a = audio::load_audio(dir + "/" + m + ".wav");
        EXPECT_EQ(a.sample_rate, 22050);
        EXPECT_GT(a.samples.shape()[1], 0);
    }
    auto fails_with = [&](const std::vector<std::string>& args, const std::string& message) {
        const auto r = run(args);
        EXPECT_NE(r.exit_status, 0);
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    };
    fails_with({"--weights", dir + "/nar", "", "-o", dir + "/x.wav"}, "nothing to say: the text is empty");
    fails_with({"--weights", dir + "/nar", "\u4F60\u597D", "-o", dir + "/x.wav"}, "can be spoken");
    fails_with({"--weights", dir + "/nar", "--speed", "0", "hi", "-o", dir + "/x.wav"}, "positive number");
    fails_with({"--weights", dir + "/nar", "--speed", "-1", "hi", "-o", dir + "/x.wav"}, "positive number");
    fails_with({"--weights", dir + "/ar", "--speed", "1.5", "hi", "-o", dir + "/x.wav"}, "--model nar");
    fails_with({"--weights", dir + "/ar", "--model", "nar", "hi", "-o", dir + "/x.wav"}, "use --model ar");
    fails_with({"--weights", dir + "/corpus", "hi", "-o", dir + "/x.wav"}, "holds no model.safetensors");
    io::write_file_atomic(dir + "/bad.txt", "hello\nwor\xffld\n");
    fails_with({"--weights", dir + "/nar", "--input", dir + "/bad.txt", "-o", dir + "/x.wav"}, "bad.txt:2:4: invalid UTF-8");
    EXPECT_FALSE(fs::exists(dir + "/x.wav"));
    const auto warned = run({"--weights", dir + "/nar", "hi #you", "-o", dir + "/w.wav"});
    EXPECT_EQ(warned.exit_status, 0);
    EXPECT_NE(warned.err.find("left out characters the model cannot say: #"), std::string::npos) << warned.err;
    fs::remove_all(dir);
}

// The shipped configs read cleanly: every key known and in range (the fine-tuning ones without
// their starting weights, which come from the other runs).
TEST(TextToSpeech, ShippedConfigsAreValid) {
    for (const char* c : {"tts_ar", "tts_nar", "tts_ar_lj001", "tts_nar_lj001"}) {
        const auto r = io::run_process({KAYA_BINARY, "train", std::string(KAYA_SOURCE_DIR) + "/configs/" + c + ".toml",
                                        "--print-config", "--set", "model.init_weights="},
                                       "", 60);
        EXPECT_EQ(r.exit_status, 0) << c << ": " << r.err;
        EXPECT_NE(r.out.find("[model]"), std::string::npos) << c;
    }
}

TEST(TextToSpeech, LongTextIsSaidSentenceBySentence) {
    EXPECT_EQ(split_sentences("one two. three four; five six", 12),
              (std::vector<std::string>{"one two.", "three four;", "five six"}));
    EXPECT_EQ(split_sentences("short.", 160), (std::vector<std::string>{"short."}));
    EXPECT_EQ(split_sentences("abcdefghijklmnop qr", 5), (std::vector<std::string>{"abcdefghijklmnop", "qr"}));
}

}  // namespace
}  // namespace kaya::tts
