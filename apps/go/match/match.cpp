// SPDX-License-Identifier: MIT
#include "apps/go/match/match.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "apps/go/board/coords.h"
#include "apps/go/board/game.h"
#include "apps/go/board/score.h"
#include "apps/go/gtp/client.h"
#include "apps/go/sgf/sgf.h"
#include "kaya/core/error.h"
#include "kaya/io/csv.h"
#include "kaya/io/file.h"

namespace kaya::go {

std::pair<double, double> wilson_interval(double wins, int n, double z) {
    if (n <= 0) return {0.0, 1.0};
    const double p = wins / n, z2 = z * z;
    const double centre = (p + z2 / (2.0 * n)) / (1 + z2 / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

namespace {

// An engine of the match. Its command may hold `{game}`, replaced by the game's number: such
// an engine is started anew for every game (a seed per game, `--seed {game}`); any other runs
// from game to game.
struct Seat {
    std::string command, name;
    std::unique_ptr<GtpClient> client;
    double timeout;
    int game = 0;  // The game number the client's command line was made for.

    std::string line() const {
        std::string out = command;
        const std::string key = "{game}", value = std::to_string(game);
        for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
            out.replace(at, key.size(), value);
        return out;
    }
    void start() {
        client = std::make_unique<GtpClient>(line(), timeout);
        if (name.empty()) {
            try {
                name = client->send("name");
                std::string v = client->send("version");
                if (!v.empty()) name += " " + v;
            } catch (const Error&) {
                name = command;
            }
        }
    }
    void restart() {
        client.reset();
        start();
    }
    // Before game `number`: the engine running, made for this game if its command asks.
    void begin_game(int number) {
        const bool per_game = command.find("{game}") != std::string::npos;
        if (client && (!per_game || game == number)) return;
        game = number;
        restart();
    }
};

const char* letter(Color c) { return c == Color::Black ? "b" : "w"; }

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The count of a finished game: the stones the referee lists as dead are removed, then stones
// plus surrounded points count, komi for White. Without a referee every stone is alive
// (Tromp-Taylor). With the result, the points each side owns beyond its own stones (SGF TB/TW)
// and the dead stones that count for neither side (DD).
struct AreaCount {
    std::string result;
    std::vector<Point> territory_black, territory_white, neutral_dead;
};

AreaCount area_count(Seat* referee, const Game& game, double komi) {
    const Board& board = game.board();
    std::vector<Point> dead;
    if (referee) {
        std::istringstream list(referee->client->send("final_status_list dead"));
        for (std::string v; list >> v;) dead.push_back(parse_gtp_vertex(board, v));
    }
    AreaCount c{area_score(board, komi, dead).result(), {}, {}};
    const std::vector<Color> owner = area_owners(board, dead);
    for (Point p : board.points()) {
        if (owner[p] == board.at(p)) continue;  // A living stone, or a neutral empty point.
        if (owner[p] == Color::Black) c.territory_black.push_back(p);
        if (owner[p] == Color::White) c.territory_white.push_back(p);
        if (owner[p] == Color::Empty) c.neutral_dead.push_back(p);  // A dead stone in a neutral region.
    }
    return c;
}

// The result of a game that ended on the board: the referee's final_score (scoring "referee"),
// or the area count with its territory marks into the record.
void count_game(Seat* referee, const Game& game, const MatchOptions& o, GameOutcome& out, GameRecord& rec) {
    if (o.scoring == "referee" && referee) {
        out.result = referee->client->send("final_score");
        return;
    }
    AreaCount count = area_count(referee, game, o.komi);
    out.result = count.result;
    rec.territory_black = std::move(count.territory_black);
    rec.territory_white = std::move(count.territory_white);
    rec.neutral_dead = std::move(count.neutral_dead);
}

// One game; `black` and `white` point at the seats of A and B. Fills the outcome's result,
// moves and note, and the record's moves and, for a counted game, its territory marks.
void play_game(Seat& black, Seat& white, Seat* referee, const MatchOptions& o, GameOutcome& out,
               GameRecord& rec) {
    const int max_moves = o.max_moves > 0 ? o.max_moves : 3 * o.size * o.size;
    char komi[32];
    std::snprintf(komi, sizeof komi, "%g", o.komi);
    auto forfeit = [&](Color loser, const std::string& why) {
        out.result = std::string(loser == Color::Black ? "W" : "B") + "+F";
        out.note = why;
    };
    auto set_up = [&](Seat& seat) {
        seat.client->send("boardsize " + std::to_string(o.size));
        seat.client->send("clear_board");
        seat.client->send(std::string("komi ") + komi);
    };
    for (auto [seat, colour] : {std::pair{&black, Color::Black}, {&white, Color::White}}) {
        try {
            set_up(*seat);
        } catch (const Error& e) {
            forfeit(colour, e.what());
            seat->restart();
            return;
        }
    }
    if (referee) set_up(*referee);
    Game game(o.size, o.komi);
    game.set_superko(false);  // The engines' own rules decide; the referee checks legality.
    Color turn = Color::Black;
    int passes = 0;
    while (true) {
        if (static_cast<int>(game.moves().size()) >= max_moves) {
            out.note = "move limit " + std::to_string(max_moves) + " reached; scored as it stands";
            break;
        }
        Seat& mover = turn == Color::Black ? black : white;
        Seat& other = turn == Color::Black ? white : black;
        std::string reply;
        try {
            const auto asked = std::chrono::steady_clock::now();
            reply = lower(mover.client->send(std::string("genmove ") + letter(turn)));
            if ((turn == Color::Black) == out.a_black) {
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
                out.a_moves += 1;
                out.a_seconds += s;
                out.a_max_seconds = std::max(out.a_max_seconds, s);
            }
        } catch (const Error& e) {
            forfeit(turn, e.what());
            mover.restart();
            break;
        }
        if (reply == "resign") {
            out.result = std::string(turn == Color::Black ? "W" : "B") + "+R";
            break;
        }
        try {
            game.play(turn, parse_gtp_vertex(game.board(), reply));
            if (referee) referee->client->send(std::string("play ") + letter(turn) + " " + reply);
        } catch (const ValueError& e) {
            forfeit(turn, mover.name + " played an illegal move '" + reply + "': " + e.what());
            break;
        }
        passes = reply == "pass" ? passes + 1 : 0;
        if (passes >= 2) break;
        try {
            other.client->send(std::string("play ") + letter(turn) + " " + reply);
        } catch (const Error& e) {
            forfeit(opponent(turn), other.name + " refused " + reply + ": " + e.what());
            other.restart();
            break;
        }
        turn = opponent(turn);
    }
    out.moves = static_cast<int>(game.moves().size());
    rec.moves = game.moves();
    if (out.result.empty()) count_game(referee, game, o, out, rec);
}

// The match so far from its finished games (keyed by game number, from 1): the games in order,
// the totals, A's win rate (draws as half) and its interval.
MatchResult summarise(const std::map<int, GameOutcome>& done) {
    MatchResult res;
    std::map<uint64_t, int> first_with;  // A fingerprint's first game.
    for (const auto& [number, out] : done) {
        const bool repeat = out.moves_hash != 0 && !first_with.emplace(out.moves_hash, number).second;
        if (repeat) {
            ++res.repeats;
            res.repeated.emplace_back(number, first_with.at(out.moves_hash));
        } else {
            ++res.distinct;
            res.distinct_wins += out.a_score + (out.draw ? 0.5 : 0.0);
        }
        res.games.push_back(out);
        res.a_wins += out.a_score;
        res.draws += out.draw ? 1 : 0;
        res.b_wins += !out.draw && !out.a_score ? 1 : 0;
        res.a_moves += out.a_moves;
        res.a_mean_seconds += out.a_seconds;
        res.a_max_seconds = std::max(res.a_max_seconds, out.a_max_seconds);
    }
    if (res.a_moves > 0) res.a_mean_seconds /= res.a_moves;
    const double wins = res.a_wins + 0.5 * res.draws;
    const int n = static_cast<int>(res.games.size());
    if (n > 0) res.rate = wins / n;
    std::tie(res.low, res.high) = wilson_interval(wins, n);
    if (res.distinct > 0) res.distinct_rate = res.distinct_wins / res.distinct;
    std::tie(res.distinct_low, res.distinct_high) = wilson_interval(res.distinct_wins, res.distinct);
    return res;
}

}  // namespace

std::string describe(const MatchResult& r) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "A won %d, B won %d, draws %d: A scores %.1f%%, 95%% interval [%.1f%%, %.1f%%]\n",
                  r.a_wins, r.b_wins, r.draws, 100 * r.rate, 100 * r.low, 100 * r.high);
    std::string out = buf;
    if (r.a_moves > 0) {
        std::snprintf(buf, sizeof buf, "A's moves: %d timed, mean %.2f s, longest %.2f s\n", r.a_moves,
                      r.a_mean_seconds, r.a_max_seconds);
        out += buf;
    }
    if (r.repeats > 0) {
        std::snprintf(buf, sizeof buf,
                      "repeats: %d game%s repeat%s an earlier game move for move (the interval above counts "
                      "them as independent games; deterministic engines need a seed per game, --seed {game}):",
                      r.repeats, r.repeats == 1 ? "" : "s", r.repeats == 1 ? "s" : "");
        out += buf;
        for (const auto& [game, earlier] : r.repeated)
            out += " " + std::to_string(game) + " repeats " + std::to_string(earlier) + ";";
        out.back() = '\n';
        std::snprintf(buf, sizeof buf, "distinct games: A won %g of %d: %.1f%%, 95%% interval [%.1f%%, %.1f%%]\n",
                      r.distinct_wins, r.distinct, 100 * r.distinct_rate, 100 * r.distinct_low,
                      100 * r.distinct_high);
        out += buf;
    }
    return out;
}

uint64_t moves_fingerprint(const std::vector<Move>& moves) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over (colour, point) pairs.
    for (const Move& m : moves) {
        for (const int v : {static_cast<int>(m.color), static_cast<int>(m.point)}) {
            h ^= static_cast<uint64_t>(static_cast<uint32_t>(v));
            h *= 1099511628211ull;
        }
    }
    return h == 0 ? 1 : h;
}

