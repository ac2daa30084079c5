// SPDX-License-Identifier: MIT
// The translation text layer: normalisation, pre-tokens, BPE, BLEU against NLTK, the corpus
// and its split.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "apps/translate/bleu.h"
#include "apps/translate/bpe.h"
#include "apps/translate/corpus.h"
#include "apps/translate/text.h"
#include "kaya/core/error.h"

namespace kaya::translate {
namespace {

namespace fs = std::filesystem;

TEST(TranslateText, NormalisesBothSides) {
    EXPECT_EQ(normalize_english("  Ｗhere\u3000is  the station？ "), "Where is the station?");
    EXPECT_EQ(normalize_english("It\u2019s \u201Cfine\u201D."), "It's \"fine\".");
    // The tokeniser's word-start mark cannot come from the text.
    EXPECT_EQ(join_pieces(pretokenize_english(normalize_english("a\u2581b"))), "a_b");
    EXPECT_EQ(normalize_chinese("你好!  我是Ｔｏｍ 。"), "你好！我是Tom。");
    EXPECT_EQ(normalize_chinese("他说: (很好)"), "他说：（很好）");
    EXPECT_EQ(normalize_chinese("我 爱 Tom Smith"), "我爱Tom Smith");  // Latin words keep spaces.
}

TEST(TranslateText, PretokensRebuildTheSentence) {
    const auto p = pretokenize_english("Where's the station? I don't know, 3.5 km.");
    const std::vector<std::string> want = {"\u2581Where's", "\u2581the", "\u2581station", "?",
                                           "\u2581I", "\u2581don't", "\u2581know", ",",
                                           "\u25813", ".", "5", "\u2581km", "."};
    EXPECT_EQ(p, want);
    EXPECT_EQ(join_pieces(p), "Where's the station? I don't know, 3.5 km.");
    EXPECT_EQ(join_pieces(pretokenize_english("naïve café 'quoted'")), "naïve café 'quoted'");
    EXPECT_EQ(chinese_chars("我是 Tom"), (std::vector<std::string>{"我", "是", "T", "o", "m"}));
    EXPECT_EQ(bleu_tokens_zh("我是Tom Smith，你好!"),
              (std::vector<std::string>{"我", "是", "Tom", "Smith", "，", "你", "好", "!"}));
}

TEST(TranslateText, TellsTheTwoScriptsApart) {
    EXPECT_EQ(chinese_script("我们在车站见面。"), ChineseScript::simplified);
    EXPECT_EQ(chinese_script("我們在車站見面。"), ChineseScript::traditional);
    EXPECT_EQ(chinese_script("我是学生。"), ChineseScript::simplified);
    EXPECT_EQ(chinese_script("我是學生。"), ChineseScript::traditional);
    EXPECT_EQ(chinese_script("我是人。"), ChineseScript::either);  // Written the same in both.
    EXPECT_EQ(chinese_script("Tom!"), ChineseScript::either);
    EXPECT_EQ(chinese_script("学們"), ChineseScript::mixed);
    // One simplified form that traditional text also uses does not outvote the rest.
    EXPECT_EQ(chinese_script("於是他們說什麼都不要了，于先生。"), ChineseScript::traditional);
    ScriptCounts c;
    for (const char* s : {"我们", "我們", "你好", "他們來了", "学們"}) c.add(s);
    EXPECT_EQ(c.format(), "simplified 1, traditional 2, mixed 1, either 1");
}

std::vector<std::string> toy_corpus() {
    std::vector<std::string> s;
    for (int i = 0; i < 20; ++i) {
        s.push_back("the station is near the station square");
        s.push_back("where is the nearest station?");
        s.push_back("stationary things stay");
    }
    return s;
}

TEST(Bpe, LearnsFrequentPairsAndRoundTrips) {
    const Bpe bpe = Bpe::learn(toy_corpus(), 60);
    EXPECT_LE(bpe.size(), 60);
    EXPECT_EQ(bpe.token(Bpe::kPad), "<pad>");
    EXPECT_EQ(bpe.token(Bpe::kEos), "</s>");
    // "\u2581station" is frequent enough to become one symbol.
    EXPECT_NE(bpe.id("\u2581station"), Bpe::kUnk);
    EXPECT_EQ(bpe.encode_pieces("the station"), (std::vector<std::string>{"\u2581the", "\u2581station"}));
    for (const auto& s : toy_corpus()) EXPECT_EQ(bpe.decode(bpe.encode(s)), s);
    // A word never seen is spelt out from known pieces; an unseen character is <unk>.
    EXPECT_EQ(bpe.decode(bpe.encode("stations near")), "stations near");
    const auto ids = bpe.encode("the zebra");
    EXPECT_NE(std::find(ids.begin(), ids.end(), Bpe::kUnk), ids.end());
    EXPECT_EQ(bpe.decode(bpe.encode("the zebra")).find("<unk>") != std::string::npos, true);
    EXPECT_THROW(Bpe::learn(toy_corpus(), 10), ValueError);  // Not even the characters fit.
    // The same text gives the same tokeniser.
    EXPECT_EQ(Bpe::learn(toy_corpus(), 60).serialize(), bpe.serialize());
}

TEST(Bpe, SavesAndRefusesDamagedFiles) {
    const Bpe bpe = Bpe::learn(toy_corpus(), 50);
    const Bpe back = Bpe::parse(bpe.serialize(), "bpe.txt");
    EXPECT_EQ(back.serialize(), bpe.serialize());
    EXPECT_EQ(back.fingerprint(), bpe.fingerprint());
    EXPECT_EQ(back.encode("where is the station?"), bpe.encode("where is the station?"));
    auto fails_with = [](const std::string& text, const std::string& what) {
        try {
            Bpe::parse(text, "bpe.txt");
            ADD_FAILURE() << "accepted: " << text.substr(0, 60);
        } catch (const ParseError& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    fails_with("hello\n", "bpe.txt:1: not a Kaya BPE tokeniser");
    fails_with("kaya-bpe 1\ntokens 2\n<pad>\n", "the file ends where a token should be");
    fails_with("kaya-bpe 1\ntokens 1\n<unk>\nmerges 0\n", "token 0 must be <pad>");
    fails_with("kaya-bpe 1\ntokens 5\n<pad>\n<unk>\n<s>\n</s>\na\nmerges 1\na b\n",
               "bpe.txt:9: merge 'a b' uses a symbol that is not in the vocabulary");
    fails_with("kaya-bpe 1\ntokens x\n", "bad count");
}

// A file of "case NAME BLEU", then sentences: "s", "h tokens", "r tokens"...
struct BleuCase {
    std::string name;
    double bleu = 0;
    std::vector<Tokens> hyps;
    std::vector<std::vector<Tokens>> refs;
};

Tokens split_tokens(const std::string& s) {
    std::istringstream in(s);
    Tokens t;
    for (std::string w; in >> w;) t.push_back(w);
    return t;
}

std::vector<BleuCase> bleu_cases() {
    std::ifstream in(std::string(KAYA_TEST_DATA) + "/translate/bleu_nltk.txt");
    std::vector<BleuCase> cases;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("case ", 0) == 0) {
            std::istringstream ls(line.substr(5));
            BleuCase c;
            ls >> c.name >> c.bleu;
            cases.push_back(c);
        } else if (line == "s") {
            cases.back().hyps.emplace_back();
            cases.back().refs.emplace_back();
        } else if (line.rfind("h ", 0) == 0) {
            cases.back().hyps.back() = split_tokens(line.substr(2));
        } else if (line.rfind("r ", 0) == 0) {
            cases.back().refs.back().push_back(split_tokens(line.substr(2)));
        }
    }
    return cases;
}

TEST(Bleu, EqualsNltkCorpusBleu) {
    const auto cases = bleu_cases();
    ASSERT_EQ(cases.size(), 6u);
    for (const auto& c : cases) {
        const BleuScore s = corpus_bleu(c.hyps, c.refs);
        EXPECT_NEAR(s.bleu, c.bleu, 1e-9) << c.name << ": " << s.format();
    }
    EXPECT_GT(cases[2].bleu, 0);
    // The short hypotheses pay a brevity penalty.
    EXPECT_LT(corpus_bleu(cases[2].hyps, cases[2].refs).brevity_penalty, 1.0);
    EXPECT_THROW(corpus_bleu({{"a"}}, {}), ValueError);
    EXPECT_THROW(corpus_bleu({{"a"}}, {{}}), ValueError);
}

TEST(TranslateCorpus, ParsesPairsAndNamesBadLines) {
    const auto p = parse_pairs("Hi.\t嗨。\tCC-BY\n\nRun!\t跑!\n", "cmn.txt");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[1].en, "Run!");
    EXPECT_EQ(p[1].zh, "跑！");
    EXPECT_EQ(p[1].line, 3);
    auto fails_with = [](const std::string& text, const std::string& what) {
        try {
            parse_pairs(text, "cmn.txt");
            ADD_FAILURE() << "accepted";
        } catch (const ParseError& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    fails_with("Hi.\t嗨。\nno tab here\n", "cmn.txt:2: expected 'English<TAB>Chinese', found no tab");
    fails_with("Hi.\t\xff\xfe\n", "cmn.txt:1:5: invalid UTF-8");
    fails_with("Hi.\t \n", "cmn.txt:1: the Chinese side is empty");
}

TEST(TranslateCorpus, SplitKeepsEachEnglishSentenceInOnePart) {
    std::vector<Pair> pairs;
    for (int i = 0; i < 300; ++i) {
        for (int k = 0; k <= i % 3; ++k)  // Up to three translations of one sentence.
            pairs.push_back({"sentence " + std::to_string(i), "句" + std::to_string(k), i});
    }
    const Split s = split_pairs(pairs, 50, 7);
    EXPECT_GE(s.test.size(), 50u);
    EXPECT_LE(s.test.size(), 52u);
    EXPECT_GE(s.dev.size(), 50u);
    EXPECT_EQ(s.train.size() + s.dev.size() + s.test.size(), pairs.size());
    std::set<std::string> tr, dv, te;
    for (const auto& p : s.train) tr.insert(p.en);
    for (const auto& p : s.dev) dv.insert(p.en);
    for (const auto& p : s.test) te.insert(p.en);
    for (const auto& e : te) EXPECT_FALSE(tr.count(e) || dv.count(e)) << e;
    for (const auto& e : dv) EXPECT_FALSE(tr.count(e)) << e;
    EXPECT_EQ(split_pairs(pairs, 50, 7).test.front().line, s.test.front().line);  // Seeded.
    EXPECT_NE(split_pairs(pairs, 50, 8).test.front().line * 1000 + split_pairs(pairs, 50, 8).test.back().line,
              s.test.front().line * 1000 + s.test.back().line);
    EXPECT_THROW(split_pairs(pairs, 400, 7), ValueError);
}

// The real corpus when ../shared is there: 28,447 pairs, about 1,000 each for dev and test, an
// 8,000-token BPE that spells every training sentence back exactly.
TEST(TranslateCorpus, TatoebaEnglishChinese) {
    const std::string path = std::string(KAYA_SOURCE_DIR) + "/../shared/data/translation/cmn.txt";
    if (!fs::exists(path)) GTEST_SKIP() << path << " not found";
    const auto pairs = read_pairs(path);
    EXPECT_EQ(pairs.size(), 28447u);
    const Split s = split_pairs(pairs, 1000, 0);
    EXPECT_GE(s.dev.size(), 1000u);
    EXPECT_LT(s.dev.size(), 1010u);
    std::vector<std::string> train;
    for (const auto& p : s.train) train.push_back(p.en);
    const Bpe bpe = Bpe::learn(train, 8000);
    // Merges stop when no pair occurs twice: a little under 8,000.
    EXPECT_GT(bpe.size(), 7900);
    EXPECT_LE(bpe.size(), 8000);
    size_t exact = 0, unk = 0;
    for (const auto& e : train) exact += bpe.decode(bpe.encode(e)) == e;
    EXPECT_EQ(exact, train.size());
    for (const auto& p : s.test) {
        for (int64_t id : bpe.encode(p.en)) unk += id == Bpe::kUnk;
    }
    EXPECT_LT(unk, 20u);  // Characters the training text never has.
    // Tatoeba's Chinese: about half simplified, two fifths traditional (14362 / 11962 by OpenCC's
    // tables), hardly any sentence mixing them.
    ScriptCounts scripts;
    for (const auto& p : pairs) scripts.add(p.zh);
    EXPECT_GT(scripts.simplified, 12000) << scripts.format();
    EXPECT_GT(scripts.traditional, 10000) << scripts.format();
    EXPECT_LT(scripts.mixed, 300) << scripts.format();
}

}  // namespace
}  // namespace kaya::translate
