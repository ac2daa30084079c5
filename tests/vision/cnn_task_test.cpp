// SPDX-License-Identifier: MIT
// The image classifier end to end on pictures the project draws (toy_images.h): folders of
// PNGs through the harness, the network's layers and costs, the transformed test views, the
// model file read back by `kaya predict`, and bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "apps/train/run.h"
#include "apps/train/sweep.h"
#include "apps/vision/cnn_task.h"
#include "apps/vision/toy_images.h"
#include "kaya/io/file.h"
#include "kaya/io/image.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::vision {
namespace {

namespace fs = std::filesystem;

const bool kRegistered = [] {
    register_tasks(app::task_registry());
    return true;
}();

std::string folder_config(const std::string& dir, const std::string& extra = "") {
    return "[task]\nkind = 'image_classifier'\n[data]\nsource = 'folder'\ntrain = '" + dir +
           "/train'\ntest = '" + dir + "/test'\nchannels = '1'\nval_fraction = 0.2\n[model]\n"
           "channels = [8, 16]\nconvs = 1\nhidden = [32]\ndropout = 0.0\nhead_dropout = 0.0\n"
           "[evaluate]\nviews = ['rot30', 'vflip']\n[train]\nlr = 0.005\nbatch_size = 32\nepochs = 10\n"
           "seed = 0\n[output]\ndir = '" + dir + "/run'\n" + extra;
}

// Toy train/test folders and one short training run, shared by the tests below.
struct ToyRun {
    std::string dir;
    app::RunResult result;
    ToyRun() {
        dir = testing::TempDir() + "/kaya_cnn_toy_" + std::to_string(getpid());
        fs::remove_all(dir);
        write_toy_image_folder(dir + "/train", 120, 20, 1, 1);
        write_toy_image_folder(dir + "/test", 20, 20, 1, 2);
        result = app::run_training(app::Config::parse(folder_config(dir), "toy cnn"), {.verbose = false});
    }
    ~ToyRun() { fs::remove_all(dir); }
};

ToyRun& toy() {
    static ToyRun run;
    return run;
}

TEST(CnnTask, LearnsTheToyShapesAndScoresTheViews) {
    const app::Metrics& t = toy().result.test;
    EXPECT_GT(t.get("test_accuracy"), 0.9) << t.get("test_accuracy");
    // Flipped up-down, a horizontal bar stays one: the view is scored, not assumed.
    EXPECT_TRUE(t.has("test_accuracy_rot30"));
    EXPECT_TRUE(t.has("test_accuracy_vflip"));
    EXPECT_FALSE(t.has("test_accuracy_scale0.8"));
    for (const char* f : {"accuracy.svg", "confusion.svg", "layers.csv", "augmented.png",
                          "feature_maps_input.png", "feature_maps_1.png", "feature_maps_2.png"}) {
        EXPECT_TRUE(fs::exists(toy().dir + "/run/" + f)) << f;
    }
    Tensor grid = io::read_image(toy().dir + "/run/feature_maps_1.png");
    EXPECT_EQ(grid.shape()[0], 1);
}

TEST(CnnTask, ModelFileClassifiesAPictureFromDisk) {
    ImageClassifier net = ImageClassifier::load(toy().dir + "/run/model.safetensors");
    EXPECT_EQ(net.classes(), toy_image_classes());
    EXPECT_EQ(net.shape().height, 20);
    EXPECT_LT(net.background(), 0.3);
    int right = 0;
    for (int64_t c = 0; c < 4; ++c) {
        for (uint64_t s = 0; s < 5; ++s) {
            // Drawn larger and in colour: the loader converts to grey and resizes.
            const std::string path = toy().dir + "/probe.png";
            io::write_png(path, draw_toy_image(c, 40, 3, 5000 + s + 10 * static_cast<uint64_t>(c)));
            auto p = net.probabilities(load_image_as(path, net.shape()));
            ASSERT_EQ(p.size(), 4u);
            double total = 0;
            for (double v : p) total += v;
            EXPECT_NEAR(total, 1.0, 1e-5);
            right += std::max_element(p.begin(), p.end()) - p.begin() == c;
        }
    }
    EXPECT_GE(right, 16);
    EXPECT_NE(test::error_of([&] { net.probabilities(zeros({3, 20, 20})); }).find("takes images (1, 20, 20)"),
              std::string::npos);
}

TEST(CnnTask, PredictCommandPrintsTopClasses) {
    const std::string path = toy().dir + "/bar.png";
    io::write_png(path, draw_toy_image(1, 20, 1, 77));
    const std::string out_file = toy().dir + "/predict.txt";
    const std::string cmd = std::string(KAYA_BINARY) + " predict --weights " + toy().dir + "/run " + path +
                            " --top 2 > " + out_file + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << io::read_file(out_file);
    const std::string out = io::read_file(out_file);
    EXPECT_NE(out.find("bar.png: bar_vertical "), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '%'), 2) << out;
    // The same bar drawn dark on white: inverted to the training images' dark background.
    io::write_png(toy().dir + "/bar_on_white.png", rsub(draw_toy_image(1, 20, 1, 77), 1.0));
    const std::string inv = std::string(KAYA_BINARY) + " predict --weights " + toy().dir + "/run/model.safetensors " +
                            toy().dir + "/bar_on_white.png > " + out_file + " 2>&1";
    ASSERT_EQ(std::system(inv.c_str()), 0) << io::read_file(out_file);
    EXPECT_NE(io::read_file(out_file).find("bar_on_white.png (inverted): bar_vertical "), std::string::npos)
        << io::read_file(out_file);
    // A broken picture: an error naming the file, no crash.
    io::write_file_atomic(toy().dir + "/broken.png", "\x89PNG\r\n\x1a\nnot really");
    const std::string bad = std::string(KAYA_BINARY) + " predict --weights " + toy().dir + "/run " +
                            toy().dir + "/broken.png > " + out_file + " 2>&1";
    EXPECT_NE(std::system(bad.c_str()), 0);
    EXPECT_NE(io::read_file(out_file).find("broken.png"), std::string::npos) << io::read_file(out_file);
}

