// SPDX-License-Identifier: MIT
#include "apps/train/config.h"

#include <fstream>
#include <sstream>

#include "kaya/core/error.h"

namespace kaya::app {

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
    size_t eq = a.find('=');
    KAYA_CHECK(eq != std::string::npos && eq > 0, ValueError, "override '", a,
               "': expected key=value, e.g. train.lr=0.01");
    std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    toml::table parsed;
    try {
        parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
        // Not TOML: take it as a plain string (paths, names).
        parsed = toml::table{};
        parsed.insert_or_assign("v", value);
    }
    toml::table* t = &table_;
    size_t start = 0;
    while (true) {
        size_t dot = key.find('.', start);
        std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        KAYA_CHECK(!part.empty(), ValueError, "override '", a, "': empty key part");
        if (dot == std::string::npos) {
            t->insert_or_assign(part, *parsed.get("v"));
            return;
        }
        auto* next = t->get_as<toml::table>(part);
        if (!next) {
            t->insert_or_assign(part, toml::table{});
            next = t->get_as<toml::table>(part);
        }
        t = next;
        start = dot + 1;
    }
}

toml::node_view<const toml::node> Config::node(const std::string& key) const {
    return toml::at_path(table_, key);
}

bool Config::has(const std::string& key) const { return static_cast<bool>(node(key)); }

void Config::wrong_type(const std::string& key, const char* expected) const {
    throw ValueError(source_ + ": key '" + key + "' must be " + expected);
}

std::string Config::get_string(const std::string& key, const std::string& fallback) const {
    auto n = node(key);
    if (!n) return fallback;
    if (auto v = n.value<std::string>()) return *v;
    wrong_type(key, "a string");
}

std::string Config::require_string(const std::string& key) const {
    KAYA_CHECK(has(key), ValueError, source_, ": required key '", key, "' is missing");
    return get_string(key, "");
}

double Config::get_double(const std::string& key, double fallback) const {
    auto n = node(key);
    if (!n) return fallback;
    if (auto v = n.value<double>()) return *v;  // Integers convert too.
    wrong_type(key, "a number");
}

int64_t Config::get_int(const std::string& key, int64_t fallback) const {
    auto n = node(key);
    if (!n) return fallback;
    if (n.is_integer()) return *n.value<int64_t>();
    wrong_type(key, "an integer");
}

bool Config::get_bool(const std::string& key, bool fallback) const {
    auto n = node(key);
    if (!n) return fallback;
    if (n.is_boolean()) return *n.value<bool>();
    wrong_type(key, "true or false");
}

std::vector<int64_t> Config::get_ints(const std::string& key, const std::vector<int64_t>& fallback) const {
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
    auto n = node(key);
    if (!n) return fallback;
    const toml::array* arr = n.as_array();
    if (!arr) wrong_type(key, "an array of strings");
    std::vector<std::string> out;
    for (const auto& e : *arr) {
        if (!e.is_string()) wrong_type(key, "an array of strings");
        out.push_back(*e.value<std::string>());
    }
    return out;
}

std::string Config::dump() const {
    std::ostringstream os;
    os << table_;
    return os.str();
}

}  // namespace kaya::app
