// SPDX-License-Identifier: MIT
#include "apps/go/policy/policy.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "apps/go/board/score.h"
#include "apps/go/features/features.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::go {

ResidualBlock::ResidualBlock(int64_t filters, bool global_pool, Generator* gen, DType dtype) {
    const nn::Conv2dOptions conv{.in = filters,
                                 .out = filters,
                                 .kernel = {3, 3},
                                 .params = {.padding = {1, 1}},
                                 .dtype = dtype,
                                 .gen = gen};
    conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(conv));
    conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(conv));
    if (global_pool) {
        const nn::LinearOptions fc{.in = 2 * filters, .out = filters, .dtype = dtype, .gen = gen};
        pool_fc = register_module("pool_fc", std::make_shared<nn::Linear>(fc));
    }
    autograd::NoGradGuard no_grad;  // The zero starts (PolicyNetOptions::blocks, global_pool).
    zero_(conv2->weight);
    zero_(conv2->bias);
    if (pool_fc) {
        zero_(pool_fc->weight);
        zero_(pool_fc->bias);
    }
}

// relu(conv2(relu(conv1(x) + pool_fc(pool(x)))) + x), each ReLU and add in its convolution's
// epilogue.
Tensor ResidualBlock::forward(const Tensor& x) {
    Conv2dEpilogue first{.relu = true};
    if (pool_fc) {
        const int64_t batch = x.shape()[0], filters = x.shape()[1];
        Tensor pooled = cat({mean(x, {2, 3}), amax(x, {2, 3})}, 1);  // (B, 2 filters)
        first.add = reshape((*pool_fc)(pooled), {batch, filters, 1, 1});
    }
    return conv2->forward(conv1->forward(x, first), {.add = x, .relu = true});
}

PolicyNet::PolicyNet(PolicyNetOptions o) : options_(o) {
    KAYA_CHECK(o.board >= 2 && o.board <= 19, ValueError, "PolicyNet: board size must be 2..19, got ", o.board);
    KAYA_CHECK(o.layers >= 2, ValueError, "PolicyNet: layers must be at least 2 (first and final), got ", o.layers);
    KAYA_CHECK(o.filters >= 1 && o.planes >= 1, ValueError, "PolicyNet: filters and planes must be positive, got ",
               o.filters, " and ", o.planes);
    KAYA_CHECK(o.first_kernel >= 1 && o.first_kernel % 2 == 1, ValueError,
               "PolicyNet: first_kernel must be odd (padding keeps the board size), got ", o.first_kernel);
    body = register_module("body", std::make_shared<nn::Sequential>());
    const int64_t pad = o.first_kernel / 2;
    body->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
        .in = o.planes, .out = o.filters, .kernel = {o.first_kernel, o.first_kernel},
        .params = {.padding = {pad, pad}}, .gen = o.gen}));
    body->push_back(std::make_shared<nn::ReLU>());
    for (int64_t l = 1; l + 1 < o.layers; ++l) {
        body->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
            .in = o.filters, .out = o.filters, .kernel = {3, 3}, .params = {.padding = {1, 1}}, .gen = o.gen}));
        body->push_back(std::make_shared<nn::ReLU>());
    }
    body->push_back(std::make_shared<nn::Conv2d>(
        nn::Conv2dOptions{.in = o.filters, .out = 1, .kernel = {1, 1}, .bias = false, .gen = o.gen}));
    position_bias = register_parameter("position_bias", zeros({int64_t{o.board} * o.board}));
    KAYA_CHECK(o.blocks >= 0, ValueError, "PolicyNet: blocks must be 0 or more, got ", o.blocks);
    KAYA_CHECK(!o.global_pool || o.blocks > 0, ValueError,
               "PolicyNet: global_pool pools inside the residual blocks, and blocks is 0");
    if (o.blocks > 0) {
        blocks = register_module("blocks", std::make_shared<nn::Sequential>());
        for (int64_t b = 0; b < o.blocks; ++b)
            blocks->push_back(std::make_shared<ResidualBlock>(o.filters, o.global_pool, o.gen));
    }
    KAYA_CHECK(o.value_hidden >= 0, ValueError, "PolicyNet: value_hidden must be 0 (no value head) or more, got ",
               o.value_hidden);
    KAYA_CHECK(o.value_hidden == 0 || o.value_planes >= 1, ValueError,
               "PolicyNet: value_planes must be positive with a value head, got ", o.value_planes);
    KAYA_CHECK(!o.value_norm || o.value_hidden > 0, ValueError,
               "PolicyNet: value_norm normalises the value head's hidden units, and value_hidden is 0");
    if (o.value_hidden > 0) {
        value_conv = register_module(
            "value_conv", std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
                              .in = o.filters, .out = o.value_planes, .kernel = {1, 1}, .gen = o.gen}));
        value_fc1 = register_module(
            "value_fc1", std::make_shared<nn::Linear>(
                             nn::LinearOptions{.in = o.value_planes * o.board * o.board, .out = o.value_hidden, .gen = o.gen}));
        value_fc2 = register_module(
            "value_fc2",
            std::make_shared<nn::Linear>(nn::LinearOptions{.in = o.value_hidden, .out = 1, .gen = o.gen}));
    }
    if (o.ownership) {
        ownership_conv = register_module(
            "ownership_conv",
            std::make_shared<nn::Conv2d>(nn::Conv2dOptions{.in = o.filters, .out = 1, .kernel = {1, 1}, .gen = o.gen}));
    }
}

