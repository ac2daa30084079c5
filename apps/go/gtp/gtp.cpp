// SPDX-License-Identifier: MIT
#include "apps/go/gtp/gtp.h"

#include <algorithm>
#include <cctype>
#include <istream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "apps/go/board/coords.h"
#include "apps/go/board/score.h"
#include "kaya/core/error.h"

namespace kaya::go {

namespace {

// A failed command: its message becomes the "? message" response.
struct GtpFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Color parse_color(const std::string& s) {
    std::string t;
    for (char c : s) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "b" || t == "black") return Color::Black;
    if (t == "w" || t == "white") return Color::White;
    throw GtpFailure("syntax error: invalid color '" + s + "'");
}

double parse_number(const std::string& s) {
    try {
        size_t used = 0;
        double v = std::stod(s, &used);
        if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    throw GtpFailure("syntax error: expected a number, got '" + s + "'");
}

void expect_args(const std::vector<std::string>& args, size_t n, const char* usage) {
    if (args.size() != n) throw GtpFailure(std::string("syntax error: usage: ") + usage);
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
        {"undo", &GtpEngine::undo},
        {"showboard", &GtpEngine::showboard},
        {"final_score", &GtpEngine::final_score},
        {"time_settings", &GtpEngine::time_settings},
        {"time_left", &GtpEngine::time_left},
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
    if (n != static_cast<int>(n) || n < 2 || n > Board::kMaxSize ||
        (options_.only_size > 0 && n != options_.only_size))
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

std::string GtpEngine::play(const Args& args) {
    expect_args(args, 2, "play color vertex");
    Color c = parse_color(args[0]);
    Point p;
    try {
        p = parse_gtp_vertex(game_.board(), args[1]);
    } catch (const ValueError& e) {
        throw GtpFailure(std::string("syntax error: ") + e.what());
    }
    // The opponent's moves are taken under simple ko: a controller's rules may allow what
    // positional superko forbids, and refusing would stall the game. Our own moves avoid it.
    try {
        game_.play(c, p, /*check_superko=*/false);
    } catch (const ValueError&) {
        throw GtpFailure("illegal move");
    }
    return "";
}

std::string GtpEngine::genmove(const Args& args) {
    expect_args(args, 1, "genmove color");
    Color c = parse_color(args[0]);
    Point p = player_->choose(game_, c);
    if (p == kResign) return "resign";
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

std::string GtpEngine::final_score(const Args&) {
    // Without dead-stone marking, every stone on the board counts (Tromp-Taylor); a match
    // referee (GNU Go) scores finished games with dead stones removed.
    return tromp_taylor(game_.board(), game_.komi()).result();
}

std::string GtpEngine::time_settings(const Args& args) {
    expect_args(args, 3, "time_settings main_time byo_yomi_time byo_yomi_stones");
    for (const auto& a : args) parse_number(a);
    return "";
}

std::string GtpEngine::time_left(const Args& args) {
    expect_args(args, 3, "time_left color time stones");
    parse_color(args[0]);
    parse_number(args[1]);
    parse_number(args[2]);
    return "";
}

}  // namespace kaya::go