namespace {

// A plays Black in odd-numbered games (1, 3, ...), White in the others.
bool a_black_in(int number) { return number % 2 == 1; }

// results.csv's columns: a_moves, a_mean_s and a_max_s are A's timed genmove replies.
constexpr const char* kColumns = "game,a_color,result,a_won,draw,moves,a_moves,a_mean_s,a_max_s,note";
constexpr const char* kOldColumns = "game,a_color,result,a_won,draw,moves,note";

}  // namespace

std::map<int, GameOutcome> parse_results(const std::string& text, const std::string& path, int games) {
    std::istringstream in(text);
    std::map<int, GameOutcome> out;
    std::string line;
    std::getline(in, line);  // Header: with A's move times (kColumns), or without (older files).
    const bool timed = line == kColumns;
    const size_t fields = timed ? 10 : 7;
    KAYA_CHECK(timed || line == kOldColumns, ParseError, path, ":1: expected the header ", kColumns,
               ", got '", line, "'");
    for (int64_t n = 2; std::getline(in, line); ++n) {
        if (line.empty()) continue;
        auto f = io::split_csv_line(line, ',', path, n);
        KAYA_CHECK(f.size() == fields && (f[1] == "black" || f[1] == "white"), ParseError, path, ":", n,
                   ": expected ", timed ? kColumns : kOldColumns, " with a_color black or white");
        GameOutcome g;
        g.a_black = f[1] == "black";
        g.result = f[2];
        int number = 0;
        try {
            number = std::stoi(f[0]);
            g.a_score = std::stoi(f[3]);
            g.draw = std::stoi(f[4]) != 0;
            g.moves = std::stoi(f[5]);
            if (timed) {
                g.a_moves = std::stoi(f[6]);
                g.a_seconds = std::stod(f[7]) * g.a_moves;
                g.a_max_seconds = std::stod(f[8]);
            }
        } catch (const std::exception&) {
            throw ParseError(path + ":" + std::to_string(n) +
                             ": game, a_won, draw, moves and a_moves must be integers, the seconds numbers");
        }
        KAYA_CHECK(g.a_moves >= 0 && g.a_seconds >= 0 && g.a_max_seconds >= 0, ParseError, path, ":", n,
                   ": a_moves and the seconds must not be negative");
        KAYA_CHECK(number >= 1 && number <= games && !out.count(number), ParseError, path, ":", n,
                   ": game number ", f[0], " is repeated or outside this match's 1 to ", games);
        KAYA_CHECK(g.a_black == a_black_in(number), ParseError, path, ":", n, ": game ", number,
                   " has A as ", f[1], ", which does not follow this match's colour order");
        g.note = f[fields - 1];
        out.emplace(number, g);
    }
    return out;
}

