// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/go/board/game.h"
#include "apps/go/gtp/gtp.h"
#include "kaya/nn/nn.h"

namespace kaya::go {

// AlphaGo's supervised policy network (Silver et al. 2016; the course notes): layer 1 a
// first_kernel x first_kernel convolution with zero padding keeping the board size, then
// layers - 2 3x3 convolutions with padding 1, each with `filters` filters and ReLU, then a 1x1
// convolution to one plane plus a learned bias per point; softmax over the size^2 points is
// left to the loss. No pooling. The paper's net is layers = 13, filters = 192.
struct PolicyNetOptions {
    int board = 19;
    int64_t filters = 192;
    int64_t layers = 13;  // Convolutions in all, the final 1x1 included (at least 2).
    int64_t first_kernel = 5;
    int64_t planes = 48;  // Input feature planes.
    // With value_hidden > 0 the net also has a value head on the last ReLU layer, after Leela
    // Zero's and AlphaGo Zero's: a 1x1 convolution to value_planes planes with a bias (no batch
    // norm and no ReLU there), a linear layer from all their points to value_hidden units, ReLU,
    // a linear layer to one unit and tanh: the expected outcome for the side to move, in
    // [-1, 1]. 0: a policy network only (the course's net).
    int64_t value_hidden = 0;
    int64_t value_planes = 1;
    // Layer normalisation (no scale or shift) of the value head's hidden units before their
    // ReLU: each position's units then have mean 0 and variance 1, so about half are active
    // for every position and the head cannot fall silent. Without it, on outcomes that the
    // position barely shows, Adam drove every unit's input below zero (each unit's share of the
    // output's noise pushes its bias down at a full step per batch): every value head trained
    // on the 9-dan games ended with all 256 units dead and a constant output.
    bool value_norm = false;
    // An ownership head (KataGo's auxiliary target): a 1x1 convolution with a bias to one plane
    // and tanh on the last ReLU layer, each point's expected owner at the game's end for the
    // side to move (1 its own, -1 the opponent's, 0 neutral). Its sum plus komi is a score
    // estimate, and a value (ownership_value).
    bool ownership = false;
    // Residual blocks after the plain layers (He et al. 2016, as AlphaGo Zero's and Leela Zero's
    // trunks without batch norm): x -> relu(x + conv(relu(conv(x)))), 3x3 convolutions of
    // `filters`. Each block's second convolution starts at zero, so a net grown from a plainer
    // one (model.init_strict = false) starts as that net and a deep one trains from the start
    // (Fixup, Goyal et al.'s zero residual). Each block widens what a point sees by 4 points.
    int64_t blocks = 0;
    // In every block, a bias per channel added to the first convolution's output from the mean
    // and the maximum of the block's input over the board (KataGo's global pooling): what the
    // whole board holds reaches every point. A linear map from 2 x filters to filters, starting
    // at zero.
    bool global_pool = false;
    Generator* gen = nullptr;
};

// One residual block (PolicyNetOptions::blocks); PyTorch's names conv1, conv2, pool_fc.
class ResidualBlock : public nn::Module {
public:
    ResidualBlock(int64_t filters, bool global_pool, Generator* gen, DType dtype = kDefaultDType);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "ResidualBlock"; }

    std::shared_ptr<nn::Conv2d> conv1, conv2;
    std::shared_ptr<nn::Linear> pool_fc;  // Null without global pooling.
};

// Every head's output from one pass over the shared layers; a head the net lacks is undefined.
struct PolicyOutputs {
    Tensor logits;     // (B, points)
    Tensor values;     // (B) in [-1, 1]
    Tensor ownership;  // (B, points) in [-1, 1]: tanh(ownership_raw)
    Tensor ownership_raw;  // (B, points): the convolution's output, for a stable loss
};

