// SPDX-License-Identifier: MIT
// kaya classify --weights RUN_DIR_OR_FILE clip.wav [more clips] [--top K]: a trained speech
// classifier's answer for each recording (any format and rate; resampled to the model's), with
// the share of its 10 ms frames that voted for each of the top classes.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>

#include "apps/cli/commands.h"
#include "apps/speech/speech_task.h"

namespace kaya::cli {

namespace {

struct ClassifyArgs {
    std::string weights;
    std::vector<std::string> clips;
    int top = 3;
};

void run(const ClassifyArgs& a) {
    const std::string path = std::filesystem::is_directory(a.weights) ? a.weights + "/model.safetensors" : a.weights;
    speech::SpeechClassifier net = speech::SpeechClassifier::load(path);
    for (const auto& file : a.clips) {
        auto r = net.classify(speech::load_wave(file, net.sample_rate()), file);
        std::vector<size_t> order(r.votes.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return r.votes[i] > r.votes[j]; });
        std::printf("%s: %s (frames voting:", file.c_str(), net.classes()[r.label].c_str());
        for (size_t k = 0; k < std::min(order.size(), static_cast<size_t>(a.top)); ++k) {
            std::printf("%s %s %.0f%%", k ? "," : "", net.classes()[order[k]].c_str(), 100 * r.votes[order[k]]);
        }
        std::printf(" of %lld frames)\n", static_cast<long long>(r.frame_log_probs.shape()[0]));
    }
}

}  // namespace

void add_classify_command(CLI::App& app) {
    auto args = std::make_shared<ClassifyArgs>();
    auto* cmd = app.add_subcommand("classify", "The class of recordings, by a trained speech classifier");
    cmd->add_option("--weights", args->weights,
                    "A run directory of kaya train (task speech_frames or speech_cnn) or its model.safetensors")
        ->required();
    cmd->add_option("clips", args->clips, "Audio files (WAV, FLAC, Ogg, ...; any sample rate)")->required();
    cmd->add_option("--top", args->top, "How many classes to print")->check(CLI::Range(1, 1000))->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
