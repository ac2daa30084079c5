// SPDX-License-Identifier: MIT
// Demos on tiny problems trained directly with engine ops: piecewise fits and optimizers.
#include "apps/tour/course_demos.h"

#include <cmath>
#include <cstdio>
#include <functional>

#include "apps/train/plot.h"
#include "kaya/io/file.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace kaya::tour {

using app::contour_svg;
using app::line_plot_svg;
using app::Series;

namespace {

// The notes' hard sigmoid from two ReLUs: relu(z) - relu(z - 1) is 0, then z, then 1.
class TwoReluHardSigmoid : public nn::Module {
public:
    Tensor forward(const Tensor& z) override { return sub(relu(z), relu(sub(z, 1.0))); }
    std::string type_name() const override { return "TwoReluHardSigmoid"; }
};

// The curve to approximate: smooth with two bends and a slope.
Tensor target_curve(const Tensor& x) { return add(sin(mul(x, 2.0)), mul(mul(x, x), 0.15)); }

struct Fit {
    double mse;
    std::vector<double> y;
};

// y = b + sum_i c_i act(w_i x + b_i) with n units, trained by Adam on the full batch.
Fit fit_units(const std::string& act, int64_t n, const Tensor& x, const Tensor& y, int steps) {
    manual_seed(static_cast<uint64_t>(n) * 31 + act.size());
    std::shared_ptr<nn::Module> a;
    if (act == "sigmoid")
        a = std::make_shared<nn::Sigmoid>();
    else if (act == "relu")
        a = std::make_shared<nn::ReLU>();
    else
        a = std::make_shared<TwoReluHardSigmoid>();
    nn::Sequential model{std::make_shared<nn::Linear>(1, n), a, std::make_shared<nn::Linear>(n, 1)};
    // Spread the units' breakpoints over the interval so every N starts comparably.
    auto first = std::static_pointer_cast<nn::Linear>(model[0]);
    {
        autograd::NoGradGuard g;
        Tensor w = first->weight, b = first->bias;
        nn::init::uniform_(w, 1.0, 3.0);
        copy_(b, mul(neg(linspace(-2.8, 2.8, n)), reshape(w, {n})));
    }
    optim::Adam opt(model.parameters(), {.lr = 0.01});
    optim::CosineAnnealingLR sched(opt, steps, 1e-4);
    for (int s = 0; s < steps; ++s) {
        opt.zero_grad();
        autograd::backward(nn::mse_loss(model(x), y));
        opt.step();
        sched.step();
    }
    autograd::NoGradGuard g;
    Tensor pred = model(x);
    return {nn::mse_loss(pred, y).item<double>(), to_vector<double>(pred)};
}

}  // namespace

