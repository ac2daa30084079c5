// SPDX-License-Identifier: MIT
#include "apps/go/sgf/sgf.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/go/board/coords.h"
#include "kaya/core/error.h"

namespace kaya::go {

const std::string* SgfNode::get(std::string_view name) const {
    for (const auto& p : properties) {
        if (p.name == name && !p.values.empty()) return &p.values.front();
    }
    return nullptr;
}

std::vector<std::string> SgfNode::get_all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& p : properties) {
        if (p.name == name) out.insert(out.end(), p.values.begin(), p.values.end());
    }
    return out;
}

SgfNode::~SgfNode() {
    // Long games are long chains of single children: free them with a loop, not recursion.
    std::vector<SgfNode> pending;
    for (auto& c : children) pending.push_back(std::move(c));
    children.clear();
    while (!pending.empty()) {
        SgfNode n = std::move(pending.back());
        pending.pop_back();
        for (auto& c : n.children) pending.push_back(std::move(c));
        n.children.clear();
    }
}

void SgfNode::set(std::string name, std::vector<std::string> values) {
    for (auto& p : properties) {
        if (p.name == name) {
            p.values = std::move(values);
            return;
        }
    }
    properties.push_back({std::move(name), std::move(values)});
}

namespace {

// A cursor over the text that knows its line and column, for error messages.
class Reader {
public:
    Reader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

    bool done() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }
    char next() {
        char c = text_[pos_++];
        if (c == '\n') {
            ++line_;
            col_ = 1;
        } else {
            ++col_;
        }
        return c;
    }
    void skip_space() {
        while (!done() && std::isspace(static_cast<unsigned char>(peek()))) next();
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw ParseError(source_ + ":" + std::to_string(line_) + ":" + std::to_string(col_) + ": " +
                         what);
    }

private:
    std::string_view text_;
    const std::string& source_;
    size_t pos_ = 0;
    int line_ = 1, col_ = 1;
};

std::string read_value(Reader& r, const std::string& prop) {
    r.next();  // '['
    std::string v;
    while (true) {
        if (r.done())
            r.fail("expected ']' to close a value of " + prop + ", reached the end of the file");
        char c = r.next();
        if (c == ']') return v;
        if (c == '\\') {
            if (r.done())
                r.fail("expected ']' to close a value of " + prop +
                       ", reached the end of the file");
            char e = r.next();
            // An escaped line break is a soft break and disappears (\r\n and \n\r count as one).
            if (e == '\n' || e == '\r') {
                if (!r.done() && (r.peek() == '\n' || r.peek() == '\r') && r.peek() != e) r.next();
                continue;
            }
            v += e;
            continue;
        }
        v += c;
    }
}

SgfNode read_node(Reader& r) {
    r.next();  // ';'
    SgfNode node;
    while (true) {
        r.skip_space();
        if (r.done()) return node;
        char c = r.peek();
        if (!std::isalpha(static_cast<unsigned char>(c))) return node;
        // FF[1-3] allowed lower-case letters inside identifiers (AddBlack); FF[4] says to
        // ignore them, which maps old names to the new ones.
        std::string name;
        while (!r.done() && std::isalpha(static_cast<unsigned char>(r.peek()))) {
            char l = r.next();
            if (std::isupper(static_cast<unsigned char>(l))) name += l;
        }
        if (name.empty()) r.fail("property identifier needs an upper-case letter");
        r.skip_space();
        if (r.done() || r.peek() != '[') r.fail("expected '[' after property " + name);
        SgfProperty prop{name, {}};
        while (!r.done() && r.peek() == '[') {
            prop.values.push_back(read_value(r, name));
            r.skip_space();
        }
        // A repeated identifier in one node is an error in FF[4]; real files do it, so the
        // values are joined.
        bool merged = false;
        for (auto& p : node.properties) {
            if (p.name == name) {
                p.values.insert(p.values.end(), prop.values.begin(), prop.values.end());
                merged = true;
            }
        }
        if (!merged) node.properties.push_back(std::move(prop));
    }
}

// Variations may nest this deep (writing and comparing trees recurses over nesting); a
// sequence of nodes may be any length (it is walked with loops, never recursion).
constexpr size_t kMaxNesting = 1000;

