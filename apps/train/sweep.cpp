// SPDX-License-Identifier: MIT
#include "apps/train/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "apps/train/plot.h"
#include "kaya/core/error.h"
#include "kaya/io/csv.h"
#include "kaya/io/file.h"
#include "kaya/io/json.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

namespace fs = std::filesystem;

// The value as a number, or NaN when it is not one (e.g. "'adam'" or "[32, 16]").
double numeric(const std::string& v) {
    try {
        size_t used = 0;
        double d = std::stod(v, &used);
        return used == v.size() ? d : NAN;
    } catch (const std::exception&) {
        return NAN;
    }
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// A run's summary from its history, by the task's selection metric.
SweepRun summarise(const std::vector<Metrics>& history, const Selection& sel) {
    SweepRun r;
    for (size_t i = 0; i < history.size(); ++i) {
        const Metrics& row = history[i];
        r.seconds += row.get("seconds");
        const double score = row.get(sel.metric);
        if (r.best_epoch == 0 || sel.better(score, r.best_score)) {
            r.best_score = score;
            r.best_epoch = static_cast<int64_t>(i) + 1;
            r.at_best = {};
            for (const auto& [n, v] : row.items()) {
                if ((n.rfind("val_", 0) == 0 && n != sel.metric) || n.rfind("train_", 0) == 0)
                    r.at_best.set(n, v);
            }
        }
    }
    return r;
}

// A finished run's test scores, read back from its test.json (empty when it has none).
Metrics read_test(const std::string& dir) {
    Metrics m;
    if (!fs::exists(dir + "/test.json")) return m;
    io::Json j = io::parse_json(io::read_file(dir + "/test.json"), dir + "/test.json");
    for (const auto& [name, v] : j.object()) {
        if (name == "best_epoch") continue;
        if (const auto* d = std::get_if<double>(&v.value)) m.set(name, *d);
        if (const auto* i = std::get_if<int64_t>(&v.value)) m.set(name, static_cast<double>(*i));
    }
    return m;
}

// A finished run's history, read back from its metrics.csv (for --resume).
std::vector<Metrics> read_history(const std::string& dir) {
    io::CsvTable t = io::read_csv(dir + "/metrics.csv");
    auto values = to_vector<double>(t.values);
    std::vector<Metrics> h(static_cast<size_t>(t.rows()));
    for (size_t r = 0; r < h.size(); ++r) {
        for (size_t c = 0; c < t.columns.size(); ++c)
            h[r].set(t.columns[c], values[r * t.columns.size() + c]);
    }
    return h;
}

void write_csv(const SweepResult& res, const std::vector<SweepAxis>& axes) {
    std::vector<std::string> extra, tests;
    auto collect = [](std::vector<std::string>& names, const Metrics& m) {
        for (const auto& [n, v] : m.items()) {
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
        }
    };
    for (const auto& r : res.runs) {
        collect(extra, r.at_best);
        collect(tests, r.test);
    }
    std::ostringstream os;
    for (const auto& a : axes) os << io::csv_field(a.key) << ",";
    os << "best_" << res.selection.metric << ",best_epoch";
    for (const auto& e : extra) os << "," << e;
    for (const auto& t : tests) os << "," << t;
    os << ",seconds,dir\n";
    for (const auto& r : res.runs) {
        for (const auto& v : r.values) os << io::csv_field(v) << ",";
        os << fmt(r.best_score) << "," << r.best_epoch;
        for (const auto& e : extra) os << "," << fmt(r.at_best.get(e));
        for (const auto& t : tests) os << "," << fmt(r.test.get(t));
        os << "," << fmt(r.seconds) << "," << io::csv_field(fs::path(r.dir).filename().string())
           << "\n";
    }
    io::write_file_atomic(res.dir + "/sweep.csv", os.str());
}

// The selection metric against the first axis, one line per setting of the other axes, and
// the best run as a marked point.
void write_plot(const SweepResult& res, const std::vector<SweepAxis>& axes) {
    std::map<std::string, Series> lines;
    std::vector<std::string> order;
    bool all_numeric = true, positive = true;
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& r : res.runs) {
        double x = numeric(r.values[0]);
        all_numeric = all_numeric && std::isfinite(x);
        if (std::isfinite(x)) {
            positive = positive && x > 0;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    }
    auto x_of = [&](const SweepRun& r) {
        size_t pos = 0;
        while (axes[0].values[pos] != r.values[0]) ++pos;
        return all_numeric ? numeric(r.values[0]) : static_cast<double>(pos);
    };
    for (const auto& r : res.runs) {
        std::string label;
        for (size_t i = 1; i < axes.size(); ++i)
            label += (i > 1 ? ", " : "") + axes[i].key + "=" + r.values[i];
        if (label.empty()) label = res.selection.metric;
        if (!lines.count(label)) {
            order.push_back(label);
            lines[label] = Series{label, {}, {}, false, true};
        }
        lines[label].x.push_back(x_of(r));
        lines[label].y.push_back(r.best_score);
    }
    std::vector<Series> series;
    for (const auto& l : order) series.push_back(lines[l]);
    const SweepRun& best = res.runs[res.best];
    series.push_back(
        Series{"best: " + fmt(best.best_score), {x_of(best)}, {best.best_score}, false, true});
    const bool loss_like = !res.selection.higher_is_better;
    PlotOptions po{.title = "sweep: best " + res.selection.metric + " of each run",
                   .xlabel = axes[0].key + (all_numeric ? "" : " (value index)"),
                   .ylabel = res.selection.metric,
                   .log_y = loss_like && best.best_score > 0,
                   .log_x = all_numeric && positive && hi >= 10 * lo};
    io::write_file_atomic(res.dir + "/sweep.svg", line_plot_svg(series, po));
}

}  // namespace

