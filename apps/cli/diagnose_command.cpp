// SPDX-License-Identifier: MIT
// kaya diagnose RUN_DIR... [--out DIR]: model bias, optimisation failure or overfitting, read
// from finished runs of kaya train (MISSION row 6); prints the verdicts with their numbers and
// writes DIR/diagnosis.svg and DIR/index.html.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/analysis/diagnose.h"
#include "apps/cli/commands.h"
#include "apps/tour/report.h"
#include "kaya/io/file.h"

namespace kaya::cli {

namespace {

struct DiagnoseArgs {
    std::vector<std::string> runs;
    std::string out = "runs/diagnosis";
    analysis::DiagnoseOptions options;
};

void run(const DiagnoseArgs& a) {
    std::vector<analysis::RunSummary> runs;
    for (const auto& dir : analysis::expand_run_dirs(a.runs)) runs.push_back(analysis::read_run(dir));
    auto d = analysis::diagnose(runs, a.options);
    std::fputs(analysis::diagnosis_text(d).c_str(), stdout);
    std::filesystem::create_directories(a.out);
    io::write_file_atomic(a.out + "/diagnosis.svg", analysis::diagnosis_svg(d));
    std::string html = tour::Report::figure("diagnosis.svg", "Loss curves of the runs compared");
    for (const auto& f : d.findings) html += "<p><b>" + tour::Report::escape(f.kind) + ":</b> " + tour::Report::escape(f.text) + "</p>";
    for (const auto& s : d.advice) html += tour::Report::finding(s);
    tour::Report report("Kaya: diagnosis of " + std::to_string(runs.size()) + " runs");
    report.add_section("Model bias, optimisation or overfitting", html);
    std::printf("wrote %s\n", report.write(a.out).c_str());
}

}  // namespace

void add_diagnose_command(CLI::App& app) {
    auto a = std::make_shared<DiagnoseArgs>();
    auto* cmd = app.add_subcommand("diagnose", "Model bias, optimisation failure or overfitting, from finished runs");
    cmd->add_option("runs", a->runs, "Run directories of kaya train, or a sweep's directory")->required();
    cmd->add_option("--out", a->out, "Where to write diagnosis.svg and index.html")->capture_default_str();
    cmd->add_option("--margin", a->options.margin, "A training loss this much (relative) above another is higher")
        ->check(CLI::Range(0.0, 10.0))->capture_default_str();
    cmd->add_option("--rise", a->options.rise, "Validation loss this much above its minimum at the end is overfitting")
        ->check(CLI::Range(0.0, 10.0))->capture_default_str();
    cmd->callback([a] { run(*a); });
}

}  // namespace kaya::cli