// A study is a sweep: its table carries the training accuracy at the best epoch and every
// test score, also when a resumed sweep reads finished runs back.
TEST(CnnTask, SweepTableHasTrainingAndTestColumns) {
    std::string text = folder_config(toy().dir);
    text.replace(text.find("epochs = 10"), 11, "epochs = 1");
    const std::string out = toy().dir + "/sweep";
    app::sweep(app::Config::parse(text, "study.toml"), {app::parse_sweep_axis("model.pool=max,stride")},
               {.out_dir = out, .verbose = false});
    const std::string csv = io::read_file(out + "/sweep.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "model.pool,best_val_accuracy,best_epoch,train_loss,train_accuracy,val_loss,test_loss,"
              "test_accuracy,test_accuracy_rot30,test_accuracy_vflip,seconds,dir");
    app::sweep(app::Config::parse(text, "study.toml"), {app::parse_sweep_axis("model.pool=max,stride")},
               {.out_dir = out, .resume = true, .verbose = false});
    const std::string again = io::read_file(out + "/sweep.csv");
    EXPECT_EQ(again.substr(0, again.find('\n')), csv.substr(0, csv.find('\n')));
    // Same rows but for the seconds and the last digits that csv printing rounds.
    EXPECT_EQ(std::count(again.begin(), again.end(), '\n'), 3);
}

TEST(CnnTask, LayerTableCountsParametersAndMultiplyAdds) {
    for (const char* pool : {"max", "avg", "stride", "none"}) {
        CnnOptions o;
        o.pool = pool;
        auto net = build_cnn(o, {1, 28, 28}, 10, {0.3}, {0.35});
        auto rows = layer_costs(*net, {1, 28, 28});
        int64_t params = 0, macs = 0;
        for (const auto& r : rows) params += r.parameters, macs += r.multiply_adds;
        EXPECT_EQ(params, net->num_parameters()) << pool;
        const int64_t side = std::string(pool) == "none" ? 28 : 7;
        EXPECT_EQ(rows.back().shape, (std::vector<int64_t>{10})) << pool;
        // The head's first layer sees 64 maps of side x side.
        int64_t head_in = 0;
        for (const auto& r : rows)
            if (r.name.find("Linear") != std::string::npos && head_in == 0) head_in = r.parameters / 256 - 1;
        EXPECT_EQ(head_in, 64 * side * side) << pool;
        // Second convolution of the first stage: 28 x 28 x 32 outputs (14 x 14 when it has the
        // stride), 32 x 9 multiply-adds each.
        const bool strided = std::string(pool) == "stride";
        EXPECT_EQ(rows[4].multiply_adds, (strided ? 14 * 14 : 28 * 28) * 32 * 32 * 9) << pool;
        EXPECT_GT(macs, strided ? 8'000'000 : 18'000'000) << pool;
        EXPECT_EQ(downsampling_points(*net, {1, 28, 28}).size(), std::string(pool) == "none" ? 0u : 2u) << pool;
    }
}

TEST(CnnTask, BadConfigsAndFilesNameTheProblem) {
    auto err = [](const std::string& text) {
        return test::error_of([&] { app::run_training(app::Config::parse(text, "cnn.toml"), {.verbose = false}); });
    };
    const std::string dir = testing::TempDir() + "/kaya_cnn_bad_" + std::to_string(getpid());
    fs::remove_all(dir);
    EXPECT_NE(err(folder_config(dir, "[augment]\nrotation = 200\n")).find("augment.rotation"), std::string::npos);
    EXPECT_NE(err(folder_config(dir) + "").find("not a directory"), std::string::npos);
    write_toy_image_folder(dir + "/train", 3, 12, 1, 3);
    write_toy_image_folder(dir + "/test", 1, 12, 1, 4);
    std::string text = folder_config(dir);
    text.replace(text.find("channels = [8, 16]"), 18, "channels = [8, 16]\nkernel = 4");
    EXPECT_NE(err(text).find("model.kernel"), std::string::npos);
    text = folder_config(dir);
    text.replace(text.find("'rot30'"), 7, "'rot45'");
    EXPECT_NE(err(text).find("evaluate.views"), std::string::npos);
    // A truncated PNG among the training pictures: its path in the error.
    io::write_file_atomic(dir + "/train/ring/bad.png", "\x89PNG\r\n\x1a\n");
    EXPECT_NE(err(folder_config(dir)).find("bad.png"), std::string::npos);
    fs::remove(dir + "/train/ring/bad.png");
    // Too small for the stages.
    text = folder_config(dir);
    text.replace(text.find("channels = [8, 16]"), 18, "channels = [8, 8, 8, 8, 8]");
    EXPECT_NE(err(text).find("too small"), std::string::npos);
    // Weights of another task.
    io::write_file_atomic(dir + "/not_a_model.safetensors", "");
    EXPECT_NE(test::error_of([&] { ImageClassifier::load(dir + "/not_a_model.safetensors"); }).find("not_a_model"),
              std::string::npos);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::vision
