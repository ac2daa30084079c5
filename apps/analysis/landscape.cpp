// SPDX-License-Identifier: MIT
#include "apps/analysis/landscape.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kaya/autograd/engine.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/curvature/derivatives.h"
#include "kaya/curvature/eigen.h"
#include "kaya/io/idx.h"
#include "kaya/nn/loss.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/adaptive.h"

namespace kaya::analysis {

namespace {

// The Hessian's rows come from separate backward passes; near a flat point (entries far below
// the intermediate sums they come from) they agree only to rounding relative to those sums.
constexpr double kSymmetry = 1e-3;

// Columns to mean 0 and standard deviation 1 (constant columns left at 0).
Tensor standardise(const Tensor& x) {
    Tensor mu = mean(x, {0}, true);
    Tensor sd = sqrt(mean(pow(x - mu, 2.0), {0}, true));
    return (x - mu) / maximum(sd, full({1}, 1e-8, x.dtype()));
}

// The network F -> hidden -> classes with PyTorch's default initialisation
// (uniform in +-1/sqrt(fan_in) for weights and biases).
struct Network {
    Tensor w1, b1, w2, b2;
    std::string activation;

    Network(int64_t in, int64_t hidden, int64_t out, std::string act, uint64_t seed)
        : activation(std::move(act)) {
        KAYA_CHECK(activation == "tanh" || activation == "sigmoid" || activation == "relu", ValueError,
                   "landscape: activation must be tanh, sigmoid or relu, got '", activation, "'");
        Generator gen(seed);
        auto init = [&](const Shape& s, int64_t fan_in) {
            double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
            return uniform(s, -bound, bound, DType::Float64, &gen).requires_grad_(true);
        };
        w1 = init({hidden, in}, in), b1 = init({hidden}, in);
        w2 = init({out, hidden}, hidden), b2 = init({out}, hidden);
    }
    std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
    Tensor act(const Tensor& z) const {
        if (activation == "relu") return relu(z);
        if (activation == "sigmoid") return sigmoid(z);
        return tanh(z);
    }
    Tensor loss(const Problem& p) const {
        return nn::cross_entropy(linear(act(linear(p.x, w1, b1)), w2, b2), p.y);
    }
    void assign(const Tensor& flat) {
        autograd::NoGradGuard no_grad;
        auto pieces = curvature::unflatten_like(flat, params());
        auto ps = params();
        for (size_t i = 0; i < ps.size(); ++i) copy_(ps[i], pieces[i]);
    }
};

double value(const Tensor& t) { return to(detach(t), DType::Float64).item<double>(); }

void record(CriticalPointReport& r, int64_t step, double loss, double gnorm) {
    r.history_step.push_back(static_cast<double>(step));
    r.history_loss.push_back(loss);
    r.history_gradient_norm.push_back(gnorm);
}

// Phase 1: ordinary full-batch training.
void train(Network& net, const Problem& p, const LandscapeOptions& o, CriticalPointReport& r) {
    optim::Adam opt(net.params(), {.lr = o.lr});
    for (int64_t step = 0; step < o.train_steps; ++step) {
        opt.zero_grad();
        Tensor loss = net.loss(p);
        autograd::backward(loss);
        if (step % 10 == 0) {
            double gn = value(norm(curvature::flatten_all({net.w1.grad(), net.b1.grad(),
                                                           net.w2.grad(), net.b2.grad()})));
            record(r, step, value(loss), gn);
        }
        opt.step();
    }
    r.train_steps = o.train_steps;
}

// Phase 2: minimise |g|^2 / 2, whose gradient is H g, with Adam and a cosine-decayed rate;
// keeps the point with the smallest gradient norm seen.
Tensor descend_gradient_norm(Network& net, const Problem& p, const LandscapeOptions& o,
                             CriticalPointReport& r) {
    auto loss_fn = [&] { return net.loss(p); };
    optim::Adam opt(net.params(), {.lr = o.critical_lr});
    Tensor best;
    double best_norm = INFINITY;
    for (int64_t step = 0; step <= o.critical_steps; ++step) {
        curvature::HessianOperator op(loss_fn, net.params());
        double gn = op.gradient_norm();
        if (gn < best_norm) best_norm = gn, best = clone(curvature::flatten_all(net.params()));
        if (step == 0) r.trained_gradient_norm = gn;
        if (step % 10 == 0) record(r, o.train_steps + step, op.loss(), gn);
        if (step == o.critical_steps) break;
        Tensor hg = op.apply(op.gradient());
        auto pieces = curvature::unflatten_like(hg, net.params());
        auto ps = net.params();
        for (size_t i = 0; i < ps.size(); ++i) ps[i].set_grad(contiguous(pieces[i]));
        double progress = static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, o.critical_steps));
        opt.set_lr(0, o.critical_lr * 0.5 * (1 + std::cos(std::numbers::pi * progress)));
        opt.step();
    }
    return best;
}

