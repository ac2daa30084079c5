// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/go/board/game.h"

namespace kaya::go {

// genmove's answer when the player gives up.
inline constexpr Point kResign = -2;

// What genmove asks: a move for `color` in `game`. It must return a point legal in `game`
// (Game::is_legal), kPass, or kResign.
class Player {
public:
    virtual ~Player() = default;
    virtual Point choose(const Game& game, Color color) = 0;
    // GTP's clock, for players that manage their time (the default ignores it): the game's
    // settings (seconds of main time, seconds and stones of each Canadian byo-yomi period),
    // then the time and stones left for a colour (stones 0 while in main time).
    virtual void time_settings(double main_time, double byo_yomi_time, int byo_yomi_stones) {}
    virtual void time_left(Color color, double seconds, int stones) {}
};

struct GtpOptions {
    std::string name = "Kaya";
    std::string version = "0.1.0";
    int board_size = 19;
    int only_size = 0;  // When set, boardsize accepts only this size (e.g. a network's board).
    double komi = 7.5;
    // The stones final_score and final_status_list count as dead in a game's position; unset:
    // the search-free estimate (score.h: estimate_dead). `kaya go gtp --dead-stones network`
    // sets the network's ownership head (ownership_dead_stones).
    std::function<std::vector<Point>(const Game&)> dead_stones;
};

// A GTP version 2 engine (https://www.lysator.liu.se/~gunnar/gtp/gtp2-spec-draft2/): reads
// commands, keeps the game, asks the Player for genmove. Commands are dispatched through a
// table from name to one small member function each. Bad commands get "? message" and the
// engine keeps running; nothing a controller sends can make it exit except quit.
class GtpEngine {
public:
    GtpEngine(std::unique_ptr<Player> player, GtpOptions options = {});

    // Handles one input line and returns the whole response ("=[id] text\n\n" or
    // "?[id] message\n\n"), or "" for an empty or comment-only line.
    std::string handle(const std::string& line);
    // Reads lines until quit or end of input, writing each response and flushing.
    void run(std::istream& in, std::ostream& out);
    bool quit_requested() const { return quit_; }
    const Game& game() const { return game_; }

private:
    using Args = std::vector<std::string>;
    using Handler = std::string (GtpEngine::*)(const Args&);

    std::string protocol_version(const Args&);
    std::string name(const Args&);
    std::string version(const Args&);
    std::string known_command(const Args&);
    std::string list_commands(const Args&);
    std::string quit(const Args&);
    std::string boardsize(const Args&);
    std::string clear_board(const Args&);
    std::string komi(const Args&);
    std::string play(const Args&);
    std::string genmove(const Args&);
    std::string genmove_cleanup(const Args&);  // kgs-genmove_cleanup
    // Plays the player's move for c after checking it is legal; its vertex as GTP writes it.
    std::string play_chosen(Color c, Point p);
    std::string undo(const Args&);
    std::string showboard(const Args&);
    std::string final_score(const Args&);
    std::string final_status_list(const Args&);
    // The stones counted as dead in the current position (GtpOptions::dead_stones).
    std::vector<Point> dead_stones() const;
    std::string time_settings(const Args&);
    std::string time_left(const Args&);
    std::string fixed_handicap(const Args&);
    std::string place_free_handicap(const Args&);
    std::string set_free_handicap(const Args&);
    std::string loadsgf(const Args&);
    // Places handicap stones on an empty board (White moves next) and returns their vertices.
    std::string place_handicap(const std::vector<Point>& points);

    std::unique_ptr<Player> player_;
    GtpOptions options_;
    Game game_;
    std::map<std::string, Handler> commands_;
    bool quit_ = false;
};

}  // namespace kaya::go
