// SPDX-License-Identifier: MIT
// The spoken-word classifiers end to end on words the project synthesises (toy_speech.h):
// both models through the harness, the vote, context windows, FSDD names, folders of a user's
// recordings with bad files skipped and listed, and the model file read back by `kaya classify`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "apps/speech/speech_task.h"
#include "apps/speech/toy_speech.h"
#include "apps/train/run.h"
#include "kaya/audio/audio_file.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::speech {
namespace {

namespace fs = std::filesystem;

const bool kRegistered = [] {
    register_tasks(app::task_registry());
    return true;
}();

std::string toy_config(const std::string& kind, const std::string& dir, const std::string& model) {
    return "[task]\nkind = '" + kind + "'\n[data]\nsource = 'toy'\ntoy_per_class = 24\nval_fraction = 0.2\n" + model +
           "[train]\nlr = 0.003\nbatch_size = " + (kind == "speech_cnn" ? "16" : "128") +
           "\nepochs = 8\nseed = 0\n[output]\ndir = '" + dir + "'\n";
}

struct ToyRuns {
    std::string dir;
    app::RunResult frames, cnn;
    ToyRuns() {
        dir = testing::TempDir() + "/kaya_speech_toy_" + std::to_string(getpid());
        fs::remove_all(dir);
        frames = app::run_training(
            app::Config::parse(toy_config("speech_frames", dir + "/frames", "[model]\nhidden = [64]\ncontext = 3\n"), "toy"),
            {.verbose = false});
        cnn = app::run_training(
            app::Config::parse(toy_config("speech_cnn", dir + "/cnn", "[model]\nchannels = [8, 16]\nconvs = 1\nframes = 64\ndropout = 0.0\n"),
                               "toy"),
            {.verbose = false});
    }
    ~ToyRuns() { fs::remove_all(dir); }
};

ToyRuns& toy() {
    static ToyRuns runs;
    return runs;
}

TEST(SpeechTask, FrameMlpLearnsTheToyWords) {
    const app::Metrics& t = toy().frames.test;
    EXPECT_GT(t.get("test_accuracy"), 0.9) << t.get("test_accuracy");
    EXPECT_GT(t.get("test_frame_accuracy"), 0.6) << t.get("test_frame_accuracy");
    EXPECT_TRUE(t.has("test_accuracy_toy0"));
    for (const char* f : {"accuracy.svg", "confusion.svg", "predictions.csv", "model.safetensors"}) {
        EXPECT_TRUE(fs::exists(toy().dir + "/frames/" + f)) << f;
    }
}

TEST(SpeechTask, CnnLearnsTheToyWordsFrameByFrame) {
    const app::Metrics& t = toy().cnn.test;
    EXPECT_GT(t.get("test_accuracy"), 0.8) << t.get("test_accuracy");
    EXPECT_GT(t.get("test_frame_accuracy"), 0.5) << t.get("test_frame_accuracy");
}

// The predicted class of a test recording in a run's predictions.csv.
std::string predicted_in_run(const std::string& run, const std::string& file) {
    std::ifstream in(run + "/predictions.csv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(file + ",", 0) != 0) continue;
        // file,speaker,label,predicted,correct
        std::vector<std::string> f;
        size_t start = 0;
        for (size_t p = line.find(','); p != std::string::npos; p = line.find(',', start = p + 1)) {
            f.push_back(line.substr(start, p - start));
            start = p + 1;
        }
        return f.size() >= 4 ? f[3] : "";
    }
    return "";
}

TEST(SpeechTask, ClassifierReadsTheModelBackAndAgreesWithTheRun) {
    const Recording first = toy_recordings(24, 8000, 1)[0];  // Word 0, take 0: a test recording.
    for (const char* kind : {"frames", "cnn"}) {
        const std::string run = toy().dir + "/" + kind;
        SpeechClassifier c = SpeechClassifier::load(run + "/model.safetensors");
        EXPECT_EQ(c.classes(), toy_words());
        EXPECT_EQ(c.sample_rate(), 8000);
        auto r = c.classify(first.wave);
        EXPECT_EQ(toy_words()[r.label], predicted_in_run(run, first.name)) << kind;
        double total = 0;
        for (double v : r.votes) total += v;
        EXPECT_NEAR(total, 1.0, 1e-9);
    }
    // A user's file at another rate: written at 16 kHz, read back and resampled to the model's.
    SpeechClassifier c = SpeechClassifier::load(toy().dir + "/frames/model.safetensors");
    auto recs = toy_recordings(3, 16000, 1);
    std::string wav = toy().dir + "/word.wav";
    audio::save_wav(wav, recs[0].wave, 16000);
    EXPECT_EQ(c.classify(load_wave(wav, c.sample_rate())).label, 0);
    EXPECT_NE(test::error_of([] { SpeechClassifier::load(toy().dir + "/frames/checkpoint.safetensors"); }), "");
}

TEST(Vote, MajorityThenSummedLogProbabilities) {
    // Frames vote 0, 1, 1: class 1 wins.
    Tensor lp = log(from_vector<double>({0.6, 0.4, 0.3, 0.7, 0.2, 0.8}, {3, 2}));
    EXPECT_EQ(vote(lp), 1);
    // One vote each: the larger summed log-probability decides (0.9 + 0.45 vs 0.1 + 0.55).
    Tensor tie = log(from_vector<double>({0.9, 0.1, 0.45, 0.55}, {2, 2}));
    EXPECT_EQ(vote(tie), 0);
}

TEST(ContextWindows, RepeatTheEdgeFrames) {
    Tensor f = from_vector<float>({1, 10, 2, 20, 3, 30}, {3, 2});
    Tensor w = context_windows(f, 1);
    ASSERT_EQ(w.shape(), (Shape{3, 6}));
    EXPECT_EQ(to_vector<float>(w), (std::vector<float>{1, 10, 1, 10, 2, 20, 1, 10, 2, 20, 3, 30, 2, 20, 3, 30, 3, 30}));
}

TEST(SpeechData, FsddNames) {
    int64_t d = 0, i = 0;
    std::string s;
    EXPECT_TRUE(parse_fsdd_name("7_jackson_32.wav", d, s, i));
    EXPECT_EQ(d, 7);
    EXPECT_EQ(s, "jackson");
    EXPECT_EQ(i, 32);
    EXPECT_TRUE(parse_fsdd_name("0_the_o_4.wav", d, s, i));
    EXPECT_EQ(s, "the_o");
    for (const char* bad : {"jackson_7_32.wav", "7_jackson.wav", "7_jackson_x.wav", "7__3.wav", "7_jackson_32.mp3",
                            "12_jackson_3.wav"}) {
        EXPECT_FALSE(parse_fsdd_name(bad, d, s, i)) << bad;
    }
}

// A user's recordings: two class folders at 16 kHz, with a text file, a corrupt WAV and a clip
// shorter than one window among them; all three skipped and named, the rest trained on.
TEST(SpeechData, FoldersSkipBadFilesAndSayWhy) {
    const std::string dir = testing::TempDir() + "/kaya_speech_folder_" + std::to_string(getpid());
    fs::remove_all(dir);
    auto recs = toy_recordings(12, 16000, 3);
    for (const auto& r : recs) {
        if (r.label > 1) continue;
        fs::create_directories(dir + "/train/" + toy_words()[r.label]);
        audio::save_wav(dir + "/train/" + toy_words()[r.label] + "/" + r.name, r.wave, 16000);
    }
    const std::string cls = dir + "/train/" + toy_words()[0];
    std::ofstream(cls + "/notes.txt") << "not audio";
    std::ofstream(cls + "/broken.wav") << "RIFF1234WAVEfmt garbage";
    audio::save_wav(cls + "/short.wav", zeros({100}), 16000);
    // A test folder with a class the training folder lacks: skipped, not silently dropped.
    fs::create_directories(dir + "/test/" + toy_words()[1]);
    fs::create_directories(dir + "/test/unknown");
    audio::save_wav(dir + "/test/" + toy_words()[1] + "/a.wav", recs[1].wave, 16000);
    audio::save_wav(dir + "/test/unknown/b.wav", recs[1].wave, 16000);
    SpeechDataOptions o;
    o.source = "folder";
    o.train = dir + "/train";
    o.test = dir + "/test";
    SpeechData d = load_speech_data(o);
    EXPECT_EQ(d.classes.size(), 2u);
    EXPECT_EQ(d.train.size() + d.val.size(), 25u);  // 24 recordings and the short clip.
    EXPECT_EQ(d.test.size(), 1u);
    ASSERT_EQ(d.skipped.size(), 3u);
    EXPECT_NE(d.skipped[2].reason.find("'unknown' is not among the training classes"), std::string::npos)
        << d.skipped[2].reason;
    EXPECT_NE(d.description.find("skipped 3 file(s)"), std::string::npos) << d.description;
    auto cfg = app::Config::parse("[task]\nkind = 'speech_frames'\n[data]\nsource = 'folder'\ntrain = '" + dir +
                                      "/train'\nval_fraction = 0.25\n[model]\nhidden = [16]\n[train]\nepochs = 1\n"
                                      "batch_size = 64\n[output]\ndir = '" + dir + "/run'\n",
                                  "folder");
    app::RunResult r = app::run_training(cfg, {.verbose = false});
    std::ifstream skipped(dir + "/run/skipped.csv");
    std::string text((std::istreambuf_iterator<char>(skipped)), {});
    EXPECT_NE(text.find("notes.txt"), std::string::npos) << text;
    EXPECT_NE(text.find("broken.wav"), std::string::npos) << text;
    EXPECT_NE(text.find("short.wav"), std::string::npos) << text;
    fs::remove_all(dir);
}

TEST(SpeechData, BadSettingsGetClearErrors) {
    SpeechDataOptions o;
    o.source = "fsdd";
    o.path = "/nonexistent/fsdd.tar.gz";
    EXPECT_NE(test::error_of([&] { load_speech_data(o); }).find("no such file"), std::string::npos);
    o.source = "toy";
    o.toy_per_class = 8;
    o.test_speaker = "nobody";
    EXPECT_NE(test::error_of([&] { load_speech_data(o); }).find("'nobody' is not among"), std::string::npos);
    EXPECT_NE(test::error_of([] { compute_features(zeros({50}), 8000, {}, "tiny.wav"); }).find("tiny.wav"),
              std::string::npos);
}

}  // namespace
}  // namespace kaya::speech
