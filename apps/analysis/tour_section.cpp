// SPDX-License-Identifier: MIT
#include "apps/analysis/tour_section.h"

#include <cstdio>
#include <filesystem>

#include "apps/analysis/diagnose.h"
#include "apps/analysis/landscape_study.h"
#include "apps/analysis/spectrum.h"
#include "apps/tour/tour.h"
#include "apps/train/plot.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"

namespace kaya::analysis {

namespace {

const std::string kFashion = "/usr/share/datasets/fashion-mnist";

bool have_fashion() { return std::filesystem::exists(kFashion + "/train-images-idx3-ubyte.gz"); }

// Plain deep MLPs of growing depth (no residual connections, no normalisation), each trained
// the same way, then kaya diagnose's reading of their curves.
void demo_depth(const tour::TourOptions& t, tour::Report& report) {
    const std::string data = have_fashion()
        ? "[data]\nsource = 'fashion_mnist'\nlimit_train = " + std::string(t.full ? "60000" : "6000") +
              "\nlimit_test = 2000\n"
        : "[data]\nsource = 'synthetic'\nrows = 3000\nfeatures = 8\n";
    const std::vector<int> depths = t.full ? std::vector<int>{5, 20, 56} : std::vector<int>{3, 12, 32};
    std::vector<RunSummary> runs;
    for (int depth : depths) {
        const std::string dir = t.out_dir + "/runs/depth_" + std::to_string(depth);
        std::printf("  depth %d\n", depth);
        std::fflush(stdout);
        auto cfg = app::Config::parse(
            "[task]\nkind = '" + std::string(have_fashion() ? "classification" : "regression") + "'\n" + data +
                "[model]\ndepth = " + std::to_string(depth) + "\nwidth = 32\nactivation = 'relu'\n"
                "[train]\noptimizer = 'adam'\nlr = 0.001\nbatch_size = 128\nepochs = " +
                std::string(t.full ? "12" : "5") + "\n[output]\ndir = '" + dir + "'\n",
            "depth " + std::to_string(depth));
        app::run_training(cfg, {.force = true, .verbose = false});
        runs.push_back(read_run(dir));
    }
    auto d = diagnose(runs);
    io::write_file_atomic(t.out_dir + "/depth.svg", diagnosis_svg(d));
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : d.runs) {
        rows.push_back({std::to_string(r.layers), tour::Report::number(static_cast<double>(r.parameters), "%.0f"),
                        tour::Report::number(r.best_train), tour::Report::number(r.best_val)});
    }
    std::string html = "<p>Plain networks of " + std::to_string(depths[0]) + ", " + std::to_string(depths[1]) +
                       " and " + std::to_string(depths[2]) +
                       " Linear layers of width 32 (ReLU, PyTorch's initialisation, no residual connections or "
                       "normalisation), trained alike; <code>kaya diagnose</code> reads their runs.</p>";
    html += tour::Report::table_html({"layers", "parameters", "lowest training loss", "lowest validation loss"}, rows);
    html += tour::Report::figure("depth.svg", "Training (solid) and validation (dashed) loss by depth");
    std::string verdicts;
    for (const auto& f : d.findings) verdicts += "[" + f.kind + "] " + f.text + " ";
    for (const auto& a : d.advice) verdicts += "Next: " + a + " ";
    html += tour::Report::finding(verdicts);
    report.add_section("Model bias or optimisation? Deeper plain networks", html);
}

// The extreme Hessian eigenvalues (Lanczos) of the models earlier sections of this tour trained
// (the Fashion-MNIST MLP, the Go policy network), at their trained weights.
void demo_spectra(const tour::TourOptions& t, tour::Report& report) {
    std::vector<std::vector<std::string>> rows;
    std::string negatives;
    for (const char* name : {"fashion_mnist", "go_policy"}) {
        const std::string dir = t.out_dir + "/runs/" + name;
        if (!std::filesystem::exists(dir + "/model.safetensors")) continue;
        std::printf("  Lanczos on %s\n", dir.c_str());
        std::fflush(stdout);
        auto r = model_spectrum(app::Config::load(dir + "/config.toml"), dir + "/model.safetensors",
                                {.batches = 2, .steps = t.full ? 60 : 24, .count = 3, .verbose = false});
        auto list = [](const std::vector<double>& v) {
            std::string s;
            for (double x : v) s += (s.empty() ? "" : ", ") + tour::Report::number(x);
            return s;
        };
        if (!r.bottom.empty() && r.bottom.front() < 0) {
            negatives += (negatives.empty() ? "" : "; ") + std::string(name) + ": smallest " +
                         tour::Report::number(r.bottom.front()) + " against a largest of " +
                         tour::Report::number(r.top.front());
        }
        rows.push_back({std::string("runs/") + name, app::with_commas(r.parameters), tour::Report::number(r.loss),
                        list(r.top), list(r.bottom), std::to_string(r.steps)});
    }
    if (rows.empty()) return;  // Run with --only: the models were not trained.
    report.add_section("The Hessian of trained networks (Lanczos)", "<p>The same question for networks far too big for a full Hessian: Lanczos on Hessian-vector products "
           "(<code>kaya spectrum</code>) at the trained weights of this tour's models, on two training batches. "
           "Their ReLUs make it the Hessian of the active pieces.</p>" +
           tour::Report::table_html({"model", "parameters", "loss", "largest eigenvalues", "smallest eigenvalues",
                                     "Lanczos steps"},
                                    rows) +
        tour::Report::finding(negatives.empty()
                                  ? "No negative eigenvalue among the smallest found: to Lanczos' precision these "
                                    "points look like minima of the training batches' loss."
                                  : "Negative curvature remains at the end of training (" + negatives +
                                        "): these points are not minima of the training batches' loss."));
}

void demo_critical_points(const tour::TourOptions& t, tour::Report& report) {
    Problem problem = have_fashion() ? fashion_problem(kFashion, t.full ? 1000 : 600, 0)
                           : cluster_problem(300, 12, 4, 0);
    StudyOptions o;
    o.landscape.hidden = t.full ? 8 : 6;
    o.seeds = t.full ? 100 : 8;
    o.out_dir = t.out_dir + "/landscape";
    o.figure_prefix = "landscape/";
    report.add_section("Critical points: local minima and saddle points (the Hessian)",
                       run_landscape_study(problem, o).html);
}

}  // namespace

void add_tour_sections() {
    tour::add_tour_section({6.5, "model bias or optimisation: depth", demo_depth});
    tour::add_tour_section({7, "critical points and the Hessian", demo_critical_points});
    // After Go's section, whose network it reads.
    tour::add_tour_section({13.5, "Hessian spectra of trained networks", demo_spectra});
}

}  // namespace kaya::analysis
