// SPDX-License-Identifier: MIT
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace kaya::cli {

// Each subcommand in its own file: it declares its flags on `app` and runs from a callback, so
// main() only parses and reports errors.
void add_train_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_tour_command(CLI::App& app);
void add_go_gtp_command(CLI::App& go);
void add_go_match_command(CLI::App& go);
void add_go_curve_command(CLI::App& go);
void add_go_rescore_command(CLI::App& go);
void add_doctor_command(CLI::App& app);
void add_tag_command(CLI::App& app);
void add_translate_command(CLI::App& app);
void add_tts_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_audio_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_landscape_command(CLI::App& app);
void add_diagnose_command(CLI::App& app);
void add_spectrum_command(CLI::App& app);

// CPU, threads and the BLAS in use (kaya doctor, kaya --version).
std::string system_report();

// The applications in this binary: every task kind (task.kind -> factory) and every section of
// the tour. The one place that lists them.
void register_applications();

}  // namespace kaya::cli