void PolicyNet::check_planes(const Tensor& planes) const {
    const int64_t n = options_.board;
    KAYA_CHECK(planes.dim() == 4 && planes.shape()[1] == options_.planes && planes.shape()[2] == n &&
                   planes.shape()[3] == n,
               ShapeError, "PolicyNet: expected planes of shape [batch, ", options_.planes, ", ", n, ", ", n,
               "], got ", describe(planes));
}

Tensor PolicyNet::trunk(const Tensor& planes) {
    Tensor h = body->forward_first(planes, body->size() - 1);
    if (blocks) h = (*blocks)(h);
    return h;
}

Tensor PolicyNet::policy_logits(const Tensor& features) {
    const int64_t n = options_.board;
    Tensor logits = (*(*body)[body->size() - 1])(features);  // (B, 1, n, n)
    return add(reshape(logits, {features.shape()[0], n * n}), position_bias);
}

Tensor PolicyNet::forward(const Tensor& planes) {
    check_planes(planes);
    return policy_logits(trunk(planes));
}

std::pair<Tensor, Tensor> PolicyNet::forward_with_value(const Tensor& planes) {
    KAYA_CHECK(has_value_head(), ValueError, "PolicyNet: this net has no value head (value_hidden = 0)");
    PolicyOutputs out = forward_heads(planes);
    return {out.logits, out.values};
}

PolicyOutputs PolicyNet::forward_heads(const Tensor& planes) {
    check_planes(planes);
    Tensor h = trunk(planes);
    const int64_t n = options_.board, batch = planes.shape()[0];
    PolicyOutputs out;
    out.logits = policy_logits(h);
    if (has_value_head()) {
        // No ReLU on the convolution (Leela Zero has batch norm and ReLU there): a single plane
        // through a ReLU can go all negative and stop learning, and on noisy outcomes it did
        // (the head's output stayed constant for 600,000 positions). The hidden units' ReLUs
        // die the same way without value_norm (PolicyNetOptions).
        Tensor v = reshape((*value_conv)(h), {batch, options_.value_planes * n * n});
        Tensor hidden = (*value_fc1)(v);
        if (options_.value_norm) hidden = layer_norm(hidden, Shape{options_.value_hidden});
        out.values = reshape(tanh((*value_fc2)(relu(hidden))), {batch});
    }
    if (has_ownership_head()) {
        out.ownership_raw = reshape((*ownership_conv)(h), {batch, n * n});
        out.ownership = tanh(out.ownership_raw);
    }
    return out;
}

