// SPDX-License-Identifier: MIT
// The tour's text-to-speech section on its own toy models: pictures, audio, tables, finding.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "apps/tour/report.h"
#include "apps/tour/tour.h"
#include "apps/train/task.h"
#include "apps/tts/tasks.h"
#include "apps/tts/tour_section.h"
#include "kaya/io/file.h"

namespace kaya::tts {
namespace {

namespace fs = std::filesystem;

TEST(TtsTour, SectionWritesPicturesAudioAndTables) {
    const std::string out = (fs::temp_directory_path() / ("kaya_ttstour_" + std::to_string(::getpid()))).string();
    fs::remove_all(out);
    fs::create_directories(out);
    if (!app::task_registry().contains("tts_ar")) register_tasks(app::task_registry());
    if (tour::tour_sections().empty()) add_tour_sections();
    const tour::TourSection* section = nullptr;
    for (const auto& s : tour::tour_sections()) section = s.name == "tts" ? &s : section;
    ASSERT_NE(section, nullptr);
    tour::Report report("test");
    section->run({.out_dir = out}, report);
    report.write(out);
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