std::string results_csv(const std::map<int, GameOutcome>& done) {
    std::ostringstream os;
    os << kColumns << "\n";
    for (const auto& [number, g] : done) {
        std::string note = g.note;
        std::replace(note.begin(), note.end(), '\n', ' ');  // One line per game.
        char times[96];
        std::snprintf(times, sizeof times, "%d,%.3f,%.3f", g.a_moves, g.a_moves > 0 ? g.a_seconds / g.a_moves : 0.0,
                      g.a_max_seconds);
        // The result is an engine's or a referee's text (final_score): quoted like the note.
        os << number << "," << (g.a_black ? "black" : "white") << "," << io::csv_field(g.result) << "," << g.a_score
           << "," << (g.draw ? 1 : 0) << "," << g.moves << "," << times << "," << io::csv_field(note) << "\n";
    }
    return os.str();
}

namespace {

// The games of an interrupted match, from the results.csv it wrote (for --resume).
std::map<int, GameOutcome> read_results(const std::string& path, int games) {
    return parse_results(io::read_file(path), path, games);
}

void write_results(const std::string& dir, const std::map<int, GameOutcome>& done,
                   const std::string& a, const std::string& b, const std::string& scoring) {
    io::write_file_atomic(dir + "/results.csv", results_csv(done));
    const std::string rules = scoring == "area"
                                  ? "area (dead stones from the referee, then stones and surrounded points)"
                                  : "the referee's final_score, under its own rules";
    io::write_file_atomic(dir + "/summary.txt",
                          "A: " + a + "\nB: " + b + "\nscoring: " + rules + "\n" + describe(summarise(done)));
}

// The game-NNN.sgf of a match directory.
std::string game_path(const std::string& dir, int number) {
    char name[32];
    std::snprintf(name, sizeof name, "/game-%03d.sgf", number);
    return dir + name;
}

// The moves' fingerprints of resumed games, from their SGF files (left 0 where a file is gone).
void fingerprint_games(const std::string& dir, std::map<int, GameOutcome>& done) {
    for (auto& [number, g] : done) {
        const std::string path = game_path(dir, number);
        if (!std::filesystem::exists(path)) continue;
        const auto games = parse_sgf(io::read_file(path), path);
        KAYA_CHECK(games.size() == 1, ParseError, path, ": expected one game");
        g.moves_hash = moves_fingerprint(read_game(games.front(), path).moves);
    }
}

// What the worker threads of a match share, under one lock: the games left to play, the
// finished ones, the output files and the progress lines.
struct MatchState {
    const MatchOptions& o;
    std::mutex lock;
    std::map<int, GameOutcome> done;  // Finished games by number, from 1.
    std::vector<int> todo;
    size_t next = 0, resumed = 0;
    std::string name_a, name_b;
    std::exception_ptr failure;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