SweepAxis parse_sweep_axis(const std::string& spec) {
    auto eq = spec.find('=');
    KAYA_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < spec.size(), ValueError,
               "sweep axis '", spec,
               "': expected key=value1,value2,... (e.g. train.lr=0.001,0.01)");
    SweepAxis a{spec.substr(0, eq), {}};
    std::string cur;
    int depth = 0;
    char quote = 0;
    for (char c : spec.substr(eq + 1)) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 0) {
            KAYA_CHECK(!cur.empty(), ValueError, "sweep axis '", spec, "': empty value");
            a.values.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    KAYA_CHECK(!quote && depth == 0, ValueError, "sweep axis '", spec,
               "': unbalanced quote or bracket");
    KAYA_CHECK(!cur.empty(), ValueError, "sweep axis '", spec, "': empty value");
    a.values.push_back(cur);
    return a;
}

namespace {

// One point of the grid: trained, resumed, or read back when a previous sweep finished it.
SweepRun sweep_run(const Config& base, const std::vector<SweepAxis>& axes,
                   const std::vector<std::string>& values, const std::string& dir,
                   const SweepOptions& o, const TaskRegistry& registry, const Selection& sel) {
    Config cfg = base;
    std::string what;
    for (size_t i = 0; i < axes.size(); ++i) {
        cfg.set(axes[i].key + "=" + values[i]);
        what += (i ? ", " : "") + axes[i].key + "=" + values[i];
    }
    cfg.set("output.dir='" + dir + "'");
    if (o.verbose) {
        std::printf("\n== sweep run %s: %s ==\n", fs::path(dir).filename().c_str(), what.c_str());
        std::fflush(stdout);
    }
    const bool finished = fs::exists(dir + "/run.json");
    const bool started = fs::exists(dir + "/checkpoint.safetensors");
    if (o.resume && (finished || started)) {
        // A run made with other settings must not be mistaken for this one.
        KAYA_CHECK(io::read_file(dir + "/config.toml") == effective_config(cfg, registry),
                   ValueError, "sweep --resume: ", dir,
                   "/config.toml differs from this sweep's settings for ", what,
                   "; the axes or the base config changed (use a new --out)");
    }
    SweepRun run;
    if (o.resume && finished) {
        run = summarise(read_history(dir), sel);
        run.test = read_test(dir);
        if (o.verbose)
            std::printf("already finished: best %s %.6g\n", sel.metric.c_str(), run.best_score);
    } else {
        RunResult r = run_training(
            cfg, {.resume = o.resume && started, .force = true, .verbose = o.verbose}, registry);
        run = summarise(r.history, sel);
        run.test = r.test;
    }
    run.dir = dir;
    return run;
}

}  // namespace

SweepResult sweep(const Config& base, const std::vector<SweepAxis>& axes, const SweepOptions& o,
                  const TaskRegistry& registry) {
    KAYA_CHECK(!axes.empty(), ValueError,
               "sweep: give at least one axis, e.g. --grid train.lr=0.001,0.01");
    SweepResult res;
    res.dir =
        o.out_dir.empty() ? "runs/sweep-" + fs::path(base.source()).stem().string() : o.out_dir;
    res.selection = selection_of(base, registry);
    size_t total = 1;
    for (const auto& a : axes) total *= a.values.size();
    KAYA_CHECK(total <= 10000, ValueError, "sweep: ", total,
               " runs is more than the 10000 allowed");
    KAYA_CHECK(o.resume || o.force || !fs::exists(res.dir + "/sweep.csv"), IoError,
               "sweep directory '", res.dir,
               "' already holds a sweep; continue it with --resume, or start over with --force");
    fs::create_directories(res.dir);
    for (size_t n = 0; n < total; ++n) {
        // Mixed-radix digits of n: the last axis varies fastest.
        std::vector<std::string> values(axes.size());
        size_t rest = n;
        for (size_t i = axes.size(); i-- > 0;) {
            values[i] = axes[i].values[rest % axes[i].values.size()];
            rest /= axes[i].values.size();
        }
        char name[32];
        std::snprintf(name, sizeof name, "run-%03zu", n + 1);
        res.runs.push_back(
            sweep_run(base, axes, values, res.dir + "/" + name, o, registry, res.selection));
        res.runs.back().values = values;
        if (res.selection.better(res.runs.back().best_score, res.runs[res.best].best_score))
            res.best = res.runs.size() - 1;
        write_csv(res, axes);
        write_plot(res, axes);
    }
    return res;
}

}  // namespace kaya::app