// Reads "(" sequence variations ")" into `into`: the sequence's first node becomes `into`
// and the rest hang below it; a variation becomes a child of the node before it. `open`
// holds, for each tree not yet closed, the last node read in it.
void read_tree(Reader& r, SgfNode& into) {
    r.next();  // '('
    r.skip_space();
    if (r.done() || r.peek() != ';') r.fail("expected ';' to start a node after '('");
    into = read_node(r);
    std::vector<SgfNode*> open{&into};
    while (!open.empty()) {
        r.skip_space();
        if (r.done()) r.fail("expected ')' to close the game tree, reached the end of the file");
        char c = r.peek();
        if (c == ';') {
            open.back()->children.push_back(read_node(r));
            open.back() = &open.back()->children.back();
        } else if (c == '(') {
            if (open.size() >= kMaxNesting)
                r.fail("variations nested deeper than " + std::to_string(kMaxNesting));
            r.next();
            r.skip_space();
            if (r.done() || r.peek() != ';') r.fail("expected ';' to start a node after '('");
            // Earlier siblings may move when this vector grows; none of them is in `open`.
            open.back()->children.push_back(read_node(r));
            open.push_back(&open.back()->children.back());
        } else if (c == ')') {
            r.next();
            open.pop_back();
        } else {
            r.fail(std::string("unexpected '") + c + "' in a game tree");
        }
    }
}

}  // namespace

std::vector<SgfNode> parse_sgf(std::string_view text, const std::string& source) {
    Reader r(text, source);
    std::vector<SgfNode> games;
    while (true) {
        // Anything before a tree (headers, mail text) is skipped, as other readers do.
        while (!r.done() && r.peek() != '(') r.next();
        if (r.done()) break;
        SgfNode root;
        read_tree(r, root);
        games.push_back(std::move(root));
    }
    if (games.empty()) r.fail("no game tree found (expected '(;')");
    return games;
}

namespace {

std::string escape(const std::string& v) {
    std::string o;
    for (char c : v) {
        if (c == ']' || c == '\\') o += '\\';
        o += c;
    }
    return o;
}

void write_node_chain(const SgfNode& start, std::string& out) {
    const SgfNode* n = &start;
    int on_line = 0;
    while (true) {
        out += ';';
        for (const auto& p : n->properties) {
            out += p.name;
            for (const auto& v : p.values) {
                out += '[';
                out += escape(v);
                out += ']';
            }
        }
        if (++on_line == 10) {
            out += '\n';
            on_line = 0;
        }
        if (n->children.size() != 1) break;
        n = &n->children.front();
    }
    for (const auto& c : n->children) {
        out += "\n(";
        write_node_chain(c, out);
        out += ")";
    }
}

bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + static_cast<size_t>(extra) >= s.size()) return false;
        for (int k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        }
        i += static_cast<size_t>(extra) + 1;
    }
    return true;
}

}  // namespace

std::string write_sgf(const SgfNode& root) {
    std::string out = "(";
    write_node_chain(root, out);
    out += ")\n";
    return out;
}

namespace {

// Plays the record's setup and first n moves onto `target` (a Game or a Board), naming the
// move number in the error of an illegal move.
template <class Target>
void replay_into(const GameRecord& r, Target& target, size_t n) {
    for (const auto& s : r.setup) target.place(s.color, s.point);
    for (size_t i = 0; i < r.moves.size() && i < n; ++i) {
        try {
            target.play(r.moves[i].color, r.moves[i].point);
        } catch (const ValueError& e) {
            throw ValueError("move " + std::to_string(i + 1) + ": " + e.what());
        }
    }
}

}  // namespace

Game GameRecord::replay(size_t moves_played) const {
    Game g(size, komi);
    // Records replay as played: servers with Japanese rules allow what superko forbids.
    g.set_superko(false);
    replay_into(*this, g, moves_played);
    return g;
}

Board GameRecord::position(size_t moves_played) const {
    Board b(size);
    replay_into(*this, b, moves_played);
    return b;
}

