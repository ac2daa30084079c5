// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <array>
#include <string>
#include <vector>

#include "apps/go/data/positions.h"
#include "apps/go/policy/policy.h"
#include "apps/train/task.h"

namespace kaya::go {

// Move prediction on a set of positions: mean cross-entropy, and how often the expert's move
// is the net's first choice (top-1) or among its five most probable points (top-5).
// With a value head also the value's mean squared error against the game's outcome and how
// often its sign names the winner, over the positions whose game has a decided outcome
// (game_outcome != 0; value_positions of them). With an ownership head also how often the
// sign of its score estimate (ownership_value) names the winner over the same positions, and
// how often its owner of a point (the sign of its output) is the target's, over the points
// owned by a side at the end of the games with ownership targets.
struct PolicyScore {
    double loss = 0, top1 = 0, top5 = 0;  // Over the positions with a move target.
    int64_t positions = 0;
    int64_t move_positions = 0;  // Those with a move target (GameRecord::moves_are_targets).
    // The heads' scores (the same for the ensemble and the net's own: both come from the
    // outputs averaged over the symmetries).
    struct Heads {
        double value_mse = 0, value_accuracy = 0;
        int64_t value_positions = 0;
        double score_accuracy = 0, ownership_accuracy = 0;
        // The value's and the score's winner accuracy by quarter of the game (game_quarter).
        std::array<double, 4> value_accuracy_by_quarter{}, score_accuracy_by_quarter{};
        std::array<double, 4> ownership_accuracy_by_quarter{};  // Of the owned points, by quarter.
        // The squared error against the outcome of the values a search can give a leaf
        // (`kaya go gtp --score-scale S --value-head W`): tanh(score / S) from the ownership
        // (W = 0), and half that and half the value head (W = 0.5), for S in kLeafValueScales.
        // A constant 0 has a squared error of 1.
        static constexpr std::array<double, 3> kLeafValueScales{20, 40, 80};
        std::array<double, 3> score_value_mse{}, mixed_value_mse{};
    } heads;
};

// Scores the first `limit` positions of a seeded shuffle of `positions` (all when limit <= 0),
// without augmentation, in eval mode and without a graph. With symmetries > 1 the score is
// that of the net averaged over that many board symmetries (go::ensemble_log_probs), and
// `plain`, when given, receives the net's own score from the same forward passes.
PolicyScore evaluate_policy(PolicyNet& net, const GoPositions& positions, int64_t limit,
                            uint64_t seed, bool show_progress = false, int symmetries = 1,
                            PolicyScore* plain = nullptr);

// The keys of a go_policy run (configs/go_policy*.toml), read once.
struct PolicyTaskOptions {
    std::string path;  // data.path: directory, .tar.gz of SGF files, or one file.
    // data.selfplay: games of the network's own play (kaya go match of a net against itself,
    // or against GNU Go, counted with the referee's dead stones): a path or a list of paths
    // (directories are read recursively); none by default, or with "" or []. They are split
    // by game as data.path is; their training positions join the stream for the value and
    // ownership heads only (their moves are not targets), and their validation and test games
    // are scored apart (val_selfplay_*, test_selfplay_*).
    std::vector<std::string> selfplay;
    // data.selfplay_share: the share of each training batch drawn from the self-play games
    // (0: none set aside, their positions join the 9-dan ones' shuffle in proportion).
    double selfplay_share = 0;
    // train.select: the validation metric that picks the best epoch (higher is better):
    // val_top1, or with an ownership head val_score_accuracy, val_ownership_accuracy, and
    // with data.selfplay val_selfplay_score_accuracy or val_selfplay_ownership_accuracy.
    std::string select = "val_top1";
    double val_fraction = 0.01, test_fraction = 0.01;  // Of the games.
    // data.selfplay_val_fraction, data.selfplay_test_fraction: of the self-play games, which
    // are split apart (read() defaults them to data.val_fraction and data.test_fraction), so
    // that a pool of a few hundred games can hold out enough without changing the 9-dan split.
    double selfplay_val_fraction = 0.01, selfplay_test_fraction = 0.01;
    int64_t val_positions = 10000;  // Validation sample after every epoch (0: all).
    int64_t test_positions = 0;     // 0: every position of the test games.
    bool augment = true;            // A random one of the 8 symmetries per position.
    uint64_t data_seed = 0;         // data.seed: the split and the symmetries.
    int64_t filters = 192, layers = 13, first_kernel = 5;
    int64_t blocks = 0;        // Residual blocks after the layers (PolicyNetOptions::blocks).
    bool global_pool = false;  // PolicyNetOptions::global_pool.
    // model.init_widen: model.init_weights is a narrower net of the same kind (fewer filters,
    // as many blocks or fewer), widened into this one so that it starts as that net
    // (widen_policy_state); blocks it lacks start as model.blocks does (model.init_strict = false).
    bool init_widen = false;
    std::string init_weights;  // model.init_weights (read by the run loop; named in errors here).
    int64_t value_hidden = 0;   // model.value_hidden: > 0 adds the value head (PolicyNetOptions).
    int64_t value_planes = 1;   // model.value_planes: the value head's convolution's planes.
    bool value_norm = false;    // model.value_norm: PolicyNetOptions::value_norm.
    double value_weight = 0.1;  // train.value_weight: the value loss's weight in the total.
    bool ownership = false;     // model.ownership: adds the ownership head (PolicyNetOptions).
    double ownership_weight = 1.0;  // train.ownership_weight: its loss's weight in the total.
    int64_t positions_per_epoch = 100000;
    int symmetries = 1;  // eval.symmetries: also score the test set averaged over them.

