// SPDX-License-Identifier: MIT
// Monte Carlo tree search on small boards: it finds a capture, is deterministic, reuses its tree,
// never plays an illegal move, handles passes and the clock, and refuses bad evaluators.
#include "apps/go/search/search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "apps/go/board/coords.h"
#include "apps/go/board/score.h"
#include "apps/go/features/features.h"
#include "apps/go/gtp/gtp.h"
#include "apps/go/policy/policy.h"
#include "apps/go/search/evaluators.h"
#include "apps/go/search/search_player.h"
#include "kaya/core/error.h"
#include "kaya/core/parallel.h"
#include "kaya/ops/ops.h"

namespace kaya::go {
namespace {

// 5x5, Black to move: three White stones in atari, taken at (3, 3).
//   . . . . .
//   . X X X .
//   X O O O X
//   . X X . .
//   . . . . .
Game atari_game() {
    Game g(5, 0.5);
    const Board& b = g.board();
    for (auto [x, y] : {std::pair{1, 1}, {2, 1}, {3, 1}, {0, 2}, {4, 2}, {1, 3}, {2, 3}}) g.place(Color::Black, b.point(x, y));
    for (int x = 1; x <= 3; ++x) g.place(Color::White, b.point(x, 2));
    g.set_to_move(Color::Black);
    return g;
}

SearchOptions few(int playouts) {
    SearchOptions o;
    o.playouts = playouts;
    o.batch = 4;
    return o;
}

TEST(Search, FindsTheCaptureWithRandomPlayouts) {
    Game g = atari_game();
    Search s(std::make_shared<RolloutEvaluator>(4, 1), few(300));
    SearchResult r = s.run(g, Color::Black);
    EXPECT_EQ(r.move, g.board().point(3, 3));
    EXPECT_GT(r.win_rate, 0.8);
    EXPECT_EQ(r.visits, 300) << "one root visit a playout, nothing reused";
    EXPECT_LE(r.evaluations, 300);
    ASSERT_FALSE(r.children.empty());
    EXPECT_GE(r.children.front().visits, r.children.back().visits);
}

TEST(Search, ASummaryNamesTheMoveAndTheMostVisited) {
    Game g = atari_game();
    Search s(std::make_shared<RolloutEvaluator>(4, 1), few(100));
    SearchResult r = s.run(g, Color::Black);
    const std::string line = search_summary(g.board(), r, 2);
    // "D4: 100 visits (0 reused), ... win rate 9x.x%; D4 n w% (prior p%) X n w% (prior p%)"
    EXPECT_EQ(line.rfind(point_to_gtp(g.board(), r.move) + ": 100 visits (0 reused), ", 0), 0u) << line;
    EXPECT_EQ(line.find(" " + point_to_gtp(g.board(), r.children[0].move) + " " + std::to_string(r.children[0].visits) +
                        " "),
              line.find(';') + 1)
        << line;
    size_t priors = 0;
    for (size_t at = line.find("(prior "); at != std::string::npos; at = line.find("(prior ", at + 1)) ++priors;
    EXPECT_EQ(priors, 2u) << line;
}

TEST(Search, SameEvaluatorSeedSameSearch) {
    Game g = atari_game();
    auto run = [&] {
        Search s(std::make_shared<RolloutEvaluator>(1, 7), few(200));
        return s.run(g, Color::Black);
    };
    SearchResult a = run(), b = run();
    ASSERT_EQ(a.children.size(), b.children.size());
    for (size_t i = 0; i < a.children.size(); ++i) {
        EXPECT_EQ(a.children[i].move, b.children[i].move);
        EXPECT_EQ(a.children[i].visits, b.children[i].visits);
        EXPECT_EQ(a.children[i].win_rate, b.children[i].win_rate);
    }
}

TEST(Search, KeepsTheSubtreeOfTheMovesPlayed) {
    Game g = atari_game();
    SearchOptions o = few(300);
    Search s(std::make_shared<RolloutEvaluator>(2, 3), o);
    SearchResult first = s.run(g, Color::Black);
    g.play(Color::Black, first.move);
    // White's most visited answer in the tree, so its subtree has visits.
    SearchResult white = s.run(g, Color::White);
    EXPECT_GT(white.reused, 0);
    g.play(Color::White, white.move);
    SearchResult again = s.run(g, Color::Black);
    EXPECT_GT(again.reused, 0);
    EXPECT_EQ(again.visits, again.reused + 300);
    // Another game with the same moves but other setup stones starts afresh.
    Game other(5, 0.5);
    other.place(Color::White, other.board().point(0, 0));
    other.set_to_move(Color::Black);
    EXPECT_EQ(s.run(other, Color::Black).reused, 0);
    // Without reuse every search starts afresh.
    o.reuse_tree = false;
    s.set_options(o);
    EXPECT_EQ(s.run(g, Color::Black).reused, 0);
}

TEST(Search, SelfPlayOnASmallBoardOnlyMakesLegalMoves) {
    // 40 moves of 5x5 self-play at 60 playouts a move: every move legal under positional
    // superko (a search that played into a repeated position would throw in Game::play).
    Game g(5, 0.5);
    Search s(std::make_shared<RolloutEvaluator>(1, 11), few(60));
    for (int m = 0; m < 40 && g.trailing_passes() < 2; ++m) {
        const Color c = g.to_move();
        SearchResult r = s.run(g, c);
        ASSERT_TRUE(r.move == kPass || g.is_legal(c, r.move)) << "move " << m;
        g.play(c, r.move);
    }
}

TEST(Search, ALineEndingInTwoPassesIsScored) {
    // White has passed; the board is split, Black owns 15 points and White 10 (komi 0.5):
    // Black passing ends the game with a win, found as a terminal line.
    Game g(5, 0.5);
    for (int y = 0; y < 5; ++y) {
        g.place(Color::Black, g.board().point(2, y));
        g.place(Color::White, g.board().point(3, y));
    }
    g.set_to_move(Color::White);
    g.play(Color::White, kPass);
    SearchOptions o = few(200);
    o.pass_prior = 0.5f;  // Every move wins here; a large prior makes the search try passing.
    Search s(std::make_shared<RolloutEvaluator>(1, 5), o);
    SearchResult r = s.run(g, Color::Black);
    bool pass_seen = false;
    for (const auto& c : r.children) {
        if (c.move == kPass) {
            pass_seen = true;
            EXPECT_GT(c.visits, 0);
            EXPECT_DOUBLE_EQ(c.win_rate, 1.0) << "two passes: Black wins by the area count";
        }
    }
    EXPECT_TRUE(pass_seen);
    EXPECT_FLOAT_EQ(final_value(g.board(), g.komi(), Color::Black), 1.0f);
    EXPECT_FLOAT_EQ(final_value(g.board(), g.komi(), Color::White), -1.0f);
    // The player passes at once when the opponent has passed and it leads.
    SearchPlayer player(std::make_shared<RolloutEvaluator>(1, 5), {.search = few(50)});
    EXPECT_EQ(player.choose(g, Color::Black), kPass);
}

TEST(Search, PlayoutValueOfASettledBoard) {
    // Black fills the board but for three one-point eyes: White can only pass, Black passes
    // rather than fill an eye, and Black owns all 25 points whatever the seed.
    Game g(5, 7.5);
    for (Point p : g.board().points()) {
        const Board& b = g.board();
        if (p != b.point(0, 0) && p != b.point(2, 2) && p != b.point(4, 4)) g.place(Color::Black, p);
    }
    for (uint64_t seed = 0; seed < 10; ++seed) {
        EXPECT_FLOAT_EQ(playout_value(g.board(), Color::Black, 7.5, seed), 1.0f) << seed;
        EXPECT_FLOAT_EQ(playout_value(g.board(), Color::White, 7.5, seed), -1.0f) << seed;
        // With a komi of 30 White wins the same count.
        EXPECT_FLOAT_EQ(playout_value(g.board(), Color::White, 30, seed), 1.0f) << seed;
    }
}

// An evaluator that answers wrongly, for the search's checks.
struct Broken : Evaluator {
    int priors = 25;
    float value = 0;
    float score = std::numeric_limits<float>::quiet_NaN();
    bool drop = false;
    std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) override {
        std::vector<Evaluation> out(drop ? leaves.size() - 1 : leaves.size());
        for (auto& e : out) {
            e.priors.assign(static_cast<size_t>(priors), 1.0f);
            e.value = value;
            e.score = score;
        }
        return out;
    }
};

TEST(Search, ABrokenEvaluatorIsAClearError) {
    Game g(5, 0.5);
    auto b = std::make_shared<Broken>();
    Search s(b, few(8));
    b->priors = 24;
    EXPECT_THROW(
        {
            try {
                s.run(g, Color::Black);
            } catch (const ValueError& e) {
                EXPECT_NE(std::string(e.what()).find("24 priors for a 5x5 board (expected 25)"), std::string::npos)
                    << e.what();
                throw;
            }
        },
        ValueError);
    b->priors = 25;
    b->value = std::numeric_limits<float>::quiet_NaN();
    s.clear();
    EXPECT_THROW(s.run(g, Color::Black), ValueError);
    b->value = 0;
    b->drop = true;
    s.clear();
    EXPECT_THROW(s.run(g, Color::Black), ValueError);
    EXPECT_THROW(Search(nullptr), ValueError);
    EXPECT_THROW(RolloutEvaluator(0), ValueError);
    // Scores: an infinite one, and none when the score utility needs them.
    b->drop = false;
    b->score = std::numeric_limits<float>::infinity();
    s.clear();
    EXPECT_THROW(s.run(g, Color::Black), ValueError);
    b->score = std::numeric_limits<float>::quiet_NaN();
    SearchOptions o = few(8);
    o.score_utility = 0.5;
    Search needs_scores(b, o);
    try {
        needs_scores.run(g, Color::Black);
        FAIL() << "a search with a score utility ran on an evaluator without scores";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("score_utility needs a finite score"), std::string::npos) << e.what();
    }
    o.score_utility = -1;
    EXPECT_THROW(Search(b, o), ValueError);
    o.score_utility = 0.5;
    o.score_utility_scale = 0;
    EXPECT_THROW(Search(b, o), ValueError);
}