std::string PolicyNet::extra_repr() const {
    return "board=" + std::to_string(options_.board) + ", layers=" + std::to_string(options_.layers) +
           ", filters=" + std::to_string(options_.filters) + ", first_kernel=" + std::to_string(options_.first_kernel) +
           (options_.value_hidden > 0 ? ", value_planes=" + std::to_string(options_.value_planes) +
                                            ", value_hidden=" + std::to_string(options_.value_hidden)
                                      : "") +
           (options_.value_norm ? ", value_norm" : "") +
           (options_.ownership ? ", ownership" : "") +
           (options_.blocks > 0 ? ", blocks=" + std::to_string(options_.blocks) : "") +
           (options_.global_pool ? ", global_pool" : "");
}

std::map<std::string, std::string> policy_metadata(const PolicyNetOptions& o) {
    std::map<std::string, std::string> m{{"format", "pt"},
                                         {"kaya_model", "go_policy"},
                                         {"board", std::to_string(o.board)},
                                         {"filters", std::to_string(o.filters)},
                                         {"layers", std::to_string(o.layers)},
                                         {"first_kernel", std::to_string(o.first_kernel)},
                                         {"planes", std::to_string(o.planes)}};
    if (o.value_hidden > 0) {
        m["value_planes"] = std::to_string(o.value_planes);
        m["value_hidden"] = std::to_string(o.value_hidden);
    }
    if (o.value_norm) m["value_norm"] = "1";
    if (o.ownership) m["ownership"] = "1";
    if (o.blocks > 0) m["blocks"] = std::to_string(o.blocks);
    if (o.global_pool) m["global_pool"] = "1";
    return m;
}

PolicyNetOptions policy_options_from(const std::map<std::string, std::string>& m, const std::string& source) {
    auto get = [&](const std::string& key, bool optional = false) -> int64_t {
        auto it = m.find(key);
        if (optional && it == m.end()) return 0;
        KAYA_CHECK(it != m.end(), ParseError, source, ": not a Kaya Go policy file (metadata key '", key,
                   "' missing; written by `kaya train` with task.kind = \"go_policy\"?)");
        try {
            size_t used = 0;
            int64_t v = std::stoll(it->second, &used);
            if (used == it->second.size()) return v;
        } catch (const std::exception&) {
        }
        throw ParseError(source + ": metadata '" + key + "' is '" + it->second + "', expected an integer");
    };
    PolicyNetOptions o;
    o.board = static_cast<int>(get("board"));
    o.filters = get("filters");
    o.layers = get("layers");
    o.first_kernel = get("first_kernel");
    o.planes = get("planes");
    o.value_hidden = get("value_hidden", true);  // Absent: a policy network only.
    if (o.value_hidden > 0) o.value_planes = get("value_planes");
    const int64_t value_norm = get("value_norm", true);  // Absent: the head as before it.
    KAYA_CHECK((value_norm == 0 || value_norm == 1) && (value_norm == 0 || o.value_hidden > 0), ParseError, source,
               ": metadata 'value_norm' is ", value_norm, ", expected 0, or 1 with a value head");
    o.value_norm = value_norm == 1;
    const int64_t ownership = get("ownership", true);  // Absent: no ownership head.
    KAYA_CHECK(ownership == 0 || ownership == 1, ParseError, source, ": metadata 'ownership' is ", ownership,
               ", expected 0 or 1");
    o.ownership = ownership == 1;
    o.blocks = get("blocks", true);  // Absent: a plain stack.
    KAYA_CHECK(o.blocks >= 0, ParseError, source, ": metadata 'blocks' is ", o.blocks, ", expected 0 or more");
    const int64_t global_pool = get("global_pool", true);
    KAYA_CHECK((global_pool == 0 || global_pool == 1) && (global_pool == 0 || o.blocks > 0), ParseError, source,
               ": metadata 'global_pool' is ", global_pool, ", expected 0, or 1 with blocks");
    o.global_pool = global_pool == 1;
    return o;
}