namespace {

// The root's game properties: GM, SZ, KM, HA and the players, result and date.
void read_root_properties(const SgfNode& root, const std::string& source, GameRecord& rec) {
    auto where = [&](const char* what) { return source + ": " + what; };
    if (const std::string* gm = root.get("GM")) {
        KAYA_CHECK(*gm == "1", ValueError, where("GM"), "[", *gm, "] is not Go (GM[1])");
    }
    if (const std::string* sz = root.get("SZ")) {
        int n = 0;
        try {
            n = std::stoi(*sz);
        } catch (const std::exception&) {
            throw ValueError(where("SZ") + "[" + *sz + "] is not a board size");
        }
        KAYA_CHECK(n >= 2 && n <= Board::kMaxSize, ValueError, where("SZ"), "[", *sz,
                   "]: board sizes 2 to 19 are supported");
        rec.size = n;
    }
    if (const std::string* km = root.get("KM")) {
        try {
            rec.komi = std::stod(*km);
        } catch (const std::exception&) {
            throw ValueError(where("KM") + "[" + *km + "] is not a number");
        }
    }
    if (const std::string* ha = root.get("HA")) {
        try {
            rec.handicap = std::stoi(*ha);
        } catch (const std::exception&) {
            throw ValueError(where("HA") + "[" + *ha + "] is not a number");
        }
    }
    auto text = [&](const char* p) { return root.get(p) ? *root.get(p) : std::string(); };
    rec.black = text("PB");
    rec.white = text("PW");
    rec.black_rank = text("BR");
    rec.white_rank = text("WR");
    rec.result = text("RE");
    rec.date = text("DT");
}

// The points of a property value; compressed point lists "aa:cc" (a rectangle) are allowed for
// setup properties. Errors name the node and the property.
std::vector<Point> points_of(const Board& geometry, const std::string& v, const char* prop,
                             int node, const std::string& source) {
    std::vector<Point> out;
    try {
        auto colon = v.find(':');
        if (colon == std::string::npos) {
            out.push_back(parse_sgf_point(geometry, v));
            return out;
        }
        Point a = parse_sgf_point(geometry, v.substr(0, colon)),
              b = parse_sgf_point(geometry, v.substr(colon + 1));
        KAYA_CHECK(a != kPass && b != kPass, ValueError, "a rectangle needs two points");
        for (int y = std::min(geometry.y_of(a), geometry.y_of(b));
             y <= std::max(geometry.y_of(a), geometry.y_of(b)); ++y) {
            for (int x = std::min(geometry.x_of(a), geometry.x_of(b));
                 x <= std::max(geometry.x_of(a), geometry.x_of(b)); ++x) {
                out.push_back(geometry.point(x, y));
            }
        }
    } catch (const ValueError& e) {
        throw ValueError(source + ": node " + std::to_string(node) + ": " + prop + ": " + e.what());
    }
    return out;
}

// TB/TW (and DD) of the main line's last node into the record; a point marked twice is an error.
void read_territory(const Board& geometry, const SgfNode& last, int node, const std::string& source,
                    GameRecord& rec) {
    std::vector<char> marked(static_cast<size_t>(Board::kMaxPoints), 0);
    for (const char* prop : {"TB", "TW", "DD"}) {
        auto& into = prop[0] == 'D' ? rec.neutral_dead : prop[1] == 'B' ? rec.territory_black : rec.territory_white;
        for (const auto& v : last.get_all(prop)) {
            for (Point p : points_of(geometry, v, prop, node, source)) {
                KAYA_CHECK(p != kPass, ValueError, source, ": node ", node, ": ", prop, " marks a pass");
                KAYA_CHECK(!marked[static_cast<size_t>(p)], ValueError, source, ": node ", node, ": ", prop,
                           " marks ", point_to_sgf(geometry, p), " again or for both sides");
                marked[static_cast<size_t>(p)] = 1;
                into.push_back(p);
            }
        }
    }
}

}  // namespace

GameRecord read_game(const SgfNode& root, const std::string& source) {
    GameRecord rec;
    read_root_properties(root, source, rec);
    Board geometry(rec.size);
    for (const char* prop : {"AB", "AW"}) {
        for (const auto& v : root.get_all(prop)) {
            for (Point p : points_of(geometry, v, prop, 0, source)) {
                if (p != kPass)
                    rec.setup.push_back({prop[1] == 'B' ? Color::Black : Color::White, p});
            }
        }
    }
    const SgfNode* n = &root;
    for (int node = 0;; ++node) {
        if (node > 0) {
            for (const char* prop : {"AB", "AW", "AE"}) {
                KAYA_CHECK(!n->get(prop), ValueError, source, ": node ", node, ": setup property ",
                           prop, " after the first node is not supported in a game record");
            }
        }
        for (const char* prop : {"B", "W"}) {
            if (const std::string* v = n->get(prop)) {
                auto pts = v->empty() ? std::vector<Point>{kPass}
                                      : points_of(geometry, *v, prop, node, source);
                KAYA_CHECK(pts.size() == 1, ValueError, source, ": node ", node, ": ", prop,
                           " needs one point");
                rec.moves.push_back({prop[0] == 'B' ? Color::Black : Color::White, pts[0]});
            }
        }
        if (n->children.empty()) {
            read_territory(geometry, *n, node, source, rec);
            break;
        }
        n = &n->children.front();
    }
    return rec;
}

