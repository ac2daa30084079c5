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
#include "apps/train/report.h"
#include "kaya/core/error.h"
#include "kaya/io/csv.h"
#include "kaya/io/file.h"
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

// A finished run's result, read back from its metrics.csv (for --resume).
SweepRun read_finished(const std::string& dir) {
    io::CsvTable t = io::read_csv(dir + "/metrics.csv");
    SweepRun r;
    r.dir = dir;
    const bool classification =
        std::find(t.columns.begin(), t.columns.end(), "val_accuracy") != t.columns.end();
    auto col = [&](const std::string& name) {
        return to_vector<double>(t.select({name}, DType::Float64));
    };
    auto val = col("val_loss"), secs = col("seconds");
    auto acc = classification ? col("val_accuracy") : std::vector<double>(val.size(), -1.0);
    r.best_val_loss = INFINITY;
    for (size_t i = 0; i < val.size(); ++i) {
        r.seconds += secs[i];
        if (val[i] < r.best_val_loss) {
            r.best_val_loss = val[i];
            r.best_epoch = static_cast<int64_t>(i) + 1;
            r.val_accuracy = acc[i];
        }
    }
    return r;
}

void write_outputs(const SweepResult& res, const std::vector<SweepAxis>& axes) {
    const bool classification = !res.runs.empty() && res.runs.front().val_accuracy >= 0;
    std::ostringstream os;
    for (const auto& a : axes) os << io::csv_field(a.key) << ",";
    os << "best_val_loss,best_epoch" << (classification ? ",val_accuracy" : "") << ",seconds,dir\n";
    for (const auto& r : res.runs) {
        for (const auto& v : r.values) os << io::csv_field(v) << ",";
        os << Report::number(r.best_val_loss, "%.6g") << "," << r.best_epoch;
        if (classification) os << "," << Report::number(r.val_accuracy, "%.6g");
        os << "," << Report::number(r.seconds, "%.6g") << ","
           << io::csv_field(fs::path(r.dir).filename().string()) << "\n";
    }
    io::write_file_atomic(res.dir + "/sweep.csv", os.str());

    // Validation loss against the first axis, one line per setting of the other axes.
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
    for (const auto& r : res.runs) {
        std::string label;
        for (size_t i = 1; i < axes.size(); ++i)
            label += (i > 1 ? ", " : "") + axes[i].key + "=" + r.values[i];
        if (label.empty()) label = "validation loss";
        if (!lines.count(label)) {
            order.push_back(label);
            lines[label] = Series{label, {}, {}, false, true};
        }
        size_t pos = 0;
        while (axes[0].values[pos] != r.values[0]) ++pos;
        lines[label].x.push_back(all_numeric ? numeric(r.values[0]) : static_cast<double>(pos));
        lines[label].y.push_back(r.best_val_loss);
    }
    std::vector<Series> series;
    for (const auto& l : order) series.push_back(lines[l]);
    PlotOptions po{.title = "sweep: best validation loss",
                   .xlabel = axes[0].key + (all_numeric ? "" : " (value index)"),
                   .ylabel = "validation loss",
                   .log_y = true,
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
        } else if (c == '[') {
            ++depth;
        } else if (c == ']') {
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

SweepResult sweep(const Config& base, const std::vector<SweepAxis>& axes, const SweepOptions& o) {
    KAYA_CHECK(!axes.empty(), ValueError,
               "sweep: give at least one axis, e.g. --grid train.lr=0.001,0.01");
    SweepResult res;
    res.dir =
        o.out_dir.empty() ? "runs/sweep-" + fs::path(base.source()).stem().string() : o.out_dir;
    fs::create_directories(res.dir);
    size_t total = 1;
    for (const auto& a : axes) total *= a.values.size();
    KAYA_CHECK(total <= 10000, ValueError, "sweep: ", total,
               " runs is more than the 10000 allowed");
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
        const std::string dir = res.dir + "/" + name;
        Config cfg = base;
        std::string what;
        for (size_t i = 0; i < axes.size(); ++i) {
            cfg.set(axes[i].key + "=" + values[i]);
            what += (i ? ", " : "") + axes[i].key + "=" + values[i];
        }
        cfg.set("output.dir='" + dir + "'");
        if (o.verbose) {
            std::printf("\n== sweep run %zu/%zu: %s ==\n", n + 1, total, what.c_str());
            std::fflush(stdout);
        }
        SweepRun run;
        const bool finished =
            fs::exists(dir + "/model.safetensors") && fs::exists(dir + "/metrics.csv");
        const bool started = fs::exists(dir + "/checkpoint.safetensors");
        if (o.resume && (finished || started)) {
            // A run made with other settings must not be mistaken for this one.
            std::ifstream saved(dir + "/config.toml");
            std::stringstream text;
            text << saved.rdbuf();
            KAYA_CHECK(text.str() == cfg.dump(), ValueError, "sweep --resume: ", dir,
                       "/config.toml differs from this sweep's settings for ", what,
                       "; the axes or the base config changed (use a new --out)");
        }
        if (o.resume && finished) {
            run = read_finished(dir);
            if (o.verbose)
                std::printf("already finished: best validation loss %.6g\n", run.best_val_loss);
        } else {
            RunResult r = train(cfg, {.resume = o.resume && started, .verbose = o.verbose});
            run.dir = dir;
            run.best_val_loss = r.best_val_loss;
            run.best_epoch = r.best_epoch;
            for (const auto& e : r.history) run.seconds += e.seconds;
            if (r.best_epoch > 0)
                run.val_accuracy = r.history[static_cast<size_t>(r.best_epoch) - 1].val_accuracy;
        }
        run.values = values;
        res.runs.push_back(run);
        if (run.best_val_loss < res.runs[res.best].best_val_loss) res.best = res.runs.size() - 1;
        write_outputs(res, axes);
    }
    return res;
}

}  // namespace kaya::app