void save_policy(const std::string& path, PolicyNet& net) {
    io::save_safetensors(path, net.state_dict(), policy_metadata(net.options()));
}

NamedTensors widen_policy_state(const NamedTensors& narrow, const PolicyNetOptions& from, PolicyNet& net) {
    const PolicyNetOptions& to = net.options();
    auto same = [&](const char* what, int64_t a, int64_t b) {
        KAYA_CHECK(a == b, ValueError, "widen_policy_state: the nets must have the same ", what, ", got ", a,
                   " in the narrow net and ", b, " in the wide one (only filters and blocks may grow)");
    };
    same("board", from.board, to.board);
    same("planes", from.planes, to.planes);
    same("layers", from.layers, to.layers);
    same("first_kernel", from.first_kernel, to.first_kernel);
    if (from.blocks > 0) same("global_pool", from.global_pool, to.global_pool);
    if (from.value_hidden > 0 && to.value_hidden > 0) {
        same("value_hidden", from.value_hidden, to.value_hidden);
        same("value_planes", from.value_planes, to.value_planes);
    }
    KAYA_CHECK(from.filters <= to.filters && from.blocks <= to.blocks, ValueError,
               "widen_policy_state: a net of ", from.filters, " filters and ", from.blocks,
               " blocks does not fit in one of ", to.filters, " and ", to.blocks);
    std::map<std::string, const Tensor*> given;
    for (const auto& [name, t] : narrow) given[name] = &t;
    const int64_t c = from.filters, wide = to.filters;
    NamedTensors out;
    autograd::NoGradGuard no_grad;
    for (const auto& [name, fresh] : net.state_dict()) {
        auto it = given.find(name);
        if (it == given.end()) continue;
        const Tensor& n = *it->second;
        if (n.shape() == fresh.shape()) {
            out.emplace_back(name, n);
            continue;
        }
        KAYA_CHECK(n.dim() == fresh.dim(), ValueError, "widen_policy_state: ", name, " is ", format_shape(n.shape()),
                   " in the narrow net and ", format_shape(fresh.shape()), " in the wide one");
        for (int64_t d = 0; d < n.dim(); ++d)
            KAYA_CHECK(n.size(d) <= fresh.size(d), ValueError, "widen_policy_state: ", name, " is ",
                       format_shape(n.shape()), " in the narrow net, larger than the wide net's ",
                       format_shape(fresh.shape()));
        Tensor w = clone(fresh);
        // The weights out of the new channels: zero.
        if (w.dim() >= 2) {
            Tensor out_of_new = kaya::narrow(w, 1, n.size(1), w.size(1) - n.size(1));
            zero_(out_of_new);
        }
        // n's leading part, with its columns (dimension 1) [begin, end) placed from column `at`
        // (1-D tensors: begin = end).
        auto place = [&](int64_t begin, int64_t end, int64_t at) {
            Tensor dst = w, src = n;
            for (int64_t d = 0; d < n.dim(); ++d) {
                if (d == 1 && end > begin) {
                    dst = kaya::narrow(dst, 1, at, end - begin);
                    src = kaya::narrow(src, 1, begin, end - begin);
                } else {
                    dst = kaya::narrow(dst, d, 0, n.size(d));
                }
            }
            copy_(dst, src);
        };
        if (name.ends_with(".pool_fc.weight")) {
            // Its inputs are the channels' means, then their maxima: each half moves to its place.
            place(0, c, 0);
            place(c, 2 * c, wide);
        } else {
            place(0, n.dim() >= 2 ? n.size(1) : 0, 0);
        }
        out.emplace_back(name, w);
    }
    // Tensors the net lacks pass through, so that a strict load names them.
    std::set<std::string> known;
    for (const auto& [name, t] : out) known.insert(name);
    for (const auto& [name, t] : narrow)
        if (!known.count(name)) out.emplace_back(name, t);
    return out;
}