void demo_piecewise(const TourOptions& o, Report& report) {
    Tensor x = reshape(linspace(-3, 3, 200), {200, 1});
    Tensor y = target_curve(x);
    const int steps = o.full ? 4000 : 1500;
    const std::vector<int64_t> ns = {2, 4, 8, 16};
    std::vector<std::vector<std::string>> rows;
    std::vector<Series> fits = {{"target", to_vector<double>(x), to_vector<double>(y)}};
    std::string best_act, worst_act;
    double best_mse = INFINITY, worst_mse = 0, first_mse = 0, last_mse = 0;
    for (const std::string act : {"sigmoid", "hard sigmoid (2 ReLUs)", "relu"}) {
        std::vector<std::string> row = {act};
        for (int64_t n : ns) {
            Fit f = fit_units(act == "hard sigmoid (2 ReLUs)" ? "hard" : act, n, x, y, steps);
            row.push_back(Report::number(f.mse, "%.2e"));
            if (n == ns.front()) first_mse += f.mse / 3;
            if (n == ns.back()) {
                last_mse += f.mse / 3;
                if (f.mse < best_mse) best_mse = f.mse, best_act = act;
                if (f.mse > worst_mse) worst_mse = f.mse, worst_act = act;
            }
            if (n == 4) fits.push_back({act + ", N = 4", to_vector<double>(x), f.y, true});
        }
        rows.push_back(row);
        std::printf("%-24s %s\n", act.c_str(), row.back().c_str());
    }
    io::write_file_atomic(
        o.out_dir + "/piecewise.svg",
        line_plot_svg(fits, {.title = "fits with N = 4 units", .xlabel = "x", .ylabel = "y"}));
    std::vector<std::string> header = {"units"};
    for (int64_t n : ns) header.push_back("N = " + std::to_string(n));
    std::string html =
        "<p>Target y = sin(2x) + 0.15 x&sup2; on [-3, 3], 200 points. Model y = b + &Sigma; "
        "c<sub>i</sub> "
        "a(w<sub>i</sub> x + b<sub>i</sub>), Adam with cosine decay, " +
        std::to_string(steps) +
        " full-batch steps. The hard sigmoid is built from two ReLUs, relu(z) - relu(z - 1), "
        "as in the notes; PyTorch's own nn.Hardsigmoid is clamp(z/6 + 1/2, 0, 1). Mean squared "
        "error:</p>";
    html += Report::table_html(header, rows);
    html += Report::figure("piecewise.svg", "the target and the three fits with 4 units");
    html += Report::finding(
        "more units fit the curve better: the mean error over the three unit types falls from " +
        Report::number(first_mse, "%.2e") + " with " + std::to_string(ns.front()) + " units to " +
        Report::number(last_mse, "%.2e") + " with " + std::to_string(ns.back()) +
        ", as the notes' argument that enough " + "pieces approximate any curve predicts. With " +
        std::to_string(ns.back()) + " units " + best_act + " fits best (" +
        Report::number(best_mse, "%.2e") + ") and " + worst_act + " worst (" +
        Report::number(worst_mse, "%.2e") + ").");
    report.add_section("Any curve from pieces: sigmoids, hard sigmoids, ReLUs", html);
}

namespace {

// Loss surface of least squares with two weights on ill-conditioned inputs (a long valley):
// correlated inputs of different scales, minimum near (1.5, -0.5).
struct Quadratic {
    Tensor X, y;  // (N, 2), (N, 1)
    Tensor loss(const Tensor& w) const { return nn::mse_loss(matmul(X, w), y); }

    static Quadratic valley() {
        Generator g(5);
        Tensor x1 = randn({200, 1}, DType::Float64, &g);
        Tensor x2 = add(mul(x1, 0.8), mul(randn({200, 1}, DType::Float64, &g), 0.35));
        Quadratic q{cat({mul(x1, 1.0), mul(x2, 3.0)}, 1), {}};
        q.y = add(matmul(q.X, from_vector<double>({1.5, -0.5}, {2, 1})),
                  mul(randn({200, 1}, DType::Float64, &g), 0.1));
        return q;
    }

    // The loss at every node of an n x n grid over [lo, hi]^2, row by row (w2 rows, w1
    // columns), in one batched evaluation: W holds every grid point as a column.
    std::vector<double> surface(int n, double lo, double hi) const {
        Tensor gx = linspace(lo, hi, n, DType::Float64);
        Tensor W = cat({reshape(expand(unsqueeze(gx, 0), {n, n}), {1, -1}),
                        reshape(expand(unsqueeze(gx, 1), {n, n}), {1, -1})},
                       0);
        Tensor resid = sub(matmul(X, W), y);
        return to_vector<double>(mean(mul(resid, resid), {0}));
    }
};

struct Run {
    std::string name;
    std::function<std::unique_ptr<optim::Optimizer>(Tensor&)> make;
};

// A Run that builds optimizer Opt with `options` on the weights.
template <class Opt, class Options>
Run run_of(std::string name, Options options) {
    return {std::move(name),
            [options](Tensor& w) { return std::make_unique<Opt>(std::vector<Tensor>{w}, options); }};
}

// The optimizers compared, each with a learning rate that suits it on this surface.
std::vector<Run> optimizer_runs() {
    return {run_of<optim::SGD>("SGD lr 0.02", optim::SGDOptions{.lr = 0.02}),
            run_of<optim::SGD>("SGD+momentum 0.9", optim::SGDOptions{.lr = 0.02, .momentum = 0.9}),
            run_of<optim::Adagrad>("Adagrad lr 0.5", optim::AdagradOptions{.lr = 0.5}),
            run_of<optim::RMSprop>("RMSprop lr 0.05", optim::RMSpropOptions{.lr = 0.05}),
            run_of<optim::Adam>("Adam lr 0.2", optim::AdamOptions{.lr = 0.2})};
}

// The path of weights and the loss at each of `steps` full-batch steps from (-3, 3).
std::pair<Series, Series> trace(const Run& r, const Quadratic& q, int steps) {
    Tensor w = from_vector<double>({-3.0, 3.0}, {2, 1}).requires_grad_();
    auto opt = r.make(w);
    Series path{r.name}, curve{r.name};
    for (int s = 0; s <= steps; ++s) {
        auto wv = to_vector<double>(w);
        path.x.push_back(wv[0]);
        path.y.push_back(wv[1]);
        opt->zero_grad();
        Tensor l = q.loss(w);
        curve.x.push_back(s);
        curve.y.push_back(l.item<double>());
        if (s == steps) break;
        autograd::backward(l);
        opt->step();
    }
    return {path, curve};
}

}  // namespace