    static PolicyTaskOptions read(const app::Config& cfg);
};

// AlphaGo's supervised policy network (task.kind = "go_policy"). Games are split by game into
// train/validation/test. An epoch is train.positions_per_epoch positions drawn from an endless
// seeded shuffle of the training positions (pass p over the set is a permutation seeded by
// (seed, p)), each under a random one of the 8 symmetries, so position s of the stream depends
// only on s and a resumed run continues with exactly the batches it would have seen. The best
// epoch has the highest validation top-1; model.safetensors carries the net's shape as metadata,
// so `kaya go gtp --weights` needs nothing else. With model.value_hidden > 0 the net also learns
// the game's outcome from each position: loss = cross-entropy + train.value_weight x the value's
// mean squared error over the positions with a decided outcome. A low weight, as AlphaGo Zero's
// supervised run used, keeps the shared layers from memorising whole games (every position of a
// game has the same outcome). With model.ownership the net also learns each point's final owner
// (KataGo's auxiliary target, final_ownership): + train.ownership_weight x the binary
// cross-entropy of (1 + ownership) / 2 against (1 + target) / 2, the mean over the points of
// the positions whose game has targets.
class PolicyTask : public app::Task {
public:
    explicit PolicyTask(const app::Config& cfg) : o_(PolicyTaskOptions::read(cfg)) {}

    void prepare(const app::TaskEnv& env) override;
    std::string data_description() const override { return description_; }
    nn::Module& model() override { return *net_; }
    int64_t batches_per_epoch() const override { return o_.positions_per_epoch / batch_size_; }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override;
    Tensor training_loss(const data::Example& batch, app::Metrics& sums) override;
    app::Metrics epoch_columns(int64_t epoch) const override;
    app::Metrics validate() override;
    app::Selection selection() const override { return {o_.select, true}; }
    app::Metrics test() override;
    NamedTensors init_state(const io::SafetensorsFile& file) override;
    std::map<std::string, std::string> model_metadata() const override {
        return policy_metadata(net_->options());
    }
    void write_plots(const std::string& dir, const std::vector<app::Metrics>& history) override;
    PlotAxis plot_axis() const override { return {"positions", "training positions", true}; }

    std::shared_ptr<PolicyNet> net() const { return net_; }
    // Scores of the last test(): the net alone and averaged over eval.symmetries.
    const PolicyScore& test_score() const { return test_; }
    const PolicyScore& test_ensemble() const { return test_ensemble_; }

private:
    // An endless seeded shuffle of the training positions [first, first + n): pass p over them
    // is a permutation seeded by (seed, salt, p), so position s of the stream depends only on s.
    struct Stream {
        int64_t first = 0, n = 0;
        uint64_t salt = 0;
        int64_t pass = -1;  // The pass whose permutation perm holds.
        std::vector<int64_t> perm;
        int64_t at(int64_t s, uint64_t seed);  // Index in the training set of stream position s.
    };
    // Loads data.selfplay's games into games_ (their moves not targets) and splits them by game
    // as data.path's; `skipped` receives how many were unusable.
    GameSplit add_selfplay_games(size_t& skipped);
    // The training streams: one over every training position, or with data.selfplay_share one
    // over the 9-dan games' and one over the self-play games' (games_ from path_games on).
    void set_up_streams(size_t path_games);
    // The value and ownership heads' metrics (those the net has), their names after prefix.
    void add_head_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const;
    // The same by quarter of the game (_q1 to _q4), for the winner's and the owners' accuracies.
    void add_quarter_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const;
    // The leaf values' squared errors (Heads::score_value_mse, mixed_value_mse) as
    // prefix + "score_value_mse_s20" and so on.
    void add_leaf_value_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const;

    PolicyTaskOptions o_;
    int64_t batch_size_ = 16;
    int64_t rank_ = 0, world_size_ = 1;  // This process's part of each batch (data-parallel).
    uint64_t seed_ = 0;
    bool verbose_ = false;
    std::shared_ptr<std::vector<GameRecord>> games_;
    std::unique_ptr<GoPositions> train_, val_, test_positions_;
    std::unique_ptr<GoPositions> selfplay_val_, selfplay_test_;  // Null without data.selfplay.
    std::shared_ptr<PolicyNet> net_;
    std::string description_;
    // Every training position; with data.selfplay_share the 9-dan games' (main_) and the
    // self-play games' (own_), each batch taking its share from own_.
    Stream main_, own_;
    int64_t own_rows_ = 0;  // Rows of each batch from own_.
    PolicyScore test_, test_ensemble_;
};

// Registers "go_policy".
void register_tasks(app::TaskRegistry& registry);

}  // namespace kaya::go
