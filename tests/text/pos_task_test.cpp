// SPDX-License-Identifier: MIT
// The part-of-speech tagger end to end on the project's own toy corpus: training through the
// harness, the unique-spelling collate, `kaya tag`, and bad weights.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/text/pos_task.h"
#include "apps/text/toy_corpus.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::text {
namespace {

namespace fs = std::filesystem;

const bool kRegistered = [] {
    register_tasks(app::task_registry());
    return true;
}();

// Toy train/dev/test files and one short training run, shared by the tests below.
struct ToyRun {
    std::string dir;
    app::RunResult result;
    ToyRun() {
        // One directory per process: ctest runs each test in its own process, in parallel.
        dir = testing::TempDir() + "/kaya_pos_toy_" + std::to_string(getpid());
        fs::remove_all(dir);
        fs::create_directories(dir);
        io::write_file_atomic(dir + "/train.conllu", format_conllu(make_toy_corpus(600, 1)));
        io::write_file_atomic(dir + "/dev.conllu", format_conllu(make_toy_corpus(100, 2)));
        io::write_file_atomic(dir + "/test.conllu", format_conllu(make_toy_corpus(100, 3)));
        app::Config cfg = app::Config::parse(
            "[task]\nkind = 'pos_tagger'\n[data]\ntrain = '" + dir + "/train.conllu'\ndev = '" + dir +
                "/dev.conllu'\ntest = '" + dir + "/test.conllu'\n[model]\nword_dim = 16\nchar_dim = 8\n"
                "char_hidden = 16\nhidden = 32\nlayers = 1\ndropout = 0.1\n[train]\nlr = 0.01\n"
                "batch_size = 16\nepochs = 4\nseed = 0\n[output]\ndir = '" + dir + "/run'\n",
            "toy pos");
        result = app::run_training(cfg, {.verbose = false});
    }
    ~ToyRun() { fs::remove_all(dir); }
};

ToyRun& toy() {
    static ToyRun run;
    return run;
}

TEST(PosTask, LearnsTheToyGrammarIncludingUnseenWords) {
    const app::Metrics& t = toy().result.test;
    EXPECT_GT(t.get("test_accuracy"), 0.93) << t.get("test_accuracy");
    // Made-up words the training data never had, tagged from their spelling.
    EXPECT_GT(t.get("test_unseen_tokens"), 50);
    EXPECT_GT(t.get("test_unseen_accuracy"), 0.8) << t.get("test_unseen_accuracy");
    for (const char* f : {"confusion.svg", "tags.csv", "test_predictions.conllu", "examples.txt", "accuracy.svg"}) {
        EXPECT_TRUE(fs::exists(toy().dir + "/run/" + f)) << f;
    }
    auto predicted = read_conllu(toy().dir + "/run/test_predictions.conllu");
    auto gold = read_conllu(toy().dir + "/test.conllu");
    ASSERT_EQ(predicted.size(), gold.size());
    EXPECT_EQ(predicted[0].forms(), gold[0].forms());
}

TEST(PosTask, TaggerFileTagsContextDependentWords) {
    PosTagger tagger = PosTagger::load(toy().dir + "/run/model.safetensors");
    auto tags = tagger.tag({{"The", "dog", "will", "book", "a", "table", "."},
                            {"She", "reads", "the", "book", "."}});
    EXPECT_EQ(tags[0], (std::vector<std::string>{"DET", "NOUN", "AUX", "VERB", "DET", "NOUN", "PUNCT"}));
    EXPECT_EQ(tags[1], (std::vector<std::string>{"PRON", "VERB", "DET", "NOUN", "PUNCT"}));
}

TEST(PosTask, KayaTagWritesConllu) {
    const std::string in = toy().dir + "/in.txt", out = toy().dir + "/out.conllu";
    io::write_file_atomic(in, "the cat sees a dog .\n\nMarla likes it .\n");
    const std::string cmd = std::string(KAYA_BINARY) + " tag --weights " + toy().dir +
                            "/run/model.safetensors --input " + in + " --output " + out + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto s = read_conllu(out);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].upos(), (std::vector<std::string>{"DET", "NOUN", "VERB", "DET", "NOUN", "PUNCT"}));
    EXPECT_EQ(s[1].comments[1], "# text = Marla likes it .");
    // CoNLL-U in, the same lines out with UPOS filled.
    const std::string again = toy().dir + "/again.conllu";
    ASSERT_EQ(std::system((std::string(KAYA_BINARY) + " tag --weights " + toy().dir +
                           "/run/model.safetensors --input " + out + " --output " + again + " 2>/dev/null")
                              .c_str()),
              0);
    EXPECT_EQ(io::read_file(again), io::read_file(out));
}

TEST(PosTask, WeightsThatDoNotFitNameTheTensor) {
    const std::string good = toy().dir + "/run/model.safetensors", bad = toy().dir + "/bad.safetensors";
    io::SafetensorsFile f = io::load_safetensors(good);
    f.metadata["tagger.hidden"] = "48";
    io::save_safetensors(bad, f.tensors, f.metadata);
    const std::string msg = test::error_of([&] { PosTagger::load(bad); });
    EXPECT_NE(msg.find("lstm.weight_ih_l0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[192, 48]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[128, 48]"), std::string::npos) << msg;
    f.metadata.erase("kaya.task");
    io::save_safetensors(bad, f.tensors, f.metadata);
    EXPECT_NE(test::error_of([&] { PosTagger::load(bad); }).find("not a Kaya POS tagger file"), std::string::npos);
}

TEST(PosTask, CollateRunsEachSpellingOnce) {
    TaggerVocab v{Vocabulary({"<pad>", "<unk>"}, "<unk>"), Vocabulary({"<pad>", "<unk>"}, "<unk>"),
                  Vocabulary::from_tokens({"X"}, "")};
    for (const char* c : {"a", "b", "c"}) v.chars.add(c);
    TaggerOptions o;
    auto e1 = encode_sentence(v, o, {"ab", "c", "ab"}, {"X", "X", "Y"});
    auto e2 = encode_sentence(v, o, {"c"}, {});
    EXPECT_EQ(to_vector<int64_t>(e1[2]), (std::vector<int64_t>{0, 0, -100}));
    data::Example b = collate_sentences({e1, e2});
    ASSERT_EQ(b.size(), 5u);
    EXPECT_EQ(b[1].shape(), (Shape{3, 2}));  // padding row, "ab", "c"
    EXPECT_EQ(to_vector<int64_t>(b[1]), (std::vector<int64_t>{0, 0, 2, 3, 4, 0}));
    EXPECT_EQ(to_vector<int64_t>(b[4]), (std::vector<int64_t>{1, 2, 1, 2, 0, 0}));
    EXPECT_EQ(to_vector<int64_t>(b[3]), (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(to_vector<int64_t>(b[2]), (std::vector<int64_t>{0, 0, -100, -100, -100, -100}));
}

}  // namespace
}  // namespace kaya::text