// 5x5: Black wins every position by about 50 points, and by 10 more with a stone on the
// centre point; the value (+1 for Black) cannot tell the moves apart, the score can.
struct WonGame : Evaluator {
    std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) override {
        std::vector<Evaluation> out(leaves.size());
        for (size_t i = 0; i < leaves.size(); ++i) {
            const Board& b = *leaves[i].board;
            const double black = 50 + (b.at(b.point(2, 2)) == Color::Black ? 10 : 0);
            const bool is_black = leaves[i].to_move == Color::Black;
            out[i].priors.assign(25, 1.0f);
            out[i].value = is_black ? 1.0f : -1.0f;
            out[i].score = static_cast<float>(is_black ? black : -black);
        }
        return out;
    }
};

TEST(Search, TheScoreUtilityKeepsMovesApartInAWonGame) {
    Game g(5, 0.5);
    const Point centre = g.board().point(2, 2);
    auto visits_of = [](const SearchResult& r, Point move) {
        for (const auto& c : r.children)
            if (c.move == move) return c.visits;
        return 0;
    };
    // The value alone: every move wins, visits follow the equal priors.
    Search plain(std::make_shared<WonGame>(), few(200));
    const SearchResult flat = plain.run(g, Color::Black);
    EXPECT_GT(flat.win_rate, 0.99);
    EXPECT_LT(visits_of(flat, centre), 30) << search_summary(g.board(), flat);
    // Centred on the root's score (50), the centre point's 60 stands out; the win rate is
    // still the value's.
    SearchOptions o = few(200);
    o.score_utility = 0.5;
    Search scored(std::make_shared<WonGame>(), o);
    const SearchResult r = scored.run(g, Color::Black);
    EXPECT_EQ(r.move, centre) << search_summary(g.board(), r);
    EXPECT_GT(visits_of(r, centre), 100) << search_summary(g.board(), r);
    EXPECT_GT(r.win_rate, 0.99);
    EXPECT_NEAR(r.score, 60, 1e-3);
    EXPECT_NE(search_summary(g.board(), r).find(", score +60.0;"), std::string::npos) << search_summary(g.board(), r);
    // For White, who loses everywhere, the same: the move that keeps Black off the centre
    // (found once Black's replies are searched, so with more playouts).
    o.playouts = 2000;
    Search white(std::make_shared<WonGame>(), o);
    const SearchResult w = white.run(g, Color::White);
    EXPECT_EQ(w.move, centre) << search_summary(g.board(), w);
    EXPECT_LT(w.win_rate, 0.01);
}