class PolicyNet : public nn::Module {
public:
    explicit PolicyNet(PolicyNetOptions options);
    // planes (B, planes, board, board) -> logits (B, board * board); point index y * board + x.
    Tensor forward(const Tensor& planes) override;
    // The logits and, from the value head, the values (B) from one pass over the shared layers.
    // ValueError when the net has no value head.
    std::pair<Tensor, Tensor> forward_with_value(const Tensor& planes);
    // Every head the net has, from one pass over the shared layers.
    PolicyOutputs forward_heads(const Tensor& planes);
    bool has_value_head() const { return options_.value_hidden > 0; }
    bool has_ownership_head() const { return options_.ownership; }
    std::string type_name() const override { return "PolicyNet"; }
    std::string extra_repr() const override;
    const PolicyNetOptions& options() const { return options_; }

    std::shared_ptr<nn::Sequential> body;  // Convolutions and ReLUs; the last is the 1x1 head.
    std::shared_ptr<nn::Sequential> blocks;  // The residual blocks after body's ReLUs (null without).
    Tensor position_bias;                  // (board * board)
    // The value head (null without one).
    std::shared_ptr<nn::Conv2d> value_conv;
    std::shared_ptr<nn::Linear> value_fc1, value_fc2;
    std::shared_ptr<nn::Conv2d> ownership_conv;  // Null without an ownership head.

private:
    void check_planes(const Tensor& planes) const;
    Tensor trunk(const Tensor& planes);           // Every layer but the policy's 1x1 head, blocks included.
    Tensor policy_logits(const Tensor& features);  // The head and the bias per point.

    PolicyNetOptions options_;
};

// The net's options as safetensors metadata, and back (ParseError naming `source` when a key
// is missing or malformed).
std::map<std::string, std::string> policy_metadata(const PolicyNetOptions& o);
PolicyNetOptions policy_options_from(const std::map<std::string, std::string>& metadata, const std::string& source);

// The state of a narrower net (options `from`, weights `narrow`) placed in `net`, whose trunk
// is as wide or wider (Net2Net's function-preserving widening, Chen et al. 2016, with zeros
// where Net2Net copies units): every tensor of `narrow` fills the leading part of the net's
// tensor of the same name; a new channel keeps the net's fresh weights into it, and every
// weight out of a new channel is zero, so the widened net computes exactly what the narrow one
// did and the new channels start learning from the first step (their outgoing weights' gradients
// are not zero). Tensors the narrow state lacks (more residual blocks, a new head) are not in the
// result; tensors the net lacks pass through unchanged (a strict load_state_dict names them). ValueError when the two nets differ in anything but filters and blocks (fewer in `from`).
NamedTensors widen_policy_state(const NamedTensors& narrow, const PolicyNetOptions& from, PolicyNet& net);

// Weights file: the state_dict under PyTorch's names plus the options as metadata, so a
// file is all a player needs. Written atomically.
void save_policy(const std::string& path, PolicyNet& net);
std::shared_ptr<PolicyNet> load_policy(const std::string& path);
// The same from a weights file's bytes; `source` names them in errors.
std::shared_ptr<PolicyNet> decode_policy(std::string_view bytes, const std::string& source);

// The network shipped with Kaya (models/go_policy_6x64.safetensors, trained as
// models/README.md says), built into the binary.
std::string_view shipped_policy_bytes();
std::shared_ptr<PolicyNet> load_shipped_policy();
// The network the search plays with by default, built in as well
// (models/go_residual9d_vsgnugo_6x64b4.safetensors: 6 layers of 64 filters and 4 residual blocks
// with global pooling trained on the 9-dan games, its value and ownership heads then trained on
// refereed games against GNU Go; models/README.md). Its value head is worth half of a leaf's
// value (kBuiltInValueHead).
inline constexpr double kBuiltInValueHead = 0.5;
std::string_view shipped_search_net_bytes();
std::shared_ptr<PolicyNet> load_shipped_search_net();