SgfNode game_to_sgf(const GameRecord& rec, const std::string& application) {
    SgfNode root;
    root.set("FF", {"4"});
    root.set("GM", {"1"});
    bool utf8 = true;
    for (const auto* s :
         {&rec.black, &rec.white, &rec.black_rank, &rec.white_rank, &rec.result, &rec.date}) {
        utf8 = utf8 && valid_utf8(*s);
    }
    if (utf8) root.set("CA", {"UTF-8"});
    root.set("AP", {application});
    root.set("SZ", {std::to_string(rec.size)});
    char komi[32];
    std::snprintf(komi, sizeof komi, "%g", rec.komi);
    root.set("KM", {komi});
    if (rec.handicap > 0) root.set("HA", {std::to_string(rec.handicap)});
    const std::pair<const char*, const std::string*> info[] = {
        {"PB", &rec.black},      {"PW", &rec.white},  {"BR", &rec.black_rank},
        {"WR", &rec.white_rank}, {"RE", &rec.result}, {"DT", &rec.date}};
    for (const auto& [name, value] : info) {
        if (!value->empty()) root.set(name, {*value});
    }
    Board geometry(rec.size);
    std::vector<std::string> ab, aw;
    for (const auto& s : rec.setup)
        (s.color == Color::Black ? ab : aw).push_back(point_to_sgf(geometry, s.point));
    if (!ab.empty()) root.set("AB", ab);
    if (!aw.empty()) root.set("AW", aw);
    SgfNode* last = &root;
    for (const auto& m : rec.moves) {
        SgfNode n;
        n.set(color_letter(m.color), {point_to_sgf(geometry, m.point)});
        last->children.push_back(std::move(n));
        last = &last->children.back();
    }
    for (const auto& [name, points] :
         {std::pair{"TB", &rec.territory_black}, {"TW", &rec.territory_white}, {"DD", &rec.neutral_dead}}) {
        std::vector<std::string> values;
        for (Point p : *points) values.push_back(point_to_sgf(geometry, p));
        if (!values.empty()) last->set(name, values);
    }
    return root;
}

void add_sgf_text(SgfCollection& out, std::string_view text, const std::string& source) {
    std::vector<SgfNode> roots;
    try {
        roots = parse_sgf(text, source);
    } catch (const Error& e) {
        out.skipped.push_back({source, e.what()});
        return;
    }
    // In a collection, one bad game does not cost the others.
    for (size_t i = 0; i < roots.size(); ++i) {
        const std::string where = roots.size() > 1 ? source + " game " + std::to_string(i + 1) : source;
        try {
            GameRecord g = read_game(roots[i], where);
            g.position();  // Illegal moves make a game unusable for training.
            out.games.push_back(std::move(g));
            out.files.push_back(source);
        } catch (const Error& e) {
            out.skipped.push_back({where, e.what()});
        }
    }
}

SgfCollection load_sgf_directory(const std::string& dir) {
    namespace fs = std::filesystem;
    KAYA_CHECK(fs::is_directory(dir), IoError, dir, ": not a directory");
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (e.is_regular_file() && ext == ".sgf") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    SgfCollection out;
    for (const auto& f : files) {
        std::string text;
        try {
            std::ifstream in(f, std::ios::binary);
            KAYA_CHECK(in.good(), IoError, f.string(), ": cannot open");
            std::stringstream ss;
            ss << in.rdbuf();
            text = ss.str();
        } catch (const Error& e) {
            out.skipped.push_back({f.string(), e.what()});
            continue;
        }
        add_sgf_text(out, text, f.string());
    }
    return out;
}

}  // namespace kaya::go
