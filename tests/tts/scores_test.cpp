// SPDX-License-Identifier: MIT
// Judging generated speech: DTW, mel-cepstral distortion, attention failures, durations.
#include <gtest/gtest.h>

#include <cmath>
#include <unistd.h>

#include <filesystem>

#include "apps/tts/durations.h"
#include "apps/tts/scores.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::tts {
namespace {

TEST(TtsScores, DtwFollowsAStretchedCopy) {
    manual_seed(3);
    const Tensor a = randn({6, 4});
    // b repeats frame 2 three times: the path must visit it three times against a's frame 2.
    const Tensor b = index_select(a, 0, from_vector<int64_t>({0, 1, 2, 2, 2, 3, 4, 5}, {8}));
    const auto path = dtw_path(a, b);
    EXPECT_EQ(path.front(), std::make_pair(int64_t{0}, int64_t{0}));
    EXPECT_EQ(path.back(), std::make_pair(int64_t{5}, int64_t{7}));
    EXPECT_EQ(path.size(), 8u);
    for (size_t k = 1; k < path.size(); ++k) {
        EXPECT_LE(path[k].first - path[k - 1].first, 1);
        EXPECT_LE(path[k].second - path[k - 1].second, 1);
    }
    const Tensor m = add(mul(randn({10, 80}), 2.0), -5.0);
    const SpeechDistance same = speech_distance(m, m);
    EXPECT_EQ(same.mcd, 0.0);
    EXPECT_EQ(same.mel_l1, 0.0);
    EXPECT_EQ(same.length_ratio, 1.0);
    const SpeechDistance off = speech_distance(add(m, mul(randn({10, 80}), 1.0)), m);
    EXPECT_GT(off.mcd, 1.0);
    EXPECT_GT(off.mel_l1, 0.4);
    // The scale, by hand: frames that differ by cos(pi (n + 1/2) / N) over the N bands have
    // c_1 = 1/2 and no other coefficient, so MCD = (10 / ln 10) sqrt(2 / 4) = 3.0705 dB.
    std::vector<double> wave(80);
    for (size_t n = 0; n < wave.size(); ++n) wave[n] = std::cos(M_PI * (static_cast<double>(n) + 0.5) / 80.0);
    const Tensor flat = full({5, 80}, -4.0, DType::Float64);
    const Tensor bent = add(flat, expand(from_vector<double>(wave, {1, 80}), {5, 80}));
    EXPECT_NEAR(speech_distance(bent, flat).mcd, 10.0 / std::log(10.0) * std::sqrt(0.5), 1e-9);
    // A uniform change of level is c_0 only: no cepstral distortion.
    EXPECT_LT(speech_distance(add(m, 1.0), m).mcd, 1e-6);
    EXPECT_NE(test::error_of([&] { speech_distance(m, zeros({4, 40})); }).find("same bands"), std::string::npos);
}

Tensor alignment_from(const std::vector<int64_t>& focus, int64_t L) {
    return one_hot(from_vector<int64_t>(focus, {static_cast<int64_t>(focus.size())}), L);
}

TEST(TtsScores, AttentionFailures) {
    EXPECT_TRUE(attention_failures(to(alignment_from({0, 1, 1, 2, 3, 4, 5}, 6), DType::Float32), true).ok());
    auto f = attention_failures(to(alignment_from({0, 1, 7, 8, 9}, 10), DType::Float32), true);
    EXPECT_TRUE(f.skipped);
    EXPECT_EQ(f.describe(), "skipped");
    f = attention_failures(to(alignment_from({0, 1, 2, 3, 4, 1, 2, 3, 4, 5}, 6), DType::Float32), true);
    EXPECT_TRUE(f.repeated);
    f = attention_failures(to(alignment_from({0, 1, 2}, 10), DType::Float32), true);
    EXPECT_TRUE(f.stopped_early);
    f = attention_failures(to(alignment_from({0, 1, 2, 3, 3, 3}, 4), DType::Float32), false);
    EXPECT_EQ(f.describe(), "never stopped");
}

TEST(TtsDurations, FromAlignmentAndBack) {
    // 7 frames in steps of 3: steps look at characters 0, 2, 2 -> 3, 0, 1 + 3 (last step has 1).
    const Tensor a = to(alignment_from({0, 2, 2}, 4), DType::Float32);
    EXPECT_EQ(durations_from_alignment(a, 7, 3), (std::vector<int64_t>{3, 0, 4, 0}));
    EXPECT_DOUBLE_EQ(focus_rate(a), 1.0);
    EXPECT_NE(test::error_of([&] { durations_from_alignment(a, 10, 3); }).find("10 frames need 4 steps"),
              std::string::npos);
    const std::string path = (std::filesystem::temp_directory_path() / ("kaya_dur" + std::to_string(::getpid()))).string();
    write_durations(path, {{"a", {1, 2, 3}}, {"b", {0, 4}}});
    const auto back = read_durations(path);
    EXPECT_EQ(back.at("a"), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(back.at("b"), (std::vector<int64_t>{0, 4}));
    io::write_file_atomic(path, "a\t1 2\nb\t3 -1\n");
    EXPECT_NE(test::error_of([&] { read_durations(path); }).find(":2: '-1' is not a duration"), std::string::npos);
    io::write_file_atomic(path, "a\t1 2\na\t3\n");
    EXPECT_NE(test::error_of([&] { read_durations(path); }).find(":2: id 'a' appears twice"), std::string::npos);
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace kaya::tts
