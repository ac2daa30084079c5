// SPDX-License-Identifier: MIT
// The translation task end to end on a toy corpus it can learn in seconds: digits spelt out in
// English, written as Chinese numerals ("three one four" -> "三一四").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "apps/train/run.h"
#include "apps/translate/toy_corpus.h"
#include "apps/translate/tour_section.h"
#include "apps/translate/translate_task.h"
#include "apps/translate/translator.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "support/tour.h"

namespace kaya::translate {
namespace {

namespace fs = std::filesystem;

TEST(TranslationTask, LearnsAToyCorpusAndWritesItsFiles) {
    const std::string dir = (fs::temp_directory_path() / ("kaya_tr_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    io::write_file_atomic(dir + "/pairs.txt", make_toy_pairs(1200, 3));
    app::TaskRegistry reg;
    register_tasks(reg);
    const app::Config cfg = app::Config::parse(
        "[task]\nkind = 'translation'\n[data]\npath = '" + dir + "/pairs.txt'\nheld_out = 100\n"
        "val_sentences = 100\n[tokenizer]\nsource_vocab = 60\n[model]\nd_model = 32\nheads = 4\n"
        "encoder_layers = 2\ndecoder_layers = 2\nfeedforward = 64\ndropout = 0.0\nmax_len = 24\n"
        "[train]\noptimizer = 'adam'\nlr = 0.003\nbatch_size = 32\nepochs = 12\nschedule = 'warmup_cosine'\n"
        "schedule_unit = 'batch'\nwarmup = 30\n[eval]\nbeam = 3\n[output]\ndir = '" + dir + "/run'\n",
        "toy.toml");
    const app::RunResult r = app::run_training(cfg, {.verbose = false}, reg);
    // Copying digits one by one is easy: near-perfect translations.
    EXPECT_GT(r.best_score, 90.0) << "val_bleu";
    EXPECT_GT(r.test.get("test_bleu_greedy"), 90.0);
    EXPECT_GT(r.test.get("test_bleu_beam"), 90.0);
    // Chinese numerals are written alike in both scripts: no sentence counts as either one.
    for (const char* k : {"test_references_traditional", "test_references_simplified", "test_outputs_traditional",
                          "test_outputs_simplified"})
        EXPECT_EQ(r.test.get(k), 0.0) << k;
    EXPECT_LT(r.history.back().get("val_loss"), r.history.front().get("val_loss"));
    // The tokenisers travel with the weights, and they read back the same.
    const Tokenizers tok = Tokenizers::parse(io::read_file(dir + "/run/tokenizer.txt"), "tokenizer.txt");
    EXPECT_EQ(tok.decode_target(tok.encode_target("三一四。")), "三一四。");
    EXPECT_EQ(io::load_safetensors(dir + "/run/model.safetensors").metadata.at("tokenizer"), tok.fingerprint());
    const std::string tsv = io::read_file(dir + "/run/test_translations.tsv");
    EXPECT_EQ(tsv.substr(0, tsv.find('\n')), "english\tgreedy\tbeam\treferences");
    // What `kaya translate` loads: the run directory; an empty line stays empty.
    auto t = EnglishChineseTranslator::load(dir + "/run");
    for (int64_t beam : {1, 3}) {
        const auto out = t.translate({"three one four.", "", "nine nine two five."}, {.beam = beam});
        EXPECT_EQ(out, (std::vector<std::string>{"三一四。", "", "九九二五。"})) << "beam " << beam;
    }
    // A tokeniser of other weights is refused, naming both files.
    std::string other = io::read_file(dir + "/run/tokenizer.txt");
    other.replace(other.rfind("九"), std::string("九").size(), "玖");
    io::write_file_atomic(dir + "/run/tokenizer.txt", other);
    try {
        EnglishChineseTranslator::load(dir + "/run");
        ADD_FAILURE() << "accepted another tokeniser";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("is not the tokeniser " + dir + "/run/model.safetensors was trained with"),
                  std::string::npos) << e.what();
    }
    EXPECT_THROW(EnglishChineseTranslator::load(dir + "/nothing"), IoError);
    fs::remove_all(dir);
}

TEST(TranslationTask, RefusesBadFilesClearly) {
    const std::string dir = (fs::temp_directory_path() / ("kaya_trb_" + std::to_string(::getpid()))).string();
    fs::create_directories(dir);
    io::write_file_atomic(dir + "/bad.txt", "one.\t一。\ntwo.\t\xc3\x28\n");
    app::TaskRegistry reg;
    register_tasks(reg);
    const app::Config cfg = app::Config::parse(
        "[task]\nkind = 'translation'\n[data]\npath = '" + dir + "/bad.txt'\n[output]\ndir = '" + dir + "/run'\n",
        "bad.toml");
    try {
        app::run_training(cfg, {.verbose = false}, reg);
        ADD_FAILURE() << "accepted invalid UTF-8";
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.txt:2:6: invalid UTF-8"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Tokenizers::parse("kaya-bpe 1\ntokens 0\nmerges 0\n", "t.txt"), ParseError);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::translate

namespace kaya::translate {
namespace {

// The tour's section runs on its own toy run and draws its figures.
TEST(TranslationTour, SectionWritesTablesAndFigures) {
    if (!app::task_registry().contains("translation")) register_tasks(app::task_registry());
    if (tour::tour_sections().empty()) add_tour_sections();
    const std::string out = test::run_tour_section("translation", "trtour");
    const std::string html = io::read_file(out + "/index.html");
    EXPECT_NE(html.find("ms per sentence"), std::string::npos);
    EXPECT_NE(html.find("What this shows"), std::string::npos);
    for (const char* f : {"translate_attention_0.svg", "translate_attention_1.svg", "translate_token_time.svg"})
        EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
    fs::remove_all(out);
}

}  // namespace
}  // namespace kaya::translate