double gradient_norm_at(const Network& net, const Problem& p) {
    autograd::GradModeGuard grad_on(true);
    auto g = autograd::grad({net.loss(p)}, net.params());
    return value(norm(curvature::flatten_all(g)));
}

// Phase 3: Levenberg-Marquardt on |g|^2 / 2 with the exact Hessian, whose Gauss-Newton matrix
// is H^2: the step d = -(H^2 + mu I)^-1 H g, taken in H's eigenbasis. Like Newton's method it is
// drawn to the nearest critical point of any kind (minimum or saddle), quadratically once close;
// mu grows when a step does not lower |g| and shrinks when it does.
void polish(Network& net, const Problem& p, const LandscapeOptions& o, CriticalPointReport& r) {
    auto loss_fn = [&] { return net.loss(p); };
    double mu = -1;
    const int64_t base = o.train_steps + o.critical_steps;
    int64_t taken = 0;
    for (int64_t step = 0; step < o.newton_steps; ++step) {
        curvature::HessianOperator op(loss_fn, net.params());
        const double gn = op.gradient_norm();
        if (step > 0) record(r, base + step, op.loss(), gn);
        if (gn < 1e-12) break;
        auto eig = curvature::symmetric_eigen(op.matrix(), true, kSymmetry);
        auto lambda = to_vector<double>(eig.values);
        double top = 0;
        for (double l : lambda) top = std::max(top, l * l);
        if (mu < 0) mu = 1e-6 * top;
        Tensor coeff = matmul(transpose(eig.vectors, 0, 1), op.gradient());  // U^T g
        Tensor start = curvature::flatten_all(net.params());
        bool accepted = false;
        for (int attempt = 0; attempt < 30 && !accepted; ++attempt) {
            std::vector<double> scale(lambda.size());
            for (size_t i = 0; i < lambda.size(); ++i) scale[i] = -lambda[i] / (lambda[i] * lambda[i] + mu);
            Tensor d = matmul(eig.vectors, coeff * from_vector(scale, {static_cast<int64_t>(scale.size())}));
            net.assign(start + d);
            const double trial = gradient_norm_at(net, p);
            if (trial < gn) {
                accepted = true;
                ++taken;
                mu = std::max(mu / 4, 1e-15 * top);
            } else {
                mu *= 8;
            }
        }
        if (!accepted) {
            net.assign(start);
            break;
        }
    }
    r.polish_steps = taken;
    r.gradient_norm = gradient_norm_at(net, p);
}

// The Hessian at the network's point: eigenvalues, verdict, kinks, the escape direction.
void analyse(Network& net, const Problem& p, const LandscapeOptions& o, CriticalPointReport& r) {
    curvature::HessianOperator op([&] { return net.loss(p); }, net.params());
    r.parameters = op.size();
    r.loss = op.loss();
    r.gradient_norm = op.gradient_norm();
    auto eig = curvature::symmetric_eigen(op.matrix(), true, kSymmetry);
    r.eigenvalues = to_vector<double>(eig.values);
    classify_point(r, o);
    autograd::NoGradGuard no_grad;
    if (o.activation == "relu") {
        Tensor z = abs(linear(p.x, net.w1, net.b1));
        r.kink_fraction = value(mean(to(lt(z, 1e-6), DType::Float64)));
    }
    if (r.negative > 0) {
        const double lambda = r.eigenvalues.front();
        Tensor u = contiguous(select(eig.vectors, 1, 0));
        Tensor start = clone(curvature::flatten_all(net.params()));
        auto loss_at = [&](double t) {
            net.assign(start + u * t);
            return value(net.loss(p));
        };
        // How far the loss keeps falling on both sides (t doubling from 1e-3); the plot spans a
        // quarter more, so it shows the way down and where higher-order terms take over.
        double down = 0;
        for (double t = 1e-3; t <= 8; t *= 2) {
            if (loss_at(t) < r.loss && loss_at(-t) < r.loss) {
                down = t;
            } else if (down > 0) {
                break;
            }
        }
        const double reach = down > 0 ? 1.25 * down : 1e-2;
        for (int i = -20; i <= 20; ++i) {
            const double t = reach * i / 20.0;
            r.escape_t.push_back(t);
            r.escape_loss.push_back(loss_at(t));
            r.escape_quadratic.push_back(r.loss + 0.5 * lambda * t * t);
        }
        net.assign(start);
    }
}

}  // namespace