namespace {

// The parameters a net of these options holds (in double: metadata may name absurd sizes).
double parameter_count(const PolicyNetOptions& o) {
    const double f = static_cast<double>(o.filters), k = static_cast<double>(o.first_kernel);
    const double points = static_cast<double>(o.board) * o.board;
    double n = f * static_cast<double>(o.planes) * k * k + f;          // The first convolution.
    n += static_cast<double>(std::max<int64_t>(0, o.layers - 2)) * (f * f * 9 + f);  // The 3x3 layers.
    n += f + points;                                                     // The 1x1 head, the bias per point.
    if (o.value_hidden > 0) {
        const double vp = static_cast<double>(o.value_planes), vh = static_cast<double>(o.value_hidden);
        n += vp * f + vp + vh * vp * points + vh + vh + 1;
    }
    if (o.ownership) n += f + 1;
    n += static_cast<double>(o.blocks) * (2 * (f * f * 9 + f) + (o.global_pool ? 2 * f * f + f : 0));
    return n;
}

std::shared_ptr<PolicyNet> policy_from(const io::SafetensorsFile& f, const std::string& source) {
    const PolicyNetOptions options = policy_options_from(f.metadata, source);
    // Checked before the net is built, so that metadata naming a huge net cannot allocate it.
    double held = 0;
    for (const auto& [name, t] : f.tensors) held += static_cast<double>(t.numel());
    const double needed = parameter_count(options);
    KAYA_CHECK(needed <= held, ParseError, source, ": the metadata describes a net of ", needed,
               " parameters, the file holds ", held, " values");
    auto net = std::make_shared<PolicyNet>(options);
    try {
        net->load_state_dict(f.tensors);
    } catch (const Error& e) {
        throw ParseError(source + ": " + e.what());
    }
    net->eval();
    return net;
}

}  // namespace

std::shared_ptr<PolicyNet> load_policy(const std::string& path) {
    return policy_from(io::load_safetensors(path), path);
}

std::shared_ptr<PolicyNet> decode_policy(std::string_view bytes, const std::string& source) {
    return policy_from(io::decode_safetensors(bytes, source), source);
}

Tensor symmetric_log_probs(PolicyNet& net, const Tensor& planes, int symmetries) {
    return symmetric_outputs(net, planes, symmetries).log_probs;
}

SymmetricOutputs symmetric_outputs(PolicyNet& net, const Tensor& planes, int symmetries) {
    const int size = net.options().board;
    const int64_t area = int64_t{size} * size;
    KAYA_CHECK(symmetries >= 1 && symmetries <= 8, ValueError,
               "symmetric_log_probs: symmetries must be 1 to 8, got ", symmetries);
    KAYA_CHECK(planes.dim() == 4 && planes.size(1) == net.options().planes && planes.size(2) == size &&
                   planes.size(3) == size && planes.dtype() == DType::Float32,
               ShapeError, "symmetric_log_probs: expected float32 planes (B, ", net.options().planes, ", ", size,
               ", ", size, "), got ", dtype_name(planes.dtype()), " ", format_shape(planes.shape()));
    const int64_t batch = planes.size(0), n_planes = batch * planes.size(1);
    Tensor x = contiguous(planes);
    std::vector<Tensor> copies{x};
    for (int s = 1; s < symmetries; ++s) {
        Tensor t = Tensor::empty(x.shape(), DType::Float32);
        symmetric_planes(s, size, static_cast<int>(n_planes), x.data<float>(), t.data<float>());
        copies.push_back(t);
    }
    Tensor all = symmetries == 1 ? x : cat(copies, 0);
    SymmetricOutputs out;
    PolicyOutputs heads = net.forward_heads(all);
    if (heads.values.defined()) out.values = mean(reshape(heads.values, {symmetries, batch}), {0});
    Tensor lp = log_softmax(heads.logits, 1);
    std::vector<Tensor> back, owned;
    for (int s = 0; s < symmetries; ++s) {
        Tensor part = narrow(lp, 0, s * batch, batch);
        Tensor own = heads.ownership.defined() ? narrow(heads.ownership, 0, s * batch, batch) : Tensor();
        if (s > 0) {
            // The copy under symmetry s holds point (x, y)'s output at symmetric_xy(s, x, y).
            std::vector<int64_t> where(static_cast<size_t>(area));
            for (int y = 0; y < size; ++y)
                for (int xx = 0; xx < size; ++xx) {
                    int tx = xx, ty = y;
                    symmetric_xy(s, size, tx, ty);
                    where[static_cast<size_t>(y * size + xx)] = int64_t{ty} * size + tx;
                }
            const Tensor index = from_vector<int64_t>(where, {area});
            part = index_select(part, 1, index);
            if (own.defined()) own = index_select(own, 1, index);
        }
        back.push_back(part);
        if (own.defined()) owned.push_back(own);
    }
    out.log_probs = stack(back, 0);
    if (!owned.empty()) out.ownership = mean(stack(owned, 0), {0});
    return out;
}