// 5x5, Black to move: the evaluator favours (1, 1) nine to one over (3, 3), but a Black stone
// on (3, 3) is worth 0.3 to Black and one on (1, 1) nothing. With a high exploration weight the
// visits follow the priors, and (3, 3) has the better value on fewer visits.
struct FavouredButWorse : Evaluator {
    std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) override {
        std::vector<Evaluation> out(leaves.size());
        for (size_t i = 0; i < leaves.size(); ++i) {
            const Board& b = *leaves[i].board;
            out[i].priors.assign(25, 0.1f);
            out[i].priors[1 * 5 + 1] = 90;
            out[i].priors[3 * 5 + 3] = 8;
            const float black = b.at(b.point(3, 3)) == Color::Black ? 0.3f : 0.0f;
            out[i].value = leaves[i].to_move == Color::Black ? black : -black;
        }
        return out;
    }
};

TEST(Search, TheLowerConfidenceBoundChoosesTheBetterValueVisitedEnough) {
    Game g(5, 0.5);
    const Point favoured = g.board().point(1, 1), better = g.board().point(3, 3);
    auto run = [&](double z, double share) {
        SearchOptions o = few(400);
        o.c_puct = 20;
        o.lcb_z = z;
        o.lcb_min_share = share;
        Search s(std::make_shared<FavouredButWorse>(), o);
        return s.run(g, Color::Black);
    };
    // The most visited move without the bound: the favoured one, ahead of the better one.
    const SearchResult most = run(0, 0.15);
    ASSERT_GE(most.children.size(), 2u);
    EXPECT_EQ(most.move, favoured) << search_summary(g.board(), most);
    EXPECT_EQ(most.children[1].move, better) << search_summary(g.board(), most);
    EXPECT_TRUE(std::isnan(most.children[0].lcb));
    // With the bound, the better value wins once it has enough visits ...
    const SearchResult r = run(1, 0.1);
    EXPECT_EQ(r.move, better) << search_summary(g.board(), r);
    EXPECT_GT(r.win_rate, most.win_rate);
    EXPECT_GT(r.children[1].visits, 0.1 * r.children[0].visits) << search_summary(g.board(), r);
    EXPECT_LT(r.children[1].lcb, r.children[1].win_rate);
    EXPECT_GT(r.children[1].lcb, r.children[0].lcb);
    // ... but not when it needs more visits than it has, nor when its bound is too wide.
    EXPECT_EQ(run(1, 0.99).move, favoured);
    EXPECT_EQ(run(100, 0.1).move, favoured);
    SearchOptions bad = few(8);
    bad.lcb_z = -1;
    EXPECT_THROW(Search(std::make_shared<FavouredButWorse>(), bad), ValueError);
    bad.lcb_z = 1;
    bad.lcb_min_share = 1.5;
    EXPECT_THROW(Search(std::make_shared<FavouredButWorse>(), bad), ValueError);
}

