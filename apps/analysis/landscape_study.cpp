// SPDX-License-Identifier: MIT
#include "apps/analysis/landscape_study.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "apps/tour/report.h"
#include "apps/train/plot.h"
#include "apps/train/progress.h"
#include "kaya/io/csv.h"
#include "kaya/io/file.h"

namespace kaya::analysis {

namespace {

using tour::Report;

const char* kHeader =
    "seed,parameters,loss,trained_gradient_norm,gradient_norm,negative,zero,positive,"
    "minimum_ratio,kink_fraction,verdict";

std::string csv_row(const CriticalPointReport& r) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%llu,%lld,%.10g,%.6g,%.6g,%lld,%lld,%lld,%.6f,%.6g,",
                  static_cast<unsigned long long>(r.seed), static_cast<long long>(r.parameters),
                  r.loss, r.trained_gradient_norm, r.gradient_norm,
                  static_cast<long long>(r.negative), static_cast<long long>(r.zero),
                  static_cast<long long>(r.positive), r.minimum_ratio, r.kink_fraction);
    return buf + io::csv_field(r.verdict);
}

// A whole field as a number (std::stod alone would accept "12abc"); ParseError otherwise.
double number_field(const std::string& f, const std::string& source, int64_t line_no) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(f, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    KAYA_CHECK(used == f.size() && !f.empty(), ParseError, source, ":", line_no, ": expected a number, got '",
               f, "'");
    return v;
}

int64_t count_field(const std::string& f, const std::string& source, int64_t line_no) {
    const double v = number_field(f, source, line_no);
    KAYA_CHECK(v >= 0 && v == std::floor(v) && v < 9.0e15, ParseError, source, ":", line_no,
               ": expected a count, got '", f, "'");
    return static_cast<int64_t>(v);
}

// The seeds a previous run of the study wrote (resume), by seed.
std::map<uint64_t, CriticalPointReport> read_rows(const std::string& path) {
    std::map<uint64_t, CriticalPointReport> out;
    if (!std::filesystem::exists(path)) return out;
    for (auto& r : parse_landscape_table(io::read_file(path), path)) out[r.seed] = r;
    return out;
}

void write_table(const std::string& path, const std::vector<CriticalPointReport>& points) {
    io::write_file_atomic(path, format_landscape_table(points));
}

void write_pictures(const CriticalPointReport& r, const std::string& dir) {
    app::Series gn{"gradient norm", r.history_step, r.history_gradient_norm};
    app::PlotOptions po{.title = "Seed " + std::to_string(r.seed) + ": training, descent on |gradient|^2 from step " +
                                 std::to_string(r.train_steps) + ", then Levenberg-Marquardt",
                        .xlabel = "full-batch step", .ylabel = "gradient norm", .log_y = true};
    io::write_file_atomic(dir + "/search.svg", app::line_plot_svg({gn}, po));
    std::vector<double> idx;
    for (size_t i = 0; i < r.eigenvalues.size(); ++i) idx.push_back(static_cast<double>(i + 1));
    app::Series ev{"eigenvalue", idx, r.eigenvalues, false, true};
    const size_t low = std::min<size_t>(40, r.eigenvalues.size());
    app::Series ev_low{"the smallest " + std::to_string(low),
                       std::vector<double>(idx.begin(), idx.begin() + static_cast<long>(low)),
                       std::vector<double>(r.eigenvalues.begin(), r.eigenvalues.begin() + static_cast<long>(low)),
                       false, true};
    io::write_file_atomic(dir + "/spectrum.svg",
                          app::line_plot_svg({ev}, {.title = "Hessian eigenvalues, ascending (" + std::to_string(r.negative) +
                                                             " negative, " + std::to_string(r.zero) + " zero, " +
                                                             std::to_string(r.positive) + " positive)",
                                                    .xlabel = "index", .ylabel = "eigenvalue"}));
    io::write_file_atomic(dir + "/spectrum_low.svg",
                          app::line_plot_svg({ev_low}, {.title = "The smallest eigenvalues",
                                                        .xlabel = "index", .ylabel = "eigenvalue"}));
    if (!r.escape_t.empty()) {
        // Changes from the point's loss: the dip is far smaller than the loss itself.
        std::vector<double> actual_change, model_change;
        for (double v : r.escape_loss) actual_change.push_back(v - r.loss);
        for (double v : r.escape_quadratic) model_change.push_back(v - r.loss);
        app::Series actual{"loss along u", r.escape_t, actual_change};
        app::Series quad{"lambda t^2 / 2 (quadratic model)", r.escape_t, model_change, true};
        io::write_file_atomic(dir + "/escape.svg",
                              app::line_plot_svg({actual, quad}, {.title = "Seed " + std::to_string(r.seed) + " (" + r.verdict + "): along the eigenvector u of lambda = " +
                                                                           Report::number(r.eigenvalues.front()),
                                                                  .xlabel = "t (point + t u)", .ylabel = "change in training loss"}));
    }
}

