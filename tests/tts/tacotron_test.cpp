// SPDX-License-Identifier: MIT
// The autoregressive model: shapes, masks and causality of teacher forcing, the guided attention
// loss, and the task end to end on a toy corpus spoken by espeak-ng.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "apps/train/run.h"
#include "apps/tts/tacotron.h"
#include "apps/tts/tacotron_task.h"
#include "apps/tts/tasks.h"
#include "apps/tts/text.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/core/random.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::tts {
namespace {

namespace fs = std::filesystem;

TacotronOptions tiny() {
    return {.embedding = 16, .encoder_convs = 1, .encoder_channels = 16, .encoder_lstm = 8, .attention = 16,
            .location_filters = 4, .location_kernel = 5, .prenet = 16, .attention_rnn = 24, .decoder_rnn = 24,
            .reduction = 2, .postnet_layers = 2, .postnet_channels = 16, .dropout = 0.0};
}

TEST(Tacotron, TeacherForcingShapesAndCausality) {
    manual_seed(1);
    Tacotron m(tiny());
    m.eval();
    const Tensor text = from_vector<int64_t>({5, 6, 7, 1, 8, 9, 1, 0}, {2, 4});
    const Tensor lengths = from_vector<int64_t>({4, 3}, {2});
    Tensor mel = randn({2, 7, 80});
    manual_seed(5);  // The prenet's dropout stays on: the same stream for both runs.
    const TacotronOutput a = m.forward(text, lengths, mel);
    EXPECT_EQ(a.mel.shape(), Shape({2, 8, 80}));  // 7 frames -> 4 steps of 2.
    EXPECT_EQ(a.stop_logits.shape(), Shape({2, 4}));
    EXPECT_EQ(a.alignment.shape(), Shape({2, 4, 4}));
    // Attention sums to 1 over the text and never looks at padding.
    EXPECT_NEAR(sum(select(select(a.alignment, 0, 0), 0, 2)).item<double>(), 1.0, 1e-5);
    EXPECT_EQ(select(select(select(a.alignment, 0, 1), 0, 2), 0, 3).item<double>(), 0.0);
    // Changing the last frames changes nothing before them: step k reads frames of step k - 1.
    Tensor later = contiguous(mel);
    {
        autograd::NoGradGuard g;
        Tensor tail = narrow(later, 1, 4, 3);
        copy_(tail, full({2, 3, 80}, 3.0));
    }
    manual_seed(5);
    const TacotronOutput b = m.forward(text, lengths, later);
    EXPECT_EQ(max(abs(sub(narrow(a.mel, 1, 0, 4), narrow(b.mel, 1, 0, 4)))).item<double>(), 0.0);
    EXPECT_GT(max(abs(sub(narrow(a.mel, 1, 6, 2), narrow(b.mel, 1, 6, 2)))).item<double>(), 0.0);
    // After the post-net too, once the frames' lengths are given: the padding past 4 frames
    // (changed above) reaches none of the first 4 (without lengths it would: kernel 5).
    const Tensor mel_lengths = from_vector<int64_t>({4, 4}, {2});
    manual_seed(5);
    const TacotronOutput c = m.forward(text, lengths, mel, mel_lengths);
    manual_seed(5);
    const TacotronOutput d = m.forward(text, lengths, later, mel_lengths);
    EXPECT_EQ(max(abs(sub(narrow(c.mel_post, 1, 0, 4), narrow(d.mel_post, 1, 0, 4)))).item<double>(), 0.0);
    EXPECT_GT(max(abs(sub(narrow(a.mel_post, 1, 0, 4), narrow(b.mel_post, 1, 0, 4)))).item<double>(), 0.0);
    EXPECT_NE(test::error_of([&] { m.forward(text, lengths, randn({2, 7, 40})); }).find("mel (N, T, 80)"),
              std::string::npos);
}

TEST(Tacotron, GuidedAttentionPrefersTheDiagonal) {
    // Two alignments of 4 steps over 4 characters: along the diagonal and against it.
    const Tensor diag = reshape(eye(4), {1, 4, 4});
    const Tensor anti = reshape(index_select(eye(4), 1, from_vector<int64_t>({3, 2, 1, 0}, {4})), {1, 4, 4});
    const Tensor len = from_vector<int64_t>({4}, {1});
    const double d = guided_attention_loss(diag, len, len).item<double>();
    const double a = guided_attention_loss(anti, len, len).item<double>();
    EXPECT_LT(d, 1e-6);
    EXPECT_GT(a, 0.1);
    // Cells past an item's lengths do not count.
    const Tensor padded = cat({diag, full({1, 4, 2}, 1.0)}, 2);
    EXPECT_NEAR(guided_attention_loss(padded, len, len).item<double>(), d, 1e-7);
}

TEST(TacotronTask, TrainsOnAToyCorpusAndGenerates) {
    const std::string dir = (fs::temp_directory_path() / ("kaya_tts_ar_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    app::TaskRegistry reg;
    register_tasks(reg);
    const app::Config cfg = app::Config::parse(
        "[task]\nkind = 'tts_ar'\n[data]\ncorpus = '" + dir + "/corpus'\nsentences_from = 'toy'\nsentences = 40\n"
        "dev = 4\ntest = 4\n[model]\nembedding = 16\nencoder_convs = 1\nencoder_channels = 16\nencoder_lstm = 8\n"
        "attention = 16\nlocation_filters = 4\nlocation_kernel = 5\nprenet = 16\nattention_rnn = 32\n"
        "decoder_rnn = 32\nreduction = 4\npostnet_layers = 2\npostnet_channels = 16\n"
        "[train]\noptimizer = 'adam'\nlr = 0.003\nbatch_size = 8\nepochs = 3\n[output]\ndir = '" + dir + "/run'\n",
        "toy.toml");
    const app::RunResult r = app::run_training(cfg, {.verbose = false}, reg);
    EXPECT_LT(r.history.back().get("train_loss"), r.history.front().get("train_loss"));
    EXPECT_TRUE(r.test.has("test_mel_l1"));
    const auto f = io::load_safetensors(dir + "/run/model.safetensors");
    EXPECT_EQ(f.metadata.at("task"), "tts_ar");
    EXPECT_EQ(f.metadata.at("mel.hop"), "256");
    EXPECT_TRUE(fs::exists(dir + "/run/split.tsv"));
    // Free-running generation from the trained weights ends (stop token or limit).
    TacotronOptions o = read_tacotron_options(cfg);
    Tacotron m(o);
    m.load_state_dict(f.tensors);
    m.eval();
    const auto ids = Symbols::encode("the red boat.");
    const Tacotron::Generated g = m.generate(from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())}), 20);
    EXPECT_EQ(g.mel.shape()[1], 80);
    EXPECT_EQ(g.mel.shape()[0] % 4, 0);
    EXPECT_LE(g.mel.shape()[0], 80);
    EXPECT_EQ(g.alignment.shape()[1], static_cast<int64_t>(ids.size()));
    fs::remove_all(dir);
}

