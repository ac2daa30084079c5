// SPDX-License-Identifier: MIT
// The fuzz targets' seed corpora (fuzz/corpus/<target>/, with any input a fuzzing campaign
// found and fixed) replayed as ordinary tests: every file must pass its target without a crash,
// a sanitizer report or an exception other than kaya::Error (which the targets swallow).
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/targets.h"
#include "kaya/io/file.h"

namespace kaya::fuzz {
namespace {

class Corpus : public ::testing::TestWithParam<NamedTarget> {};

TEST_P(Corpus, EverySeedPasses) {
    const auto& t = GetParam();
    const std::filesystem::path dir = std::filesystem::path(KAYA_FUZZ_CORPUS) / t.name;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string bytes = io::read_file(e.path().string());
        EXPECT_EQ(t.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0) << e.path();
        ++files;
    }
    EXPECT_GE(files, 3) << "a seed corpus of at least three inputs";
}

INSTANTIATE_TEST_SUITE_P(Targets, Corpus, ::testing::ValuesIn(targets()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kaya::fuzz