void write_scatter(const std::vector<CriticalPointReport>& points, const std::string& dir) {
    std::map<std::string, app::Series> by_verdict;
    for (const auto& r : points) {
        auto& s = by_verdict[r.verdict];
        s.name = r.verdict, s.markers = true;
        s.x.push_back(r.minimum_ratio);
        s.y.push_back(r.loss);
    }
    std::vector<app::Series> series;
    for (auto& [_, s] : by_verdict) {
        s.line = false;
        series.push_back(s);
    }
    io::write_file_atomic(dir + "/scatter.svg",
                          app::line_plot_svg(series, {.title = "Critical points over " + std::to_string(points.size()) + " seeds",
                                                      .xlabel = "minimum ratio (share of positive eigenvalues)",
                                                      .ylabel = "training loss"}));
}

std::string section_html(const Problem& p, const StudyOptions& o, const std::vector<CriticalPointReport>& points) {
    const auto& first = points.front();
    std::map<std::string, int> verdicts;
    double ratio_min = 1, ratio_max = 0;
    for (const auto& r : points) {
        ++verdicts[r.verdict];
        ratio_min = std::min(ratio_min, r.minimum_ratio), ratio_max = std::max(ratio_max, r.minimum_ratio);
    }
    std::string html = "<p>" + Report::escape(p.description) + "; network " + std::to_string(p.x.size(1)) + "-" +
                       std::to_string(o.landscape.hidden) + "-" + std::to_string(p.classes) + " (" +
                       o.landscape.activation + ", " + std::to_string(first.parameters) +
                       " parameters), cross-entropy on the full batch. Each seed: " +
                       std::to_string(o.landscape.train_steps) + " Adam steps on the loss, then " +
                       std::to_string(o.landscape.critical_steps) +
                       " on half the squared gradient norm (its gradient is the Hessian times the gradient, one "
                       "double-backward product a step), then up to " + std::to_string(o.landscape.newton_steps) +
                       " Levenberg-Marquardt steps on it with the full Hessian (drawn to the nearest critical point, "
                       "minimum or saddle alike), then the Hessian's eigenvalues (LAPACK).</p>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : points) {
        if (rows.size() >= 12) break;
        rows.push_back({std::to_string(r.seed), Report::number(r.loss), Report::number(r.trained_gradient_norm, "%.2e"),
                        Report::number(r.gradient_norm, "%.2e"), std::to_string(r.negative), std::to_string(r.zero),
                        std::to_string(r.positive), Report::number(r.minimum_ratio, "%.3f"), r.verdict});
    }
    html += Report::table_html({"seed", "loss", "|g| after training", "|g| at the point", "negative", "zero",
                                "positive", "minimum ratio", "verdict"},
                               rows);
    html += Report::figure(o.figure_prefix + "search.svg", "Seed " + std::to_string(first.seed) + ": the gradient norm while training, then while descending on it.");
    html += Report::figure(o.figure_prefix + "spectrum.svg", "Seed " + std::to_string(first.seed) + ": the Hessian's eigenvalues at the point.");
    html += Report::figure(o.figure_prefix + "spectrum_low.svg", "The smallest eigenvalues of the same spectrum.");
    if (!first.escape_t.empty()) {
        // The curve spans 1.25 times as far as the loss keeps falling: its quarter points are inside.
        const size_t n = first.escape_loss.size();
        const bool down = first.escape_loss[n / 4] < first.loss && first.escape_loss[3 * n / 4] < first.loss;
        html += Report::figure(o.figure_prefix + "escape.svg",
                               std::string("Along the eigenvector of the most negative eigenvalue the loss ") +
                                   (down ? "falls on both sides: the escape direction."
                                         : "does not fall on both sides within the range shown."));
    }
    if (points.size() > 1) html += Report::figure(o.figure_prefix + "scatter.svg", "Minimum ratio against training loss, one point per seed (the course's figure).");
    std::string counts;
    for (const auto& [v, n] : verdicts) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + v;
    html += Report::finding("Over " + std::to_string(points.size()) + " seeds: " + counts +
                            "; minimum ratios from " + Report::number(ratio_min, "%.3f") + " to " +
                            Report::number(ratio_max, "%.3f") +
                            (first.kink_fraction > 0 ? "; ReLU kinks: the Hessian is that of the active pieces (" +
                                                           Report::number(100 * first.kink_fraction, "%.2f") +
                                                           "% of pre-activations within 1e-6 of a kink)"
                                                     : "") +
                            ".");
    return html;
}

}  // namespace

