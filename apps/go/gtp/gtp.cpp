// SPDX-License-Identifier: MIT
#include "apps/go/gtp/gtp.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "apps/go/board/coords.h"
#include "apps/go/board/score.h"
#include "apps/go/sgf/sgf.h"
#include "kaya/core/error.h"

namespace kaya::go {

namespace {

// A failed command: its message becomes the "? message" response.
struct GtpFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An argument as echoed in an error: at most 32 characters, so a 1 MB argument does not come
// back as a 1 MB line.
std::string shown(const std::string& s) {
    if (s.size() <= 32) return "'" + s + "'";
    return "'" + s.substr(0, 32) + "...' (" + std::to_string(s.size()) + " characters)";
}

Color parse_color(const std::string& s) {
    std::string t;
    for (char c : s.substr(0, 8)) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "b" || t == "black") return Color::Black;
    if (t == "w" || t == "white") return Color::White;
    throw GtpFailure("syntax error: invalid color " + shown(s));
}

// A finite number: komi nan or inf would score games as W+nan.
double parse_number(const std::string& s) {
    try {
        size_t used = 0;
        double v = std::stod(s, &used);
        if (used == s.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    throw GtpFailure("syntax error: expected a finite number, got " + shown(s));
}

// A count of stones for the clock commands: a whole number from 0 to 10^6 (checked before the
// conversion, which is undefined for 5e28).
int parse_stones(const std::string& s) {
    const double v = parse_number(s);
    if (v < 0 || v > 1e6 || v != std::floor(v)) throw GtpFailure("syntax error: expected a stone count, got " + shown(s));
    return static_cast<int>(v);
}

Point parse_vertex(const Board& board, const std::string& s) {
    if (s.size() > 8) throw GtpFailure("syntax error: invalid vertex " + shown(s));
    try {
        return parse_gtp_vertex(board, s);
    } catch (const ValueError& e) {
        throw GtpFailure(std::string("syntax error: ") + e.what());
    }
}

// The reason in a board-rule error ("play: B D4 is occupied" -> "occupied").
std::string illegal_reason(const std::string& what) {
    for (const char* r : {"occupied", "superko", "ko", "suicide"}) {
        if (what.find(r) != std::string::npos) return r;
    }
    return "not on the board";
}

// GTP's fixed handicap placement (spec section 4.1.1): star points on the third line (fourth
// from 13x13 up), in the order D4 Q16 D16 Q4, then the centre for odd counts, the sides, and
// the centre again for 7 and 9, as on 19x19. Up to 9 stones on odd boards from 9x9, 4 on
// others from 7x7.
std::vector<Point> handicap_points(const Board& b, int n) {
    const int size = b.size();
    const int max = size < 7 ? 0 : (size % 2 == 1 && size >= 9) ? 9 : 4;
    if (n < 2 || n > max) {
        throw GtpFailure("invalid number of stones: " + std::to_string(n) + " (" + std::to_string(size) + "x" +
                         std::to_string(size) + " takes 2 to " + std::to_string(max) + ")");
    }
    const int e = size >= 13 ? 3 : 2, lo = e, hi = size - 1 - e, mid = size / 2;
    // (x, y) with y counted from the top row, as Board::point.
    const std::pair<int, int> corners[4] = {{lo, hi}, {hi, lo}, {lo, lo}, {hi, hi}};
    std::vector<std::pair<int, int>> xy(corners, corners + std::min(n, 4));
    if (n >= 6) xy.insert(xy.end(), {{lo, mid}, {hi, mid}});
    if (n >= 8) xy.insert(xy.end(), {{mid, hi}, {mid, lo}});
    if (n % 2 == 1 && n >= 5) xy.push_back({mid, mid});
    std::vector<Point> out;
    for (auto [x, y] : xy) out.push_back(b.point(x, y));
    return out;
}

void expect_args(const std::vector<std::string>& args, size_t n, const char* usage) {
    if (args.size() != n) throw GtpFailure(std::string("syntax error: usage: ") + usage);
}

// A move for `color` that attacks the opponent's stones the estimate calls dead (score.h:
// estimate_dead): a liberty of the dead string with the fewest liberties, legal (positional
// superko) and not a self-atari unless it captures. kPass when no such stones or moves are left.
Point cleanup_move(const Game& game, Color color) {
    const Board& board = game.board();
    Point best = kPass;
    int fewest = INT_MAX;
    for (Point d : estimate_dead(board)) {
        if (board.at(d) != opponent(color) || board.liberties(d) >= fewest) continue;
        for (Point p : board.string_liberties(d)) {
            if (!game.is_legal(color, p)) continue;
            Board after = board;
            if (after.play(color, p) == 0 && after.liberties(p) == 1) continue;  // Self-atari.
            best = p;
            fewest = board.liberties(d);
            break;
        }
    }
    return best;
}

}  // namespace

GtpEngine::GtpEngine(std::unique_ptr<Player> player, GtpOptions options)
    : player_(std::move(player)),
      options_(std::move(options)),
      game_(options_.board_size, options_.komi) {
    commands_ = {
        {"protocol_version", &GtpEngine::protocol_version},
        {"name", &GtpEngine::name},
        {"version", &GtpEngine::version},
        {"known_command", &GtpEngine::known_command},
        {"list_commands", &GtpEngine::list_commands},
        {"quit", &GtpEngine::quit},
        {"boardsize", &GtpEngine::boardsize},
        {"clear_board", &GtpEngine::clear_board},
        {"komi", &GtpEngine::komi},
        {"play", &GtpEngine::play},
        {"genmove", &GtpEngine::genmove},
        {"kgs-genmove_cleanup", &GtpEngine::genmove_cleanup},
        {"undo", &GtpEngine::undo},
        {"showboard", &GtpEngine::showboard},
        {"final_score", &GtpEngine::final_score},
        {"final_status_list", &GtpEngine::final_status_list},
        {"time_settings", &GtpEngine::time_settings},
        {"time_left", &GtpEngine::time_left},
        {"fixed_handicap", &GtpEngine::fixed_handicap},
        {"place_free_handicap", &GtpEngine::place_free_handicap},
        {"set_free_handicap", &GtpEngine::set_free_handicap},
        {"loadsgf", &GtpEngine::loadsgf},
    };
}

std::string GtpEngine::handle(const std::string& raw) {
    // Preprocessing as the spec asks: drop control characters other than tab and newline,
    // tabs become spaces, everything after '#' is a comment.
    std::string line;
    for (char c : raw) {
        if (c == '#') break;
        if (c == '\t') c = ' ';
        if (static_cast<unsigned char>(c) < 32 && c != '\n') continue;
        if (c == 127) continue;
        line += c;
    }
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return "";
    std::string id;
    if (std::all_of(words[0].begin(), words[0].end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        id = words[0];
        words.erase(words.begin());
        if (words.empty()) return "?" + id + " missing command\n\n";
    }
    const std::string command = words[0];
    words.erase(words.begin());
    auto it = commands_.find(command);
    if (it == commands_.end()) return "?" + id + " unknown command\n\n";
    try {
        std::string out = (this->*(it->second))(words);
        return "=" + id + " " + out + "\n\n";
    } catch (const GtpFailure& e) {
        return "?" + id + " " + e.what() + "\n\n";
    } catch (const std::exception& e) {
        // A bug or a Player failure must not take the engine down.
        return "?" + id + " internal error: " + e.what() + "\n\n";
    }
}

void GtpEngine::run(std::istream& in, std::ostream& out) {
    for (std::string line; !quit_ && std::getline(in, line);) {
        std::string response = handle(line);
        if (response.empty()) continue;
        out << response << std::flush;
    }
}

std::string GtpEngine::protocol_version(const Args&) { return "2"; }
std::string GtpEngine::name(const Args&) { return options_.name; }
std::string GtpEngine::version(const Args&) { return options_.version; }

std::string GtpEngine::known_command(const Args& args) {
    expect_args(args, 1, "known_command command_name");
    return commands_.count(args[0]) ? "true" : "false";
}

std::string GtpEngine::list_commands(const Args&) {
    std::string out;
    for (const auto& [name, handler] : commands_) out += (out.empty() ? "" : "\n") + name;
    return out;
}

std::string GtpEngine::quit(const Args&) {
    quit_ = true;
    return "";
}

std::string GtpEngine::boardsize(const Args& args) {
    expect_args(args, 1, "boardsize size");
    double n = parse_number(args[0]);
    // Range first: converting 5e28 to int is undefined (UBSan, found by fuzzing).
    if (n < 2 || n > Board::kMaxSize || n != std::floor(n) || (options_.only_size > 0 && n != options_.only_size))
        throw GtpFailure("unacceptable size");
    options_.board_size = static_cast<int>(n);
    return clear_board({});
}

std::string GtpEngine::clear_board(const Args&) {
    game_ = Game(options_.board_size, game_.komi());
    return "";
}

std::string GtpEngine::komi(const Args& args) {
    expect_args(args, 1, "komi new_komi");
    game_.set_komi(parse_number(args[0]));
    return "";
}

std::string GtpEngine::place_handicap(const std::vector<Point>& points) {
    const Board& b = game_.board();
    for (Point p : b.points()) {
        if (b.at(p) != Color::Empty || !game_.moves().empty()) throw GtpFailure("board not empty");
    }
    std::string out;
    for (Point p : points) {
        game_.place(Color::Black, p);
        out += (out.empty() ? "" : " ") + point_to_gtp(game_.board(), p);
    }
    game_.set_to_move(Color::White);
    return out;
}

std::string GtpEngine::fixed_handicap(const Args& args) {
    expect_args(args, 1, "fixed_handicap number_of_stones");
    const double n = parse_number(args[0]);
    if (n != std::floor(n) || n < 0 || n > 1000) throw GtpFailure("invalid number of stones " + shown(args[0]));
    return place_handicap(handicap_points(game_.board(), static_cast<int>(n)));
}

std::string GtpEngine::place_free_handicap(const Args& args) {
    expect_args(args, 1, "place_free_handicap number_of_stones");
    const double n = parse_number(args[0]);
    if (n != std::floor(n) || n < 2) throw GtpFailure("invalid number of stones " + shown(args[0]));
    // The engine may choose, and may place fewer stones than asked when more gain nothing
    // (spec 4.1.2): the fixed points, at most as many as the board has.
    const Board& b = game_.board();
    const int max = b.size() < 7 ? 0 : (b.size() % 2 == 1 && b.size() >= 9) ? 9 : 4;
    if (max == 0) throw GtpFailure("invalid number of stones: this board takes no handicap");
    return place_handicap(handicap_points(b, static_cast<int>(std::min<double>(n, max))));
}

std::string GtpEngine::set_free_handicap(const Args& args) {
    const Board& b = game_.board();
    if (args.size() < 2 || args.size() > static_cast<size_t>(b.size() * b.size() - 1))
        throw GtpFailure("syntax error: usage: set_free_handicap vertex vertex [vertex...] (2 to size^2 - 1)");
    std::vector<Point> points;
    for (const auto& a : args) {
        const Point p = parse_vertex(b, a);
        if (p == kPass || std::find(points.begin(), points.end(), p) != points.end())
            throw GtpFailure("bad vertex list: " + shown(a) + " is a pass or repeated");
        points.push_back(p);
    }
    return place_handicap(points);
}

std::string GtpEngine::loadsgf(const Args& args) {
    if (args.empty() || args.size() > 2) throw GtpFailure("syntax error: usage: loadsgf filename [move_number]");
    // The position before move_number (1-based), or after the last move.
    size_t before = static_cast<size_t>(-1);
    if (args.size() == 2) {
        const double m = parse_number(args[1]);
        if (m != std::floor(m) || m < 1) throw GtpFailure("syntax error: move_number must be 1 or more");
        before = static_cast<size_t>(std::min(m, 1e9)) - 1;
    }
    const std::filesystem::path path(args[0]);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > (64u << 20))
        throw GtpFailure("cannot load file " + shown(args[0]) + " (not a readable file of at most 64 MB)");
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    try {
        const auto games = parse_sgf(text.str(), args[0]);
        if (games.empty()) throw GtpFailure("cannot load file " + shown(args[0]) + ": no game in it");
        const GameRecord rec = read_game(games.front(), args[0]);
        if (options_.only_size > 0 && rec.size != options_.only_size) throw GtpFailure("unacceptable size");
        Game g = rec.replay(before);
        g.set_superko(true);
        game_ = g;
        options_.board_size = rec.size;
    } catch (const Error& e) {
        throw GtpFailure(std::string("cannot load file: ") + e.what());
    }
    return "";
}

std::string GtpEngine::play(const Args& args) {
    expect_args(args, 2, "play color vertex");
    Color c = parse_color(args[0]);
    Point p = parse_vertex(game_.board(), args[1]);
    // The opponent's moves are taken under simple ko: a controller's rules may allow what
    // positional superko forbids, and refusing would stall the game. Our own moves avoid it.
    try {
        game_.play(c, p, /*check_superko=*/false);
    } catch (const ValueError& e) {
        throw GtpFailure("illegal move: " + illegal_reason(e.what()));
    }
    return "";
}

std::string GtpEngine::genmove(const Args& args) {
    expect_args(args, 1, "genmove color");
    Color c = parse_color(args[0]);
    Point p = player_->choose(game_, c);
    if (p == kResign) return "resign";
    return play_chosen(c, p);
}

std::string GtpEngine::genmove_cleanup(const Args& args) {
    // KGS asks this when the players disagree about dead stones: play on and capture them
    // rather than pass, since they would otherwise count as alive. The opponent's stones
    // estimated dead are attacked first; once none is left, the player chooses (never
    // resigning here: the game is decided by the count).
    expect_args(args, 1, "kgs-genmove_cleanup color");
    Color c = parse_color(args[0]);
    Point p = cleanup_move(game_, c);
    if (p == kPass) p = player_->choose(game_, c);
    return play_chosen(c, p == kResign ? kPass : p);
}

std::string GtpEngine::play_chosen(Color c, Point p) {
    if (!game_.is_legal(c, p)) {
        throw GtpFailure("internal error: the player chose an illegal move " +
                         point_to_gtp(game_.board(), p));
    }
    game_.play(c, p);
    return point_to_gtp(game_.board(), p);
}

std::string GtpEngine::undo(const Args&) {
    if (!game_.undo()) throw GtpFailure("cannot undo");
    return "";
}

std::string GtpEngine::showboard(const Args&) {
    const Board& b = game_.board();
    std::ostringstream os;
    os << "\n" << b.to_text();
    os << "Black (X) has captured " << b.prisoners(Color::White) << " stones, White (O) "
       << b.prisoners(Color::Black) << "; komi " << game_.komi() << "; "
       << (game_.to_move() == Color::Black ? "Black" : "White") << " to move";
    return os.str();
}

std::vector<Point> GtpEngine::dead_stones() const {
    return options_.dead_stones ? options_.dead_stones(game_) : estimate_dead(game_.board());
}

std::string GtpEngine::final_score(const Args&) {
    // Area scoring with the dead stones removed (GtpOptions::dead_stones).
    return area_score(game_.board(), game_.komi(), dead_stones()).result();
}

std::string GtpEngine::final_status_list(const Args& args) {
    expect_args(args, 1, "final_status_list alive|dead|seki");
    const std::string& status = args[0];
    if (status != "alive" && status != "dead" && status != "seki")
        throw GtpFailure("syntax error: final_status_list takes alive, dead or seki, got " + shown(status));
    if (status == "seki") return "";  // Seki is not told apart from life.
    const Board& b = game_.board();
    const size_t grid = static_cast<size_t>((b.size() + 2) * (b.size() + 2));
    std::vector<bool> listed(grid, false), seen(grid, false);
    for (Point p : dead_stones()) listed[static_cast<size_t>(p)] = true;
    // One string per line, as GNU Go answers; a string is dead when any of its stones is listed
    // (as area_score counts it).
    std::ostringstream os;
    for (Point p : b.points()) {
        if ((b.at(p) != Color::Black && b.at(p) != Color::White) || seen[static_cast<size_t>(p)]) continue;
        const std::vector<Point> stones = b.string_stones(p);
        bool is_dead = false;
        for (Point q : stones) {
            seen[static_cast<size_t>(q)] = true;
            is_dead = is_dead || listed[static_cast<size_t>(q)];
        }
        if (is_dead != (status == "dead")) continue;
        if (os.tellp() > 0) os << "\n";
        for (size_t i = 0; i < stones.size(); ++i) os << (i ? " " : "") << point_to_gtp(b, stones[i]);
    }
    return os.str();
}

std::string GtpEngine::time_settings(const Args& args) {
    expect_args(args, 3, "time_settings main_time byo_yomi_time byo_yomi_stones");
    const double main_time = parse_number(args[0]), byo = parse_number(args[1]);
    player_->time_settings(main_time, byo, parse_stones(args[2]));
    return "";
}

std::string GtpEngine::time_left(const Args& args) {
    expect_args(args, 3, "time_left color time stones");
    const Color c = parse_color(args[0]);
    const double seconds = parse_number(args[1]);
    player_->time_left(c, seconds, parse_stones(args[2]));
    return "";
}

}  // namespace kaya::go