Problem fashion_problem(const std::string& dir, int64_t samples, uint64_t seed) {
    KAYA_CHECK(samples >= 10, ValueError, "fashion_problem: need at least 10 samples, got ", samples);
    Tensor images = io::load_idx(dir + "/train-images-idx3-ubyte.gz", DType::Float32);
    Tensor labels = io::load_idx(dir + "/train-labels-idx1-ubyte.gz", DType::Int64);
    KAYA_CHECK(images.dim() == 3 && images.size(1) == 28 && images.size(2) == 28 &&
                   labels.dim() == 1 && labels.size(0) == images.size(0),
               ValueError, "fashion_problem: expected 28 x 28 images with one label each in ", dir,
               ", got images ", describe(images), " and labels ", describe(labels));
    KAYA_CHECK(samples <= images.size(0), ValueError, "fashion_problem: asked for ", samples,
               " samples but ", dir, " has ", images.size(0), " training images");
    Generator gen(seed);
    Tensor pick = narrow(randperm(images.size(0), &gen), 0, 0, samples);
    Tensor x = to(index_select(images, 0, pick), DType::Float64) / 255.0;
    // 28 x 28 -> 7 x 7 by averaging 4 x 4 blocks.
    x = mean(reshape(x, {samples, 7, 4, 7, 4}), {2, 4});
    Problem p;
    p.x = standardise(reshape(x, {samples, 49}));
    p.y = index_select(labels, 0, pick);
    p.classes = 10;
    p.description = std::to_string(samples) + " Fashion-MNIST training images (" + dir +
                    "), 7 x 7 averaged pixels, 10 classes";
    return p;
}

Problem cluster_problem(int64_t samples, int64_t features, int64_t classes, uint64_t seed) {
    KAYA_CHECK(samples >= classes && classes >= 2 && features >= 1, ValueError,
               "cluster_problem: need classes >= 2, features >= 1 and samples >= classes; got ",
               samples, " samples, ", features, " features, ", classes, " classes");
    Generator gen(seed);
    Tensor centres = randn({classes, features}, DType::Float64, &gen) * 0.5;  // Overlapping.
    Problem p;
    std::vector<int64_t> labels(static_cast<size_t>(samples));
    for (int64_t i = 0; i < samples; ++i) labels[static_cast<size_t>(i)] = i % classes;
    p.y = from_vector(labels, {samples});
    p.x = standardise(index_select(centres, 0, p.y) + randn({samples, features}, DType::Float64, &gen));
    p.classes = classes;
    p.description = std::to_string(samples) + " points in " + std::to_string(classes) +
                    " Gaussian clusters of " + std::to_string(features) + " features";
    return p;
}

void classify_point(CriticalPointReport& r, const LandscapeOptions& o) {
    double scale = 0;
    for (double v : r.eigenvalues) scale = std::max(scale, std::abs(v));
    // Relative to the largest, with a floor at float64 rounding for a loss of order 1.
    const double tol = std::max(o.eigen_tolerance * scale, 1e-12);
    r.negative = r.zero = r.positive = 0;
    for (double v : r.eigenvalues) {
        if (v < -tol) ++r.negative;
        else if (v > tol) ++r.positive;
        else ++r.zero;
    }
    r.minimum_ratio = r.eigenvalues.empty() ? 0 : static_cast<double>(r.positive) / static_cast<double>(r.eigenvalues.size());
    if (r.gradient_norm > o.gradient_tolerance) r.verdict = "not a critical point";
    else if (r.negative > 0) r.verdict = "saddle point";
    else if (r.positive == 0) r.verdict = "flat";
    else r.verdict = "local minimum";
}

CriticalPointReport analyse_point(const Problem& p, const LandscapeOptions& o,
                                  const std::vector<Tensor>& params) {
    KAYA_CHECK(params.size() == 4, ValueError, "analyse_point: expected 4 parameters (w1, b1, w2, b2), got ",
               params.size());
    Network net(p.x.size(1), params[0].size(0), p.classes, o.activation, 0);
    net.assign(curvature::flatten_all(params));
    CriticalPointReport r;
    analyse(net, p, o, r);
    return r;
}

CriticalPointReport find_critical_point(const Problem& p, const LandscapeOptions& o, uint64_t seed) {
    Network net(p.x.size(1), o.hidden, p.classes, o.activation, seed);
    CriticalPointReport r;
    r.seed = seed;
    train(net, p, o, r);
    net.assign(descend_gradient_norm(net, p, o, r));
    r.descended_gradient_norm = gradient_norm_at(net, p);
    polish(net, p, o, r);
    analyse(net, p, o, r);
    return r;
}

}  // namespace kaya::analysis
