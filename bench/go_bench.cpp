// SPDX-License-Identifier: MIT
// Go core speed: moves per second on the board (random legal games, 19x19) and positions per
// second through the 48 feature planes (mid-game positions of those games), one thread.
#include <benchmark/benchmark.h>

#include "apps/go/board/game.h"
#include "apps/go/features/features.h"

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

BENCHMARK(BM_GoPlayMoves)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GoFeatures)->Unit(benchmark::kMicrosecond);

}  // namespace
