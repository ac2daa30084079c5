// SPDX-License-Identifier: MIT
// kaya tour [--out DIR] [--data ROOT] [--full] [--only TEXT]
#include <cstdio>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/tour/tour.h"

namespace kaya::cli {

void add_tour_command(CLI::App& app) {
    auto options = std::make_shared<tour::TourOptions>();
    auto* cmd =
        app.add_subcommand("tour", "Run every application briefly and write an HTML report");
    cmd->add_option("--out", options->out_dir, "Report directory")->capture_default_str();
    cmd->add_option("--data", options->data_dir,
                    "Root of full real data (e.g. ../shared/data); default: embedded data only");
    cmd->add_flag("--full", options->full, "Train to the published targets instead of briefly");
    cmd->add_option("--only", options->only, "Run only the sections whose name contains this text");
    cmd->callback(
        [options] { std::printf("report written to %s\n", tour::run_tour(*options).c_str()); });
}

}  // namespace kaya::cli