// A run stopped after its first epoch and resumed ends with the weights of a run never stopped:
// the prenet's always-on dropout draws from the generator the checkpoint restores.
TEST(TacotronTask, ResumedRunEqualsAnUninterruptedOne) {
    const std::string dir = (fs::temp_directory_path() / ("kaya_tts_resume_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    app::TaskRegistry reg;
    register_tasks(reg);
    auto config = [&](const std::string& out) {
        return app::Config::parse(
            "[task]\nkind = 'tts_ar'\n[data]\ncorpus = '" + dir + "/corpus'\nsentences_from = 'toy'\nsentences = 24\n"
            "dev = 3\ntest = 3\n[model]\nembedding = 8\nencoder_convs = 1\nencoder_channels = 8\nencoder_lstm = 4\n"
            "attention = 8\nlocation_filters = 2\nlocation_kernel = 3\nprenet = 8\nattention_rnn = 8\n"
            "decoder_rnn = 8\nreduction = 4\npostnet_layers = 2\npostnet_channels = 8\n"
            "[train]\noptimizer = 'adam'\nlr = 0.003\nbatch_size = 8\nepochs = 2\ncheckpoint_minutes = 0\n"
            "[eval]\nlongest = 0\n[output]\ndir = '" + dir + "/" + out + "'\n",
            out + ".toml");
    };
    const app::RunResult straight = app::run_training(config("straight"), {.verbose = false}, reg);
    app::run_training(config("stopped"), {.stop_after = 1, .verbose = false}, reg);
    const app::RunResult resumed = app::run_training(config("stopped"), {.resume = true, .verbose = false}, reg);
    ASSERT_EQ(resumed.history.size(), 2u);
    for (const char* k : {"train_loss", "val_loss", "val_guided"})
        EXPECT_EQ(straight.history[1].get(k), resumed.history[1].get(k)) << k;
    const auto a = io::load_safetensors(dir + "/straight/model.safetensors").tensors;
    const auto b = io::load_safetensors(dir + "/stopped/model.safetensors").tensors;
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].second.dtype() != DType::Float32) continue;
        EXPECT_EQ(to_vector<float>(a[i].second), to_vector<float>(b[i].second)) << a[i].first;
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::tts