// The net's move log-probabilities for planes (B, planes, size, size) under each of the first
// `symmetries` of the 8 board symmetries (1: the planes as they are), each mapped back to the
// original orientation: (symmetries, B, size * size). Symmetry 0 is the identity.
Tensor symmetric_log_probs(PolicyNet& net, const Tensor& planes, int symmetries);
// Their ensemble: the log of the mean probability over the symmetries (dim 0), (B, points).
Tensor ensemble_log_probs(const Tensor& per_symmetry);

// The score estimate of a predicted ownership (`points` values in [-1, 1] for the side to
// move): their sum + komi_for_side (komi when the side to move is White, -komi when Black).
double ownership_score(const float* ownership, int points, double komi_for_side);
// A value from it, squashed as tanh(score / score_scale) into [-1, 1].
float ownership_value(const float* ownership, int points, double komi_for_side, double score_scale);

// The same forward passes also giving the value head's outputs averaged over the symmetries
// (B) and the ownership head's, mapped back to the original orientation and averaged (B,
// points); each undefined when the net lacks that head.
struct SymmetricOutputs {
    Tensor log_probs;  // (symmetries, B, points), as symmetric_log_probs.
    Tensor values;     // (B) or undefined.
    Tensor ownership;  // (B, points) or undefined.
};
SymmetricOutputs symmetric_outputs(PolicyNet& net, const Tensor& planes, int symmetries);

// The stones the net's ownership head (averaged over `symmetries` of the board's 8) judges dead
// in `game`'s position: every stone of a string whose predicted ownership, averaged over its
// stones, favours the other colour, as KataGo marks dead stones for GTP's final_status_list.
// For final_score and final_status_list at the end of a game (GtpOptions::dead_stones); the
// net must have an ownership head and play on the game's board.
std::vector<Point> ownership_dead_stones(PolicyNet& net, const Game& game, int symmetries = 8);

struct PolicyPlayerOptions {
    // Average the move probabilities over this many of the board's 8 symmetries (1 to 8), as
    // Leela Zero and KataGo can: a stronger move choice for that many forward passes.
    int symmetries = 1;
    // Resign when, after `resign_after` of the board's points have been played, the area
    // count with estimated dead stones (score.h) puts the player this many points behind (komi
    // included).
    // 0 disables resigning.
    double resign_margin = 0.25;  // Fraction of the board's points.
    double resign_after = 0.6;    // Fraction of the board's points, in moves.
    // Above 0: draw the move among the candidates with probability proportional to p^(1 /
    // temperature) instead of taking the most probable (self-play games that differ, as
    // AlphaGo's and Leela Zero's), for the game's first `sample_moves` moves (0: every move).
    double temperature = 0;
    int sample_moves = 0;
    uint64_t seed = 0;  // The draws: counter-based, the n-th draw of a player depends on (seed, n).
};

// Plays the network's most probable move (or one drawn, options.temperature) with no search.
// Only sensible moves are candidates
// (legal under positional superko and not filling one of its own eyes); with none left it
// passes. It also passes when the opponent has just passed and the area count (dead stones
// estimated) already wins, which ends the game instead of filling its own territory; when it is
// behind after a pass it plays only where the area count can still change (neutral points and
// strings in atari), never into a settled area where its stone would be captured.
class PolicyPlayer : public Player {
public:
    explicit PolicyPlayer(std::shared_ptr<PolicyNet> net, PolicyPlayerOptions options = {});
    Point choose(const Game& game, Color color) override;
    // Move probabilities over the board's points for `color` to move (legality not applied).
    std::vector<float> probabilities(const Game& game, Color color);

private:
    std::vector<float> probabilities_of(const std::vector<float>& planes, int n);

    std::shared_ptr<PolicyNet> net_;
    PolicyPlayerOptions options_;
    uint64_t draws_ = 0;  // Moves drawn so far (the counter of the next draw).
};

}  // namespace kaya::go