std::vector<CriticalPointReport> parse_landscape_table(std::string_view text, const std::string& source) {
    std::vector<CriticalPointReport> out;
    std::istringstream in{std::string(text)};
    std::string line;
    int64_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line_no == 1) {
            KAYA_CHECK(line == kHeader, ParseError, source, ":1: not a landscape table (expected the header ",
                       kHeader, "); delete the file to start the study afresh");
            continue;
        }
        if (line.empty()) continue;
        auto f = io::split_csv_line(line, ',', source, line_no);
        KAYA_CHECK(f.size() == 11, ParseError, source, ":", line_no, ": expected 11 fields, got ", f.size(),
                   " (delete the file to start the study afresh)");
        CriticalPointReport r;
        r.seed = static_cast<uint64_t>(count_field(f[0], source, line_no));
        r.parameters = count_field(f[1], source, line_no);
        r.loss = number_field(f[2], source, line_no);
        r.trained_gradient_norm = number_field(f[3], source, line_no);
        r.gradient_norm = number_field(f[4], source, line_no);
        r.negative = count_field(f[5], source, line_no);
        r.zero = count_field(f[6], source, line_no);
        r.positive = count_field(f[7], source, line_no);
        r.minimum_ratio = number_field(f[8], source, line_no);
        r.kink_fraction = number_field(f[9], source, line_no);
        r.verdict = f[10];
        KAYA_CHECK(r.verdict == "local minimum" || r.verdict == "saddle point" || r.verdict == "flat" ||
                       r.verdict == "not a critical point",
                   ParseError, source, ":", line_no, ": unknown verdict '", r.verdict, "'");
        out.push_back(r);
    }
    return out;
}

std::string format_landscape_table(const std::vector<CriticalPointReport>& points) {
    std::string text = std::string(kHeader) + "\n";
    for (const auto& r : points) text += csv_row(r) + "\n";
    return text;
}

std::string describe_point(const CriticalPointReport& r) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "seed %llu: loss %.6g, gradient norm %.2e (after training %.2e), eigenvalues %lld negative / "
                  "%lld zero / %lld positive of %lld, minimum ratio %.3f: %s",
                  static_cast<unsigned long long>(r.seed), r.loss, r.gradient_norm, r.trained_gradient_norm,
                  static_cast<long long>(r.negative), static_cast<long long>(r.zero),
                  static_cast<long long>(r.positive), static_cast<long long>(r.parameters), r.minimum_ratio,
                  r.verdict.c_str());
    std::string s = buf;
    if (!r.eigenvalues.empty()) {
        std::snprintf(buf, sizeof buf, "; smallest eigenvalue %.4g, largest %.4g", r.eigenvalues.front(),
                      r.eigenvalues.back());
        s += buf;
    }
    if (r.kink_fraction > 0) {
        std::snprintf(buf, sizeof buf, "; ReLU: %.2f%% of pre-activations within 1e-6 of a kink", 100 * r.kink_fraction);
        s += buf;
    }
    return s;
}

StudyResult run_landscape_study(const Problem& problem, const StudyOptions& o) {
    KAYA_CHECK(o.seeds >= 1, ValueError, "landscape: seeds must be at least 1, got ", o.seeds);
    std::filesystem::create_directories(o.out_dir);
    const std::string table = o.out_dir + "/landscape.csv";
    auto done = o.resume ? read_rows(table) : std::map<uint64_t, CriticalPointReport>{};
    StudyResult result;
    app::Progress bar("landscape", o.seeds, "seeds");
    if (!o.verbose) bar.set_enabled(false);
    for (int64_t i = 0; i < o.seeds; ++i) {
        const uint64_t seed = o.first_seed + static_cast<uint64_t>(i);
        bool fresh = !done.count(seed) || i == 0;  // The first seed's pictures need its history.
        CriticalPointReport r = fresh ? find_critical_point(problem, o.landscape, seed) : done[seed];
        if (fresh && i == 0) write_pictures(r, o.out_dir);
        result.points.push_back(r);
        write_table(table, result.points);
        if (o.verbose) {
            bar.update(i + 1, r.verdict);
            std::fprintf(stderr, "%s%s\n", bar.enabled() ? "\r\033[K" : "", describe_point(r).c_str());
        }
    }
    bar.finish();
    if (result.points.size() > 1) write_scatter(result.points, o.out_dir);
    result.html = section_html(problem, o, result.points);
    return result;
}

}  // namespace kaya::analysis