TEST(SearchPlayer, SharesTheClockOverTheGame) {
    Game g(19, 7.5);
    SearchPlayerOptions o;
    o.search.playouts = 10;
    SearchPlayer p(std::make_shared<RolloutEvaluator>(), o);
    EXPECT_EQ(p.move_budget(g, Color::Black), 0) << "no clock, no seconds: playouts only";
    p.time_settings(600, 0, 0);
    // 600 s over max(20, (0.8 * 361 - 0) / 2) = 144.4 moves, less the 0.2 s margin.
    EXPECT_NEAR(p.move_budget(g, Color::Black), 600 / 144.4 - 0.2, 1e-9);
    p.time_left(Color::Black, 60, 0);
    EXPECT_NEAR(p.move_budget(g, Color::Black), 60 / 144.4 - 0.2, 1e-9);
    // Canadian byo-yomi: 30 s for 5 stones left.
    p.time_settings(0, 30, 5);
    p.time_left(Color::White, 30, 5);
    EXPECT_NEAR(p.move_budget(g, Color::White), 6 - 0.2, 1e-9);
    // The search's own limit caps the share.
    o.search.seconds = 2;
    SearchPlayer capped(std::make_shared<RolloutEvaluator>(), o);
    capped.time_settings(600, 0, 0);
    EXPECT_NEAR(capped.move_budget(g, Color::Black), 2, 1e-9);
    EXPECT_NEAR(capped.move_budget(g, Color::White), 2, 1e-9);
    // Byo-yomi time with 0 stones means no limit (GTP).
    SearchPlayer free_player(std::make_shared<RolloutEvaluator>(), {.search = few(10)});
    free_player.time_settings(0, 1, 0);
    EXPECT_EQ(free_player.move_budget(g, Color::Black), 0);
}