Tensor ensemble_log_probs(const Tensor& per_symmetry) {
    KAYA_CHECK(per_symmetry.dim() == 3, ShapeError,
               "ensemble_log_probs: expected (symmetries, B, points), got ", format_shape(per_symmetry.shape()));
    return sub(logsumexp(per_symmetry, {0}), std::log(static_cast<double>(per_symmetry.size(0))));
}

double ownership_score(const float* ownership, int points, double komi_for_side) {
    double score = komi_for_side;
    for (int i = 0; i < points; ++i) score += ownership[i];
    return score;
}

float ownership_value(const float* ownership, int points, double komi_for_side, double score_scale) {
    KAYA_CHECK(score_scale > 0, ValueError, "ownership_value: score_scale must be positive, got ", score_scale);
    return static_cast<float>(std::tanh(ownership_score(ownership, points, komi_for_side) / score_scale));
}

std::vector<Point> ownership_dead_stones(PolicyNet& net, const Game& game, int symmetries) {
    const Board& board = game.board();
    const int n = board.size();
    KAYA_CHECK(net.has_ownership_head(), ValueError, "ownership_dead_stones: the network has no ownership head");
    KAYA_CHECK(n == net.options().board, ValueError, "ownership_dead_stones: the network plays on ",
               net.options().board, "x", net.options().board, ", the game is ", n, "x", n);
    const Color to_move = game.to_move();
    std::vector<float> owned;  // For the side to move, by point index y * n + x.
    {
        autograd::NoGradGuard no_grad;
        Tensor x = from_vector<float>(extract_features(board, to_move), {1, kNumFeaturePlanes, n, n});
        owned = to_vector<float>(symmetric_outputs(net, x, symmetries).ownership);
    }
    std::vector<Point> dead;
    std::vector<bool> seen(static_cast<size_t>((n + 2) * (n + 2)), false);
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            const Point p = board.point(x, y);
            const Color c = board.at(p);
            if ((c != Color::Black && c != Color::White) || seen[static_cast<size_t>(p)]) continue;
            const std::vector<Point> stones = board.string_stones(p);
            double mine = 0;  // The string's colour's predicted ownership, summed over its stones.
            for (Point q : stones) {
                seen[static_cast<size_t>(q)] = true;
                const float o = owned[static_cast<size_t>(board.y_of(q) * n + board.x_of(q))];
                mine += c == to_move ? o : -o;
            }
            if (mine < 0) dead.insert(dead.end(), stones.begin(), stones.end());
        }
    }
    std::sort(dead.begin(), dead.end());
    return dead;
}

PolicyPlayer::PolicyPlayer(std::shared_ptr<PolicyNet> net, PolicyPlayerOptions options)
    : net_(std::move(net)), options_(options) {
    KAYA_CHECK(options_.symmetries >= 1 && options_.symmetries <= 8, ValueError,
               "PolicyPlayer: symmetries must be 1 to 8, got ", options_.symmetries);
    KAYA_CHECK(std::isfinite(options_.temperature) && options_.temperature >= 0 && options_.sample_moves >= 0,
               ValueError, "PolicyPlayer: temperature and sample_moves must be finite and >= 0, got ",
               options_.temperature, " and ", options_.sample_moves);
}

