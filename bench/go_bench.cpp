// SPDX-License-Identifier: MIT
// Go core speed: moves per second on the board (random legal games, 19x19), positions per
// second through the 48 feature planes (mid-game positions of those games), one thread; and
// loading the 9-dan archive of ../shared/data/go (gunzip, untar, parse, replay every game)
// when it is there. There is no PyTorch peer: PyTorch has no Go board.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "apps/go/board/game.h"
#include "apps/go/data/archive.h"
#include "apps/go/features/features.h"
#include "apps/go/search/evaluators.h"

namespace {

using namespace kaya::go;

// A random game of up to `moves` moves that never fills its own eyes.
std::vector<Board> random_game(int moves, uint64_t seed) {
    std::vector<Board> positions;
    Board b(19);
    uint64_t s = seed;
    for (int i = 0; i < moves; ++i) {
        Color c = b.to_move();
        std::vector<Point> ok;
        for (Point p : b.points()) {
            if (b.is_legal(c, p) && !b.is_eye(c, p)) ok.push_back(p);
        }
        if (ok.empty()) break;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        b.play(c, ok[(s >> 33) % ok.size()]);
        positions.push_back(b);
    }
    return positions;
}

void BM_GoPlayMoves(benchmark::State& state) {
    auto game = random_game(250, 1);
    std::vector<std::pair<Color, Point>> moves;
    for (const auto& b : game) moves.push_back({opponent(b.to_move()), b.last_move()});
    for (auto _ : state) {
        Board b(19);
        for (auto [c, p] : moves) b.play(c, p);
        benchmark::DoNotOptimize(b.hash());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(moves.size()));
}

// One uniform random playout to the end from a 19x19 position (the search's --rollouts, and
// RolloutEvaluator): range(0) moves of a random game first (0: the empty board). No peer:
// PyTorch has no Go board.
void BM_GoRandomPlayout(benchmark::State& state) {
    const auto game = random_game(static_cast<int>(state.range(0)), 2);
    const Board start = game.empty() ? Board(19) : game.back();
    uint64_t seed = 0;
    for (auto _ : state) benchmark::DoNotOptimize(playout_value(start, start.to_move(), 7.5, seed++));
}

void BM_GoFeatures(benchmark::State& state) {
    auto game = random_game(250, 2);
    std::vector<float> out(kNumFeaturePlanes * 361);
    size_t i = 0;
    for (auto _ : state) {
        const Board& b = game[50 + i++ % (game.size() - 50)];
        extract_features(b, b.to_move(), out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_GoLoadNineDanArchive(benchmark::State& state) {
    const std::string path = KAYA_SHARED_DATA "/go/tom9d_sgf.tar.gz";
    if (!std::filesystem::exists(path)) {
        state.SkipWithError(("not found: " + path).c_str());
        return;
    }
    int64_t moves = 0, games = 0;
    for (auto _ : state) {
        auto c = load_games(path);
        games = static_cast<int64_t>(c.games.size());
        moves = 0;
        for (const auto& g : c.games) moves += static_cast<int64_t>(g.moves.size());
    }
    state.counters["games"] = static_cast<double>(games);
    state.counters["moves/s"] = benchmark::Counter(static_cast<double>(moves),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_GoPlayMoves)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GoRandomPlayout)->Arg(0)->Arg(150)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GoFeatures)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GoLoadNineDanArchive)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace
