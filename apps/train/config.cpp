// SPDX-License-Identifier: MIT
#include "apps/train/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "kaya/core/error.h"

namespace kaya::app {

namespace {

// Inserts `value` at a dotted path, creating tables on the way. False when a part of the
// path is a value rather than a table.
template <typename V>
bool insert_path(toml::table& root, const std::string& key, V&& value) {
    toml::table* t = &root;
    size_t start = 0;
    while (true) {
        const size_t dot = key.find('.', start);
        const std::string part =
            key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty()) return false;
        if (dot == std::string::npos) {
            t->insert_or_assign(part, std::forward<V>(value));
            return true;
        }
        if (!t->contains(part)) t->insert_or_assign(part, toml::table{});
        t = t->get_as<toml::table>(part);
        if (!t) return false;
        start = dot + 1;
    }
}

// Every leaf key of a table (arrays are leaves), dotted.
void leaf_keys(const toml::table& t, const std::string& prefix, std::vector<std::string>& out) {
    for (const auto& [k, v] : t) {
        const std::string key = prefix + std::string(k.str());
        if (const auto* sub = v.as_table()) {
            leaf_keys(*sub, key + ".", out);
        } else {
            out.push_back(key);
        }
    }
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

// The value in TOML syntax for messages ("-1", "'adam'", "[1, 2]").
std::string toml_text(const toml::node& n) {
    std::ostringstream os;
    n.visit([&](const auto& v) { os << v; });
    return os.str();
}

// A TOML value as text; floats in the shortest form that reads back exactly (toml++'s own
// printer gives 17 digits: lr = 0.0030000000000000001).
void write_value(std::ostream& os, const toml::node& n) {
    if (auto d = n.as_floating_point()) {
        const double v = d->get();
        char buf[64];
        auto res = std::to_chars(buf, buf + sizeof buf, v);
        std::string text(buf, res.ptr);
        if (std::isfinite(v) && text.find_first_of(".eE") == std::string::npos) text += ".0";
        os << (std::isnan(v) ? "nan" : std::isinf(v) ? (v > 0 ? "inf" : "-inf") : text);
    } else if (auto a = n.as_array()) {
        os << "[";
        for (size_t i = 0; i < a->size(); ++i) {
            os << (i ? ", " : "");
            write_value(os, *a->get(i));
        }
        os << "]";
    } else {
        n.visit([&](const auto& v) { os << v; });
    }
}

// The table as TOML text: its values, then each sub-table under a [dotted.header].
void write_table(std::ostream& os, const toml::table& t, const std::string& prefix) {
    for (const auto& [k, v] : t) {
        if (v.is_table()) continue;
        os << k.str() << " = ";
        write_value(os, v);
        os << "\n";
    }
    for (const auto& [k, v] : t) {
        if (!v.is_table()) continue;
        const std::string name = prefix + std::string(k.str());
        os << (os.tellp() > 0 ? "\n[" : "[") << name << "]\n";
        write_table(os, *v.as_table(), name + ".");
    }
}

}  // namespace

Config Config::parse(const std::string& text, const std::string& source) {
    Config c;
    c.source_ = source;
    try {
        c.table_ = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw ParseError(source + ":" + std::to_string(where.line) + ":" +
                         std::to_string(where.column) + ": " + std::string(e.description()));
    }
    return c;
}

Config Config::load(const std::string& path) {
    std::ifstream in(path);
    KAYA_CHECK(in.good(), IoError, path, ": cannot open config file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

void Config::set(const std::string& a) {
    const size_t eq = a.find('=');
    KAYA_CHECK(eq != std::string::npos && eq > 0, ValueError, "override '", a,
               "': expected key=value, e.g. train.lr=0.01");
    const std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    toml::table parsed;
    try {
        parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
        // Not TOML: take it as a plain string (paths, names).
        parsed = toml::table{};
        parsed.insert_or_assign("v", value);
    }
    bool ok = false;
    parsed.get("v")->visit([&](const auto& v) { ok = insert_path(table_, key, v); });
    KAYA_CHECK(ok, ValueError, "override '", a, "': '", key,
               "' is not a key path (empty part, or a part that holds a value)");
    overrides_.push_back(a);
}

toml::node_view<const toml::node> Config::node(const std::string& key) const {
    return toml::at_path(table_, key);
}

bool Config::has(const std::string& key) const { return static_cast<bool>(node(key)); }

template <typename T>
void Config::note(const std::string& key, const T& fallback) const {
    read_.insert(key);
    if (has(key)) return;
    if constexpr (std::is_same_v<T, std::vector<int64_t>> ||
                  std::is_same_v<T, std::vector<std::string>>) {
        toml::array arr;
        for (const auto& e : fallback) arr.push_back(e);
        insert_path(defaults_, key, std::move(arr));
    } else {
        insert_path(defaults_, key, toml::value<T>(fallback));
    }
}

std::string Config::origin(const std::string& key) const {
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
        if (it->compare(0, key.size() + 1, key + "=") == 0) return "--set " + *it;
    }
    return source_;
}

void Config::fail(const std::string& key, const std::string& message) const {
    auto n = node(key);
    const std::string given =
        n ? " (" + key + " = " + toml_text(*n.node()) + ")" : " (" + key + ", default)";
    throw ValueError(origin(key) + ": " + message + given);
}

void Config::wrong_type(const std::string& key, const char* expected) const {
    fail(key, "key '" + key + "' must be " + expected);
}

std::string Config::get_string(const std::string& key, const std::string& fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    if (auto v = n.value<std::string>()) return *v;
    wrong_type(key, "a string");
}

std::string Config::require_string(const std::string& key) const {
    read_.insert(key);
    KAYA_CHECK(has(key), ValueError, source_, ": required key '", key, "' is missing");
    return get_string(key, "");
}

double Config::get_double(const std::string& key, double fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    if (auto v = n.value<double>()) return *v;  // Integers convert too.
    wrong_type(key, "a number");
}

int64_t Config::get_int(const std::string& key, int64_t fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    if (n.is_integer()) return *n.value<int64_t>();
    wrong_type(key, "an integer");
}

bool Config::get_bool(const std::string& key, bool fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    if (n.is_boolean()) return *n.value<bool>();
    wrong_type(key, "true or false");
}

std::vector<int64_t> Config::get_ints(const std::string& key, const std::vector<int64_t>& fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    const toml::array* arr = n.as_array();
    if (!arr) wrong_type(key, "an array of integers");
    std::vector<int64_t> out;
    for (const auto& e : *arr) {
        if (!e.is_integer()) wrong_type(key, "an array of integers");
        out.push_back(*e.value<int64_t>());
    }
    return out;
}

std::vector<std::string> Config::get_strings(const std::string& key,
                                             const std::vector<std::string>& fallback) const {
    note(key, fallback);
    auto n = node(key);
    if (!n) return fallback;
    if (const auto* one = n.as_string()) return {one->get()};  // A lone string is a list of one.
    const toml::array* arr = n.as_array();
    if (!arr) wrong_type(key, "a string or an array of strings");
    std::vector<std::string> out;
    for (const auto& e : *arr) {
        if (!e.is_string()) wrong_type(key, "a string or an array of strings");
        out.push_back(*e.value<std::string>());
    }
    return out;
}

int64_t Config::get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
    const int64_t v = get_int(key, fallback);
    if (v < min || v > max) {
        fail(key,
             key + " must be " +
                 (max == INT64_MAX ? "at least " + std::to_string(min)
                                   : "from " + std::to_string(min) + " to " + std::to_string(max)) +
                 ", got " + std::to_string(v));
    }
    return v;
}

double Config::get_double(const std::string& key, double fallback, double min, double max) const {
    const double v = get_double(key, fallback);
    if (!(v >= min && v <= max)) {
        std::ostringstream os;
        os << key << " must be in [" << min << ", " << max << "], got " << v;
        fail(key, os.str());
    }
    return v;
}

std::string Config::get_choice(const std::string& key, const std::string& fallback,
                               std::initializer_list<const char*> choices) const {
    const std::string v = get_string(key, fallback);
    std::string list;
    for (const char* c : choices) {
        if (v == c) return v;
        list += (list.empty() ? "" : ", ") + std::string(c);
    }
    fail(key, key + " '" + v + "' is not one of " + list);
}

void Config::check_all_read() const {
    std::vector<std::string> keys;
    leaf_keys(table_, "", keys);
    for (const auto& k : keys) {
        if (read_.count(k)) continue;
        std::string best;
        size_t best_d = SIZE_MAX;
        for (const auto& r : read_) {
            const size_t d = edit_distance(k, r);
            if (d < best_d) best_d = d, best = r;
        }
        std::string hint;
        if (!best.empty() && best_d <= std::max<size_t>(2, k.size() / 4))
            hint = "; did you mean " + best + "?";
        throw ValueError("unknown key " + k + " in " + origin(k) + hint +
                         " (kaya train CONFIG --print-config lists every key this task reads)");
    }
}

std::string Config::dump() const {
    std::ostringstream os;
    write_table(os, table_, "");
    return os.str();
}

std::string Config::effective_dump() const {
    // Defaults hold only absent keys, so merging them into the given table loses nothing.
    toml::table all = table_;
    std::vector<std::string> keys;
    leaf_keys(defaults_, "", keys);
    for (const auto& k : keys) {
        toml::at_path(defaults_, k).node()->visit([&](const auto& v) { insert_path(all, k, v); });
    }
    std::ostringstream os;
    write_table(os, all, "");
    return os.str();
}

}  // namespace kaya::app