    // The next game to play, or 0 when none is left (or a worker failed).
    int take() {
        std::lock_guard<std::mutex> guard(lock);
        if (failure || next == todo.size()) return 0;
        return todo[next++];
    }

    void name_engines(const Seat& a, const Seat& b) {
        std::lock_guard<std::mutex> guard(lock);
        if (name_a.empty()) name_a = a.name, name_b = b.name;
    }

    void record(int number, const GameOutcome& out, GameRecord rec, const Seat& black, const Seat& white) {
        std::lock_guard<std::mutex> guard(lock);
        done.emplace(number, out);
        if (!o.out_dir.empty()) {
            rec.size = o.size;
            rec.komi = o.komi;
            rec.black = black.name;
            rec.white = white.name;
            rec.result = out.result;
            io::write_file_atomic(game_path(o.out_dir, number), write_sgf(game_to_sgf(rec)));
            write_results(o.out_dir, done, name_a, name_b, o.scoring);
        }
        if (o.verbose) print_progress(number, out);
    }

    void print_progress(int number, const GameOutcome& out) const {
        const MatchResult res = summarise(done);
        const int n = static_cast<int>(done.size());
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double per = secs / static_cast<double>(n - static_cast<int>(resumed));
        std::printf(
            "game %d (%d/%d)  A %s  %-7s %3d moves  A %d - B %d (%d draws)  "
            "A %.1f%% [%.1f, %.1f]  A %.2f s/move (longest %.2f)  %.1f s/game  ETA %.0f s%s%s\n",
            number, n, o.games, out.a_black ? "black" : "white", out.result.c_str(), out.moves,
            res.a_wins, res.b_wins, res.draws, 100 * res.rate, 100 * res.low, 100 * res.high, res.a_mean_seconds,
            res.a_max_seconds, per,
            per * (o.games - n), out.note.empty() ? "" : "  note: ", out.note.c_str());
        std::fflush(stdout);
    }