// Records what GTP's clock commands pass on.
struct Clocked : Player {
    double main = -1, byo = -1, left = -1;
    int stones = -1, left_stones = -1;
    Color who = Color::Empty;
    Point choose(const Game&, Color) override { return kPass; }
    void time_settings(double m, double b, int s) override {
        main = m;
        byo = b;
        stones = s;
    }
    void time_left(Color c, double t, int s) override {
        who = c;
        left = t;
        left_stones = s;
    }
};

TEST(SearchPlayer, GtpPassesTheClockOn) {
    auto owned = std::make_unique<Clocked>();
    Clocked* clock = owned.get();
    GtpEngine e(std::move(owned));
    EXPECT_EQ(e.handle("time_settings 300 30 5"), "= \n\n");
    EXPECT_EQ(clock->main, 300);
    EXPECT_EQ(clock->byo, 30);
    EXPECT_EQ(clock->stones, 5);
    EXPECT_EQ(e.handle("time_left white 42.5 3"), "= \n\n");
    EXPECT_EQ(clock->who, Color::White);
    EXPECT_EQ(clock->left, 42.5);
    EXPECT_EQ(clock->left_stones, 3);
    EXPECT_EQ(e.handle("time_left b 10 2.5"), "? syntax error: expected a stone count, got '2.5'\n\n");
    EXPECT_EQ(e.handle("time_settings 1 1 5e28"), "? syntax error: expected a stone count, got '5e28'\n\n");
}

