// SPDX-License-Identifier: MIT
#include "apps/vision/tour_section.h"

#include <cstdio>
#include <filesystem>

#include "apps/train/run.h"
#include "apps/vision/cnn.h"
#include "kaya/io/file.h"

namespace kaya::vision {

using tour::Report;
using tour::TourOptions;

namespace {

namespace fs = std::filesystem;

const char* kFashion = "/usr/share/datasets/fashion-mnist";

std::string percent(double v) { return Report::number(100 * v, "%.1f") + "%"; }

struct StudyRun {
    std::string label;
    app::RunResult result;
};

// One small CNN run on a slice of Fashion-MNIST; `extra` adds or overrides keys.
StudyRun train(const TourOptions& o, const std::string& label, const std::string& name, const std::string& extra) {
    std::printf("  %s\n", label.c_str());
    std::fflush(stdout);
    const std::string toml =
        "[task]\nkind = 'image_classifier'\n[data]\nsource = 'fashion_mnist'\ndir = '" + std::string(kFashion) +
        "'\nlimit_train = " + std::to_string(o.full ? 30000 : 3000) + "\nlimit_test = " +
        std::to_string(o.full ? 10000 : 2000) + "\n[model]\nchannels = [16, 32]\nhidden = [128]\n" +
        extra + "\n[train]\noptimizer = 'adam'\nlr = 0.002\nbatch_size = 64\nepochs = " +
        std::to_string(o.full ? 10 : 2) + "\nschedule = 'cosine'\nseed = 0\n[output]\ndir = '" + o.out_dir +
        "/runs/vision_" + name + "'\n";
    return {label, app::run_training(app::Config::parse(toml, "tour vision " + name), {.force = true, .verbose = false})};
}

double mean_epoch_seconds(const app::RunResult& r) {
    double s = 0;
    for (const auto& m : r.history) s += m.get("seconds");
    return r.history.empty() ? 0 : s / static_cast<double>(r.history.size());
}

std::string pooling_study(const TourOptions& o, std::string& finding) {
    std::vector<std::vector<std::string>> rows;
    double gap_none = 0, gap_max = 0, test_none = 0, test_max = 0;
    int64_t params_none = 0, params_max = 0;
    for (const char* pool : {"max", "avg", "stride", "none"}) {
        CnnOptions opts;
        opts.channels = {16, 32};
        opts.hidden = {128};
        opts.pool = pool;
        opts.dropout = 0;
        opts.head_dropout = 0;
        auto net = build_cnn(opts, {1, 28, 28}, 10, {0.3}, {0.35});
        int64_t macs = 0;
        for (const auto& l : layer_costs(*net, {1, 28, 28})) macs += l.multiply_adds;
        StudyRun r = train(o, std::string("pooling: ") + pool, std::string("pool_") + pool,
                           "pool = '" + std::string(pool) + "'\ndropout = 0.0\nhead_dropout = 0.0\n"
                           "[evaluate]\nviews = []");
        const double tr = r.result.best("train_accuracy"), te = r.result.test.get("test_accuracy");
        rows.push_back({pool, Report::number(static_cast<double>(net->num_parameters()), "%.0f"),
                        Report::number(static_cast<double>(macs) / 1e6, "%.2f"),
                        Report::number(mean_epoch_seconds(r.result), "%.1f"), percent(tr), percent(te),
                        Report::number(100 * (tr - te), "%+.1f")});
        if (std::string(pool) == "none") gap_none = tr - te, test_none = te, params_none = net->num_parameters();
        if (std::string(pool) == "max") gap_max = tr - te, test_max = te, params_max = net->num_parameters();
    }
    finding = "without pooling the network has " + Report::number(static_cast<double>(params_none) / params_max, "%.1f") +
              " times the parameters (the head sees 28x28 maps instead of 7x7) and its train-test gap is " +
              Report::number(100 * gap_none, "%.1f") + " points against " + Report::number(100 * gap_max, "%.1f") +
              " with max pooling (test " + percent(test_none) + " against " + percent(test_max) + "); " +
              (gap_none > gap_max ? "pooling curbs overfitting here. "
                                  : "on this short run the gap does not show pooling curbing overfitting. ");
    return Report::table_html({"pooling", "parameters", "multiply-adds per image (M)", "seconds per epoch",
                               "training accuracy (over the epoch)", "test accuracy", "gap (points)"},
                              rows);
}

std::string augmentation_study(const TourOptions& o, std::string& finding) {
    const std::vector<std::pair<std::string, std::string>> variants = {
        {"none", ""},
        {"left-right flips", "hflip = 0.5"},
        {"up-down flips", "vflip = 0.5"},
        {"rotation and scale", "rotation = 30\nscale_min = 0.8\nscale_max = 1.2"},
        {"all of these", "hflip = 0.5\nvflip = 0.5\nrotation = 30\nscale_min = 0.8\nscale_max = 1.2"}};
    const std::vector<std::pair<std::string, std::string>> views = {
        {"test_accuracy", "test"},          {"test_accuracy_rot15", "rotated 15"},
        {"test_accuracy_rot30", "rotated 30"}, {"test_accuracy_scale0.8", "scaled 0.8"},
        {"test_accuracy_scale1.2", "scaled 1.2"}, {"test_accuracy_vflip", "flipped up-down"}};
    std::vector<std::string> header = {"trained with"};
    for (const auto& v : views) header.push_back(v.second);
    std::vector<std::vector<std::string>> rows;
    std::vector<app::Metrics> tests;
    for (size_t i = 0; i < variants.size(); ++i) {
        StudyRun r = train(o, "augmentation: " + variants[i].first, "augment_" + std::to_string(i),
                           "[augment]\n" + variants[i].second);
        std::vector<std::string> row = {variants[i].first};
        for (const auto& v : views) row.push_back(percent(r.result.test.get(v.first)));
        rows.push_back(row);
        tests.push_back(r.result.test);
        if (i == 0) fs::copy_file(r.result.dir + "/accuracy.svg", o.out_dir + "/vision_accuracy.svg",
                                  fs::copy_options::overwrite_existing);
        if (i + 1 == variants.size()) {
            fs::copy_file(r.result.dir + "/augmented.png", o.out_dir + "/vision_augmented.png",
                          fs::copy_options::overwrite_existing);
            for (const char* f : {"feature_maps_input.png", "feature_maps_1.png", "feature_maps_2.png"})
                fs::copy_file(r.result.dir + "/" + f, o.out_dir + "/vision_" + f, fs::copy_options::overwrite_existing);
        }
    }
    const double plain_rot = tests[0].get("test_accuracy_rot30"), rot_rot = tests[3].get("test_accuracy_rot30");
    const double plain = tests[0].get("test_accuracy"), vflip = tests[2].get("test_accuracy");
    finding = "trained without rotation, the network recognises " + percent(plain_rot) +
              " of the test images rotated by 30 degrees (" + percent(plain) + " upright); trained with rotation and scale, " +
              percent(rot_rot) + ". Up-down flips, which no garment photo shows, " +
              (vflip < plain ? "cost " + Report::number(100 * (plain - vflip), "%.1f") + " points on the normal test set"
                             : "did not cost accuracy on the normal test set in this run") +
              ". These are single short runs; README's study gives several seeds.";
    return Report::table_html(header, rows);
}

}  // namespace

void demo_vision(const TourOptions& o, Report& report) {
    if (!fs::exists(std::string(kFashion) + "/train-images-idx3-ubyte.gz")) {
        report.add_section("Convolutional networks: pooling and augmentation",
                           "<p>Fashion-MNIST is not installed (Debian package dataset-fashion-mnist; "
                           "scripts/setup.sh installs it).</p>");
        return;
    }
    std::string pool_finding, augment_finding;
    std::string html =
        "<p>A CNN on Fashion-MNIST (MISSION rows 11 and 12; <code>kaya train configs/fashion_cnn.toml</code> "
        "is the full recipe, README has its numbers). Here a small one (16 and 32 channels, two 3x3 "
        "convolutions a stage, batch norm, a 128-unit head) on " +
        std::string(o.full ? "30,000" : "3,000") + " training images for " + (o.full ? "10" : "2") +
        " epochs. First the same network with max pooling, average pooling, strided convolutions "
        "instead of pooling, and no pooling (dropout off, so overfitting can show):</p>";
    html += pooling_study(o, pool_finding);
    html += "<p>Then with data augmentation, each run scored on the test images as they are and on "
            "copies rotated, scaled and flipped:</p>";
    html += augmentation_study(o, augment_finding);
    html += Report::figure("vision_augmented.png",
                           "training images (first column) and seven augmented draws of each (flips, "
                           "rotation up to 30 degrees, scale 0.8-1.2)");
    html += Report::figure("vision_feature_maps_input.png", "one test image") +
            Report::figure("vision_feature_maps_1.png", "16 feature maps after the first pooling layer (14x14)") +
            Report::figure("vision_feature_maps_2.png", "16 of the 32 feature maps after the second (7x7)");
    html += Report::figure("vision_accuracy.svg", "training and validation accuracy per epoch, no augmentation");
    html += Report::finding(pool_finding + augment_finding);
    report.add_section("Convolutional networks: pooling and augmentation", html);
}

void add_tour_sections() { tour::add_tour_section({11, "CNNs: pooling and augmentation", demo_vision}); }

}  // namespace kaya::vision
