// SPDX-License-Identifier: MIT
// The tour's text-to-speech section on its own toy models: pictures, audio, tables, finding.
#include <gtest/gtest.h>

#include <filesystem>

#include "apps/train/task.h"
#include "apps/tts/tasks.h"
#include "apps/tts/tour_section.h"
#include "kaya/io/file.h"
#include "support/tour.h"

namespace kaya::tts {
namespace {

namespace fs = std::filesystem;

TEST(TtsTour, SectionWritesPicturesAudioAndTables) {
    if (!app::task_registry().contains("tts_ar")) register_tasks(app::task_registry());
    if (tour::tour_sections().empty()) add_tour_sections();
    const std::string out = test::run_tour_section("tts", "ttstour");
    const std::string html = io::read_file(out + "/index.html");
    for (const char* text : {"frames a second (batch 1)", "natural / speed", "MCD-DTW (dB)", "<audio controls", "What this shows"})
        EXPECT_NE(html.find(text), std::string::npos) << text;
    for (const char* f : {"tts_mel_target.png", "tts_mel_ar.png", "tts_mel_nar.png", "tts_alignment.png",
                          "tts_durations.svg", "tts_ar.wav", "tts_nar.wav", "tts_recording.wav", "tts_speed_0.50.wav",
                          "tts_speed_1.50.wav"})
        EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
    fs::remove_all(out);
}

}  // namespace
}  // namespace kaya::tts