    // One worker: its own engines and referee, playing the next unplayed game until none is left.
    void work() {
        try {
            Seat a{o.engine_a, "", nullptr, o.move_timeout}, b{o.engine_b, "", nullptr, o.move_timeout};
            std::unique_ptr<Seat> referee;
            if (!o.referee.empty()) {
                referee = std::make_unique<Seat>(Seat{o.referee, "", nullptr, o.move_timeout});
                referee->start();
            }
            while (const int number = take()) {
                a.begin_game(number);
                b.begin_game(number);
                name_engines(a, b);
                GameOutcome out;
                out.a_black = a_black_in(number);
                Seat& black = out.a_black ? a : b;
                Seat& white = out.a_black ? b : a;
                GameRecord rec;
                play_game(black, white, referee.get(), o, out, rec);
                out.moves_hash = moves_fingerprint(rec.moves);
                const char winner = out.result.empty() ? '0' : out.result[0];
                out.draw = winner != 'B' && winner != 'W';
                out.a_score = !out.draw && ((winner == 'B') == out.a_black) ? 1 : 0;
                record(number, out, std::move(rec), black, white);
            }
        } catch (...) {
            std::lock_guard<std::mutex> guard(lock);
            if (!failure) failure = std::current_exception();
        }
    }
};

}  // namespace

