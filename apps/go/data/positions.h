// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "apps/go/sgf/sgf.h"
#include "kaya/data/dataset.h"

namespace kaya::go {

// Game indices of a train / validation / test split. Games, never positions, are split, so
// no position of a test game is seen in training.
struct GameSplit {
    std::vector<size_t> train, val, test;
};
// A seeded random split of n games; the fractions of validation and test games are rounded.
GameSplit split_games(size_t n_games, double val_fraction, double test_fraction, uint64_t seed);

struct PositionOptions {
    bool augment = false;  // A random one of the 8 symmetries per example (seed, index, epoch).
    uint64_t seed = 0;
    bool skip_setup = true;  // Leave out games with handicap or setup stones.
    bool outcome = false;    // Also give each position's game outcome (a third tensor).
    // Also give the final ownership (final_ownership) as three more tensors; needs outcome.
    bool ownership = false;
};

// The tensors of a GoPositions example, by index.
enum PositionTensor : size_t {
    kPlanesTensor = 0,     // (48, N, N) float32
    kMoveTensor = 1,       // the move's point index y * N + x, int64, or kNoMoveTarget
    kOutcomeTensor = 2,    // game_outcome for the side to move, float32 (options.outcome)
    kOwnershipTensor = 3,  // (N * N) float32: the final owner of each point for the side to move
    kOwnershipMaskTensor = 4,  // float32: 1 when the game has ownership targets, else 0
    kKomiTensor = 5,       // float32: komi for the side to move (+komi for White, -komi for Black)
};

// The move target of a position whose game's moves are not targets (GameRecord::
// moves_are_targets false): the ignore_index of nn::cross_entropy, so it adds no loss.
inline constexpr int64_t kNoMoveTarget = -100;

// Who owns each point (index y * N + x) at the end of a game, for Black: 1 Black's, -1
// White's, 0 neutral. From the record's territory marks (TB/TW, as kaya go match writes them
// from its referee's dead stones) when it has them and was counted (RE "B+3.5", or "0" for a
// draw). Otherwise from estimated_owners of the final position, for games the board decided by
// a count whose estimated area score names the same winner (on the 9-dan games 94% of the
// counted ones). An empty vector otherwise (resigned games end with dead groups the estimate
// cannot judge).
std::vector<int8_t> final_ownership(const GameRecord& record);

// The game's result (SGF RE) for `side`: +1 won, -1 lost, 0 when the record gives no winner
// that the board decided: a draw, no result, or a win on time or by forfeit ("B+T", "W+F").
// Wins by resignation and by a score count ("B+R", "W+Resign", "B+3.5", "W+").
float game_outcome(const GameRecord& record, Color side);

// Every non-pass move of the chosen games as a training example: {planes (48, N, N) float32,
// the move's point index y * N + x as int64}, with options.outcome a third, float32: the game's
// outcome for the side to move (game_outcome), and with options.ownership the final ownership
// for the side to move under the same symmetry as the planes, its mask and the komi for the
// side to move (PositionTensor). Ownership targets are computed once per game on construction. Positions are made on the fly: the game is
// replayed to the move and the features extracted, so no feature cache is stored; get_batch
// builds its examples in parallel on the thread pool. Games must share one board size.
class GoPositions : public data::Dataset {
public:
    GoPositions(std::shared_ptr<const std::vector<GameRecord>> games,
                const std::vector<size_t>& game_ids, PositionOptions options = {});

    int64_t size() const override { return static_cast<int64_t>(index_.size()); }
    data::Example get(int64_t i) const override;
    data::Example get_batch(const std::vector<int64_t>& indices) const override;
    // Augmentation draws a new symmetry per epoch (set by the training loop).
    void set_epoch(int64_t epoch) { epoch_ = epoch; }
    int board_size() const { return size_; }
    bool has_outcome() const { return options_.outcome; }
    bool has_ownership() const { return options_.ownership; }
    // Which quarter of its game position i comes from (0 to 3, by move number over the game's
    // moves).
    int game_quarter(int64_t i) const;
    // Position i's game (its index in the games vector); positions follow the order of the
    // game ids given, so this is non-decreasing in i when the ids are increasing.
    size_t game_of(int64_t i) const;
    size_t num_games() const { return games_used_; }

private:
    // One example into its rows; the optional ones (outcome on) are null when not asked for.
    struct Rows {
        float* planes;
        int64_t* target;
        float *outcome, *ownership, *mask, *komi;
    };
    void fill(int64_t i, const Rows& rows) const;
    data::Example make(const std::vector<int64_t>& indices, bool batched) const;

    std::shared_ptr<const std::vector<GameRecord>> games_;
    std::vector<std::pair<uint32_t, uint32_t>> index_;  // (game, move number) of each position.
    std::vector<std::vector<int8_t>> owners_;  // final_ownership of each game (by game index).
    PositionOptions options_;
    int size_ = 19;
    size_t games_used_ = 0;
    int64_t epoch_ = 0;
};

}  // namespace kaya::go
