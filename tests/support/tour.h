// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "apps/tour/report.h"
#include "apps/tour/tour.h"
#include "kaya/core/error.h"
#include "kaya/io/file.h"

namespace kaya::test {

// Runs the tour section `name` (registered by the caller) into a fresh temporary directory
// named after `tag` and returns that directory; its report is in index.html.
inline std::string run_tour_section(const std::string& name, const std::string& tag) {
    namespace fs = std::filesystem;
    const std::string out = (fs::temp_directory_path() / ("kaya_" + tag + "_" + std::to_string(::getpid()))).string();
    fs::remove_all(out);
    fs::create_directories(out);
    const tour::TourSection* section = nullptr;
    for (const auto& s : tour::tour_sections()) section = s.name == name ? &s : section;
    KAYA_CHECK(section != nullptr, ValueError, "no tour section named ", name);
    tour::Report report("test");
    section->run({.out_dir = out}, report);
    report.write(out);
    return out;
}

}  // namespace kaya::test
