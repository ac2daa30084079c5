// SPDX-License-Identifier: MIT
// kaya predict --weights RUN_DIR_OR_FILE image.png [more images] [--top K] [--invert auto|yes|no]:
// an image classifier's most likely classes for each picture, with probabilities.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>

#include "apps/cli/commands.h"
#include "apps/vision/cnn_task.h"
#include "kaya/ops/ops.h"

namespace kaya::cli {

namespace {

struct PredictArgs {
    std::string weights, invert = "auto";
    std::vector<std::string> images;
    int top = 3;
};

// Mean of the outermost pixels, all channels.
double border_mean(const Tensor& img) {
    const int64_t H = img.shape()[1], W = img.shape()[2];
    double total = sum(narrow(img, 1, 0, 1)).item<double>() + sum(narrow(img, 1, H - 1, 1)).item<double>() +
                   sum(narrow(img, 2, 0, 1)).item<double>() + sum(narrow(img, 2, W - 1, 1)).item<double>();
    return total / static_cast<double>(img.shape()[0] * 2 * (H + W));
}

void run(const PredictArgs& a) {
    const std::string path = std::filesystem::is_directory(a.weights) ? a.weights + "/model.safetensors" : a.weights;
    vision::ImageClassifier net = vision::ImageClassifier::load(path);
    for (const auto& file : a.images) {
        Tensor img = vision::load_image_as(file, net.shape());
        // A picture on a background opposite to the training images' (a dark garment on white
        // paper for a network trained on Fashion-MNIST's black backgrounds) is inverted.
        bool invert = a.invert == "yes";
        if (a.invert == "auto" && net.background() >= 0) {
            const double b = border_mean(img);
            invert = std::abs((1 - b) - net.background()) < std::abs(b - net.background()) - 0.25;
        }
        if (invert) img = rsub(img, 1.0);
        auto p = net.probabilities(img);
        std::vector<size_t> order(p.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p[i] > p[j]; });
        std::printf("%s%s:", file.c_str(), invert ? " (inverted)" : "");
        for (size_t k = 0; k < std::min(order.size(), static_cast<size_t>(a.top)); ++k)
            std::printf("%s %s %.1f%%", k ? "," : "", net.classes()[order[k]].c_str(), 100 * p[order[k]]);
        std::printf("\n");
    }
}

}  // namespace

void add_predict_command(CLI::App& app) {
    auto args = std::make_shared<PredictArgs>();
    auto* cmd = app.add_subcommand("predict", "The most likely classes of pictures, by a trained image classifier");
    cmd->add_option("--weights", args->weights,
                    "A run directory of kaya train (task image_classifier) or its model.safetensors")
        ->required();
    cmd->add_option("images", args->images, "PNG, JPEG, BMP, GIF, TGA or PNM files")->required();
    cmd->add_option("--top", args->top, "How many classes to print")->check(CLI::Range(1, 1000))->capture_default_str();
    cmd->add_option("--invert", args->invert,
                    "Invert the picture's brightness: auto does it when its border is nearer the "
                    "opposite of the training images' background")
        ->check(CLI::IsMember({"auto", "yes", "no"}))
        ->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