TEST(Search, TheNetworkEvaluatorBatchesThePolicyPriors) {
    auto net = load_shipped_policy();
    Game g(19, 7.5);
    g.play(Color::Black, g.board().point(3, 3));
    NetworkEvaluator eval(net);
    Board other = g.board();
    other.play(Color::White, other.point(15, 15));
    std::vector<Evaluation> two = eval.evaluate({{&g.board(), Color::White, 7.5}, {&other, Color::Black, 7.5}});
    ASSERT_EQ(two.size(), 2u);
    PolicyPlayer single(net);
    const std::vector<float> want = single.probabilities(g, Color::White);
    ASSERT_EQ(two[0].priors.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(two[0].priors[i], want[i], 1e-6) << i;
    for (const Evaluation& e : two) EXPECT_TRUE(e.value == 1 || e.value == -1 || e.value == 0);
    // A short search with it plays a legal move.
    Search s(std::make_shared<NetworkEvaluator>(net), few(16));
    SearchResult r = s.run(g, Color::White);
    EXPECT_TRUE(g.is_legal(Color::White, r.move));
    EXPECT_EQ(r.evaluations, 16);
    Game small(9, 7.5);
    EXPECT_THROW(eval.evaluate({{&small.board(), Color::Black, 7.5}}), ValueError);
}

// The leaves' playouts are shared between threads: leaf i of the n-th evaluated gets the seeds
// seed + (n + i) * rollouts + j whatever the thread count, and batches continue the sequence.
TEST(Search, PlayoutValuesDoNotDependOnTheThreadCount) {
    std::vector<Game> games;
    Game g(5, 0.5);
    for (int k = 0; k < 9; ++k) {
        games.push_back(g);
        g.play(g.to_move(), g.board().point(k % 5, k / 5 * 2));
    }
    std::vector<Leaf> leaves;
    for (const Game& game : games) leaves.push_back({&game.board(), game.to_move(), 0.5});
    Generator gen(9);
    auto net = std::make_shared<PolicyNet>(PolicyNetOptions{
        .board = 5, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 8, .gen = &gen});
    const int saved = num_threads();
    std::vector<float> values[2], mixed[2];
    for (int threads : {1, 2}) {
        set_num_threads(threads);
        RolloutEvaluator rollouts(3, 7);
        NetworkEvaluator network(net, {.rollouts = 2, .seed = 5});
        for (int batch = 0; batch < 2; ++batch) {
            for (const Evaluation& e : rollouts.evaluate(leaves))
                values[threads - 1].push_back(e.value);
            for (const Evaluation& e : network.evaluate(leaves))
                mixed[threads - 1].push_back(e.value);
        }
    }
    set_num_threads(saved);
    EXPECT_EQ(values[0], values[1]);
    EXPECT_EQ(mixed[0], mixed[1]);
    for (size_t n = 0; n < values[0].size(); ++n) {
        const Leaf& leaf = leaves[n % leaves.size()];
        double sum = 0;
        for (int j = 0; j < 3; ++j)
            sum += playout_value(*leaf.board, leaf.to_move, 0.5, 7 + n * 3 + j);
        EXPECT_FLOAT_EQ(values[0][n], static_cast<float>(sum / 3)) << "leaf " << n;
    }
}

TEST(Search, TheValueHeadValuesTheLeaves) {
    Generator gen(9);
    auto net = std::make_shared<PolicyNet>(
        PolicyNetOptions{.board = 5, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 8, .gen = &gen});
    Game g(5, 0.5);
    g.play(Color::Black, g.board().point(2, 2));
    const Leaf leaf{&g.board(), Color::White, 0.5};
    const std::vector<float> planes = extract_features(g.board(), Color::White);
    float head = 0;
    {
        autograd::NoGradGuard no_grad;
        head = net->forward_with_value(from_vector<float>(planes, {1, kNumFeaturePlanes, 5, 5})).second.item<float>();
    }
    NetworkEvaluator value_only(net, {.rollouts = 0});
    EXPECT_EQ(value_only.evaluate({leaf})[0].value, head);
    // With rollouts, the mean of the head and the playouts (AlphaGo's mixing).
    NetworkEvaluator mixed(net, {.rollouts = 1, .seed = 4});
    const float played = playout_value(g.board(), Color::White, 0.5, 4);
    EXPECT_FLOAT_EQ(mixed.evaluate({leaf})[0].value, 0.5f * (head + played));
    // Without a value head a leaf needs playouts.
    auto plain = std::make_shared<PolicyNet>(PolicyNetOptions{.board = 5, .filters = 4, .layers = 3});
    try {
        NetworkEvaluator(plain, {.rollouts = 0});
        FAIL() << "a network without a value head was given no playouts";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("neither a value nor an ownership head"), std::string::npos) << e.what();
    }
    Search s(std::make_shared<NetworkEvaluator>(net, NetworkEvaluatorOptions{.rollouts = 0}), few(24));
    SearchResult r = s.run(g, Color::White);
    EXPECT_TRUE(g.is_legal(Color::White, r.move));
}

TEST(Search, TheOwnershipHeadsScoreValuesTheLeaves) {
    Generator gen(10);
    auto net = std::make_shared<PolicyNet>(PolicyNetOptions{
        .board = 5, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 8, .ownership = true, .gen = &gen});
    Game g(5, 6.5);
    g.play(Color::Black, g.board().point(2, 2));
    std::vector<float> own;
    float head = 0;
    {
        autograd::NoGradGuard no_grad;
        const std::vector<float> planes = extract_features(g.board(), Color::White);
        PolicyOutputs out = net->forward_heads(from_vector<float>(planes, {1, kNumFeaturePlanes, 5, 5}));
        own = to_vector<float>(out.ownership);
        head = out.values.item<float>();
    }
    // White to move receives the komi; the ownership's score, not the value head, is the value.
    NetworkEvaluator eval(net, {.rollouts = 0, .score_scale = 4.0});
    const Leaf leaf{&g.board(), Color::White, 6.5};
    const float score_value = ownership_value(own.data(), 25, 6.5, 4.0);
    EXPECT_FLOAT_EQ(eval.evaluate({leaf})[0].value, score_value);
    EXPECT_THROW(NetworkEvaluator(net, {.rollouts = 0, .score_scale = 0.0}), ValueError);
    // Mixed with the value head by its weight; the score stays the ownership's.
    NetworkEvaluator mixed(net, {.rollouts = 0, .score_scale = 4.0, .value_head_weight = 0.25});
    const Evaluation e = mixed.evaluate({leaf})[0];
    EXPECT_NEAR(e.value, 0.75f * score_value + 0.25f * head, 1e-6f);
    EXPECT_NE(head, score_value);
    EXPECT_EQ(e.score, eval.evaluate({leaf})[0].score);
    NetworkEvaluator head_only(net, {.rollouts = 0, .score_scale = 4.0, .value_head_weight = 1.0});
    EXPECT_NEAR(head_only.evaluate({leaf})[0].value, head, 1e-6f);
    EXPECT_THROW(NetworkEvaluator(net, {.rollouts = 0, .value_head_weight = 1.5}), ValueError);
    // A net with only the ownership head needs no playouts either.
    auto owner_only = std::make_shared<PolicyNet>(
        PolicyNetOptions{.board = 5, .filters = 4, .layers = 3, .first_kernel = 3, .ownership = true, .gen = &gen});
    EXPECT_THROW(NetworkEvaluator(owner_only, {.rollouts = 0, .value_head_weight = 0.5}), ValueError);  // No head.
    Search s(std::make_shared<NetworkEvaluator>(owner_only, NetworkEvaluatorOptions{.rollouts = 0}), few(24));
    EXPECT_TRUE(g.is_legal(Color::White, s.run(g, Color::White).move));
}