std::vector<float> PolicyPlayer::probabilities(const Game& game, Color color) {
    return probabilities_of(extract_features(game.board(), color), game.size());
}

std::vector<float> PolicyPlayer::probabilities_of(const std::vector<float>& planes, int n) {
    KAYA_CHECK(n == net_->options().board, ValueError, "the network plays on ", net_->options().board, "x",
               net_->options().board, ", the game is ", n, "x", n);
    autograd::NoGradGuard no_grad;
    Tensor x = from_vector<float>(planes, {1, kNumFeaturePlanes, n, n});
    return to_vector<float>(exp(ensemble_log_probs(symmetric_log_probs(*net_, x, options_.symmetries))));
}

Point PolicyPlayer::choose(const Game& game, Color color) {
    const Board& board = game.board();
    const int n = game.size();
    const double points = static_cast<double>(n) * n;
    // From the player's side: positive when it leads on the area count with the dead stones
    // estimated (score.h).
    auto lead = [&] {
        const double m = estimated_score(board, game.komi()).margin();
        return color == Color::Black ? m : -m;
    };
    const auto& moves = game.moves();
    const bool opponent_passed = !moves.empty() && moves.back().point == kPass;
    if (opponent_passed && lead() > 0) return kPass;
    if (options_.resign_margin > 0 && static_cast<double>(moves.size()) >= options_.resign_after * points &&
        lead() < -options_.resign_margin * points) {
        return kResign;
    }
    std::vector<float> planes = extract_features(board, color);
    std::vector<float> prob = probabilities_of(planes, n);
    const float* sensible = planes.data() + static_cast<size_t>(plane::kSensible) * n * n;
    // Once the opponent has passed, only moves that can still change the area count: neutral
    // points, and liberties of strings in atari (to capture or to save them). A stone in the
    // opponent's area would be captured, and filling one's own area changes nothing.
    std::vector<Color> owner;
    if (opponent_passed) owner = estimated_owners(board);
    auto can_change_area = [&](Point p) {
        if (owner[p] == Color::Empty) return true;
        for (Point q : board.neighbours(p)) {
            if ((board.at(q) == Color::Black || board.at(q) == Color::White) && board.liberties(q) == 1) return true;
        }
        return false;
    };
    // Point i if the player may choose it: sensible, able to change the area after a pass, and
    // legal under positional superko; else kPass.
    auto candidate = [&](int i) {
        if (sensible[i] == 0) return kPass;
        const Point p = board.point(i % n, i / n);
        return (opponent_passed && !can_change_area(p)) || !game.is_legal(color, p) ? kPass : p;
    };
    const bool draw = options_.temperature > 0 &&
                      (options_.sample_moves == 0 || static_cast<int>(moves.size()) < options_.sample_moves);
    if (draw) {
        // Each candidate weighted by p^(1 / T), relative to the most probable candidate for the
        // range (so that the best one weighs 1 however small T is).
        std::vector<std::pair<Point, double>> weights;
        double top = 0;
        for (int i = 0; i < n * n; ++i) {
            const Point p = prob[i] > 0 ? candidate(i) : kPass;
            if (p == kPass) continue;
            weights.emplace_back(p, prob[i]);
            top = std::max(top, static_cast<double>(prob[i]));
        }
        if (weights.empty()) return kPass;
        double total = 0;
        for (auto& [p, w] : weights) total += w = std::pow(w / top, 1.0 / options_.temperature);
        double u = Generator(options_.seed).uniform(draws_++) * total;
        for (const auto& [p, w] : weights) {
            if (u < w) return p;
            u -= w;
        }
        return weights.back().first;
    }
    Point best = kPass;
    float best_p = -1;
    for (int i = 0; i < n * n; ++i) {
        if (prob[i] <= best_p) continue;  // Only better points are checked (legality costs).
        const Point p = candidate(i);
        if (p == kPass) continue;
        best = p;
        best_p = prob[i];
    }
    return best;
}

}  // namespace kaya::go