void demo_optimizers(const TourOptions& o, Report& report) {
    const Quadratic q = Quadratic::valley();
    const int steps = 80;
    std::vector<Series> paths, curves;
    std::vector<std::vector<std::string>> rows;
    std::string best_name;
    double best_final = INFINITY;
    for (const auto& r : optimizer_runs()) {
        auto [path, curve] = trace(r, q, steps);
        rows.push_back({r.name, Report::number(curve.y[10]), Report::number(curve.y[40]),
                        Report::number(curve.y.back())});
        if (curve.y.back() < best_final) best_final = curve.y.back(), best_name = r.name;
        paths.push_back(path);
        curves.push_back(curve);
    }
    const int n = 70;
    const double lo = -3.5, hi = 3.5;
    const std::vector<double> surface = q.surface(n, lo, hi);
    io::write_file_atomic(o.out_dir + "/optimizer_paths.svg",
                          contour_svg(surface, n, n, lo, hi, lo, hi, paths,
                                      {.title = "error surface L(w1, w2) and optimizer paths",
                                       .xlabel = "w1",
                                       .ylabel = "w2",
                                       .width = 720,
                                       .height = 560}));
    io::write_file_atomic(
        o.out_dir + "/optimizer_losses.svg",
        line_plot_svg(
            curves, {.title = "loss per step", .xlabel = "step", .ylabel = "MSE", .log_y = true}));
    std::string html =
        "<p>Least squares with two weights on correlated inputs of different scales, so the "
        "error surface is a long, tilted valley (minimum near (1.5, -0.5)). Every optimizer "
        "starts at (-3, 3) and takes " +
        std::to_string(steps) + " full-batch steps.</p>";
    html += Report::table_html(
        {"optimizer", "loss at step 10", "step 40", "step " + std::to_string(steps)}, rows);
    html += Report::figure(
        "optimizer_paths.svg",
        "paths on the error surface (darker is lower; hollow circle: start, filled: end)");
    html += Report::figure("optimizer_losses.svg", "loss per step");
    html += Report::finding(
        best_name + " ends lowest after " + std::to_string(steps) + " steps (loss " +
        Report::number(best_final) +
        "; the noise floor is about 0.01). Plain SGD's step must stay "
        "small for the steep direction of the valley, so it crawls along the flat one; momentum "
        "and the adaptive methods (a step size per parameter) move along the valley faster.");
    report.add_section("Gradient descent and its optimizers on an error surface", html);
}

}  // namespace kaya::tour

namespace kaya::tour {

void add_course_sections() {
    add_tour_section({2, "the error surface and optimizers", demo_optimizers});
    add_tour_section({4, "piecewise fits", demo_piecewise});
    add_tour_section({99, "what is not here yet", [](const TourOptions&, Report& report) {
                          report.add_section("Not in this report yet",
                                             "<p>Autoregressive and non-autoregressive "
                                             "decoders (text to speech) and search on top "
                                             "of the Go network have no section yet; the "
                                             "translation section shows the toy corpus "
                                             "unless a finished English-Chinese run is "
                                             "there. "
                                             "README's status table is the current "
                                             "list.</p>");
                      }});
}

}  // namespace kaya::tour