TEST(Search, ARandomSymmetryForEachLeaf) {
    Generator gen(11);
    auto net = std::make_shared<PolicyNet>(PolicyNetOptions{
        .board = 5, .filters = 4, .layers = 3, .first_kernel = 3, .ownership = true, .gen = &gen});
    Game g(5, 6.5);
    g.play(Color::Black, g.board().point(1, 0));
    g.play(Color::White, g.board().point(3, 1));
    const Board& b = g.board();
    // The net's priors and score under each of the 8 symmetries, mapped back to the board.
    std::vector<std::vector<float>> priors(8);
    std::vector<double> scores(8);
    {
        autograd::NoGradGuard no_grad;
        const std::vector<float> planes = extract_features(b, Color::Black);
        for (int s = 0; s < 8; ++s) {
            std::vector<float> turned(planes.size());
            symmetric_planes(s, 5, kNumFeaturePlanes, planes.data(), turned.data());
            PolicyOutputs o = net->forward_heads(from_vector<float>(turned, {1, kNumFeaturePlanes, 5, 5}));
            const std::vector<float> p = to_vector<float>(softmax(o.logits, 1));
            const std::vector<float> own = to_vector<float>(o.ownership);
            for (int i = 0; i < 25; ++i) {
                int x = i % 5, y = i / 5;
                symmetric_xy(s, 5, x, y);
                priors[s].push_back(p[y * 5 + x]);
            }
            scores[s] = ownership_score(own.data(), 25, -6.5);
        }
    }
    auto evaluate = [&](uint64_t seed) {
        NetworkEvaluator eval(net, {.random_symmetry = true, .rollouts = 0, .seed = seed});
        return eval.evaluate(std::vector<Leaf>(16, Leaf{&b, Color::Black, 6.5}));
    };
    const std::vector<Evaluation> out = evaluate(3);
    std::set<int> used;
    for (const Evaluation& e : out) {
        int match = -1;
        for (int s = 0; s < 8 && match < 0; ++s) {
            bool same = std::abs(e.score - scores[s]) < 1e-4;
            for (int i = 0; i < 25 && same; ++i) same = std::abs(e.priors[i] - priors[s][i]) < 1e-5;
            if (same) match = s;
        }
        EXPECT_GE(match, 0) << "a leaf's priors and score are those of no symmetry";
        used.insert(match);
        EXPECT_FLOAT_EQ(e.value, std::tanh(e.score / 20.0f));
    }
    EXPECT_GE(used.size(), 4u) << "16 leaves drew fewer than 4 of the 8 symmetries";
    // The seed decides: the same seed, the same symmetries.
    const std::vector<Evaluation> again = evaluate(3);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(again[i].priors, out[i].priors) << i;
    EXPECT_THROW(NetworkEvaluator(net, {.symmetries = 2, .random_symmetry = true, .rollouts = 0}), ValueError);
}

}  // namespace
}  // namespace kaya::go
