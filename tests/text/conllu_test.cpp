// SPDX-License-Identifier: MIT
// CoNLL-U reading and writing, plain text, vocabularies (apps/text).
#include <gtest/gtest.h>

#include <filesystem>

#include "apps/text/conllu.h"
#include "apps/text/utf8.h"
#include "apps/text/vocab.h"
#include "kaya/io/file.h"
#include "support/errors.h"

namespace kaya::text {
namespace {

using test::error_of;

const char* kSample =
    "# sent_id = 1\n"
    "# text = Don't stop.\n"
    "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n"
    "2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n"
    "3\tstop\tstop\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
    "3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t0:root\t_\n"
    "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n"
    "\n"
    "1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t_\t_\n";

TEST(Conllu, ReadsWordsMultiwordTokensAndEmptyNodes) {
    auto s = parse_conllu(kSample, "sample.conllu");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].comments.size(), 2u);
    EXPECT_EQ(s[0].lines.size(), 6u);
    EXPECT_EQ(s[0].forms(), (std::vector<std::string>{"Do", "n't", "stop", "."}));
    EXPECT_EQ(s[0].upos(), (std::vector<std::string>{"AUX", "PART", "VERB", "PUNCT"}));
    EXPECT_EQ(s[0].lines[0].kind, ConlluLine::Kind::MultiWord);
    EXPECT_EQ(s[0].lines[4].kind, ConlluLine::Kind::Empty);
    EXPECT_EQ(s[1].forms(), (std::vector<std::string>{"Yes"}));
    EXPECT_EQ(s[1].first_line, 10);
    // Written back unchanged (a final blank line added).
    EXPECT_EQ(format_conllu(s), std::string(kSample) + "\n");
    s[0].set_upos({"A", "B", "C", "D"});
    EXPECT_EQ(s[0].upos(), (std::vector<std::string>{"A", "B", "C", "D"}));
    EXPECT_EQ(s[0].lines[0].upos(), "_");
    EXPECT_NE(error_of([&] { s[0].set_upos({"A"}); }).find("1 tags"), std::string::npos);
}

TEST(Conllu, BadInputNamesFileLineAndColumn) {
    auto err = [](const std::string& text) { return error_of([&] { parse_conllu(text, "bad.conllu"); }); };
    EXPECT_EQ(err("1\tDo\tdo\tAUX\n"), "bad.conllu:1:12: expected 10 tab-separated fields, got 4");
    EXPECT_EQ(err("# c\nx\ta\tb\tc\td\te\tf\tg\th\ti\n"),
              "bad.conllu:2:1: ID 'x' is not an integer, a range a-b or a decimal a.b");
    EXPECT_EQ(err("2\ta\tb\tc\td\te\tf\tg\th\ti\n"), "bad.conllu:1:1: word ID 2 out of sequence, expected 1");
    EXPECT_EQ(err("# only a comment\n\n"),
              "bad.conllu:1:1: sentence without word lines (ending at line 2)");
    EXPECT_EQ(err("1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_\n\n"),
              "bad.conllu:1:1: sentence without word lines (ending at line 2)");
    EXPECT_EQ(err("1\ta\xff\tb\tc\td\te\tf\tg\th\ti\n"), "bad.conllu:1:4: invalid UTF-8 byte");
    EXPECT_EQ(err("1\t\tb\tc\td\te\tf\tg\th\ti\n"), "bad.conllu:1:3: empty field 2 (use '_')");
    EXPECT_NE(err("1\ta\tb\tc\td\te\tf\tg\th\ti\tj\n").find("got more"), std::string::npos);
    EXPECT_NE(err("1\ta\tb\tc\td\te\tf\tg\th\ti\n# late\n").find("comment line inside"), std::string::npos);
}

TEST(Conllu, Utf8Validation) {
    EXPECT_EQ(find_invalid_utf8("na\xc3\xafve \xe4\xb8\xad \xf0\x9f\x98\x80"), std::string::npos);
    EXPECT_EQ(find_invalid_utf8("a\xc3"), 1u);          // Truncated.
    EXPECT_EQ(find_invalid_utf8("ab\xc0\xaf"), 2u);     // Overlong.
    EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);   // Surrogate.
    EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // Beyond U+10FFFF.
    EXPECT_EQ(find_invalid_utf8("\x80"), 0u);
}

TEST(Conllu, DirectoryLoadSkipsBadFilesWithTheirReason) {
    const std::string dir = testing::TempDir() + "/kaya_conllu_dir";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    io::write_file_atomic(dir + "/a.conllu", kSample);
    io::write_file_atomic(dir + "/b.conllu", "1\tonly three\tfields\n");
    io::write_file_atomic(dir + "/notes.txt", "not read");
    std::vector<std::string> skipped;
    auto s = read_conllu_dir(dir, &skipped);
    EXPECT_EQ(s.size(), 2u);
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_NE(skipped[0].find("b.conllu skipped: " + dir + "/b.conllu:1:"), std::string::npos) << skipped[0];
}

TEST(Conllu, PlainTextOneSentenceALine) {
    auto s = parse_plain_text("The cat  sat .\r\n\n  Yes\n", "in.txt");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].forms(), (std::vector<std::string>{"The", "cat", "sat", "."}));
    EXPECT_EQ(s[1].forms(), (std::vector<std::string>{"Yes"}));
    EXPECT_EQ(s[1].first_line, 3);
    EXPECT_EQ(error_of([] { parse_plain_text("ok\nbad \xfe\n", "in.txt"); }), "in.txt:2:5: invalid UTF-8 byte");
}

TEST(Vocabulary, MinCountOrderAndUnknown) {
    Vocabulary v = Vocabulary::build({{"b", 3}, {"a", 3}, {"c", 5}, {"rare", 1}}, 2, {"<pad>", "<unk>"}, "<unk>");
    EXPECT_EQ(v.tokens(), (std::vector<std::string>{"<pad>", "<unk>", "c", "a", "b"}));
    EXPECT_EQ(v.index("rare"), 1);
    EXPECT_EQ(v.index("a"), 3);
    Vocabulary tags = Vocabulary::from_tokens({"NOUN", "VERB"}, "");
    EXPECT_NE(error_of([&] { tags.index("ADJ"); }).find("no unknown token"), std::string::npos);
    EXPECT_NE(error_of([] { Vocabulary::from_tokens({"x", "x"}, ""); }).find("appears twice"), std::string::npos);
    EXPECT_EQ(utf8_chars("n\xc3\xafv"), (std::vector<std::string>{"n", "\xc3\xaf", "v"}));
    EXPECT_EQ(lower_ascii("ABc\xc3\x89"), "abc\xc3\x89");
}

}  // namespace
}  // namespace kaya::text