MatchResult play_match(const MatchOptions& o) {
    KAYA_CHECK(o.games > 0, ValueError, "match: games must be positive, got ", o.games);
    KAYA_CHECK(o.parallel >= 1 && o.parallel <= 64, ValueError,
               "match: parallel must be 1 to 64 games at once, got ", o.parallel);
    KAYA_CHECK(o.size >= 2 && o.size <= Board::kMaxSize, ValueError,
               "match: size must be 2 to 19, got ", o.size);
    KAYA_CHECK(!o.engine_a.empty() && !o.engine_b.empty(), ValueError,
               "match: two engine commands are needed");
    KAYA_CHECK(o.scoring == "area" || o.scoring == "referee", ValueError, "match: scoring must be area or referee, got '",
               o.scoring, "'");
    if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
    MatchState state{o};
    if (o.resume && !o.out_dir.empty() && std::filesystem::exists(o.out_dir + "/results.csv")) {
        state.done = read_results(o.out_dir + "/results.csv", o.games);
        fingerprint_games(o.out_dir, state.done);
        if (o.verbose) std::printf("resuming after %zu finished games\n", state.done.size());
    }
    for (int g = 1; g <= o.games; ++g)
        if (!state.done.count(g)) state.todo.push_back(g);
    state.resumed = state.done.size();
    const int threads =
        std::min<int>(o.parallel, static_cast<int>(std::max<size_t>(state.todo.size(), 1)));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&] { state.work(); });
    state.work();
    for (auto& t : pool) t.join();
    if (state.failure) std::rethrow_exception(state.failure);
    return summarise(state.done);
}

RescoreResult rescore_match(const std::string& dir, const std::string& referee_command, double timeout) {
    const std::string csv = dir + "/results.csv";
    KAYA_CHECK(std::filesystem::exists(csv), IoError, csv, ": no match results to score again");
    std::map<int, GameOutcome> done = read_results(csv, 1 << 20);
    Seat referee{referee_command, "", nullptr, timeout};
    referee.start();
    RescoreResult res;
    // The players' names as the match wrote them in summary.txt.
    std::string name_a = "A", name_b = "B";
    if (std::filesystem::exists(dir + "/summary.txt")) {
        std::istringstream summary(io::read_file(dir + "/summary.txt"));
        for (std::string line; std::getline(summary, line);) {
            if (line.rfind("A: ", 0) == 0) name_a = line.substr(3);
            if (line.rfind("B: ", 0) == 0) name_b = line.substr(3);
        }
    }
    for (auto& [number, g] : done) {
        const std::string path = game_path(dir, number);
        const auto games = parse_sgf(io::read_file(path), path);
        KAYA_CHECK(games.size() == 1, ParseError, path, ": expected one game");
        GameRecord rec = read_game(games.front(), path);
        g.moves_hash = moves_fingerprint(rec.moves);
        const char winner = g.result.empty() ? '0' : g.result[0];
        if (g.result.size() > 2 && (g.result.substr(1) == "+R" || g.result.substr(1) == "+F")) continue;
        char komi[32];
        std::snprintf(komi, sizeof komi, "%g", rec.komi);
        for (const std::string& c : {"boardsize " + std::to_string(rec.size), std::string("clear_board"),
                                     std::string("komi ") + komi}) {
            referee.client->send(c);
        }
        Game game(rec.size, rec.komi);
        game.set_superko(false);
        for (const Move& m : rec.moves) {
            game.play(m.color, m.point);
            referee.client->send(std::string("play ") + letter(m.color) + " " + point_to_gtp(game.board(), m.point));
        }
        AreaCount count = area_count(&referee, game, rec.komi);
        g.result = rec.result = count.result;
        rec.territory_black = std::move(count.territory_black);
        rec.territory_white = std::move(count.territory_white);
        rec.neutral_dead = std::move(count.neutral_dead);
        // The game's file too: its result and the count's territory marks.
        io::write_file_atomic(path, write_sgf(game_to_sgf(rec)));
        const char now = g.result[0];
        g.draw = now != 'B' && now != 'W';
        g.a_score = !g.draw && ((now == 'B') == g.a_black) ? 1 : 0;
        if (now != winner) res.changed.push_back(number);
    }
    write_results(dir, done, name_a, name_b, "area");
    res.match = summarise(done);
    return res;
}

}  // namespace kaya::go
