// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

namespace kaya::app {

// A TOML configuration with dotted-key access and command-line overrides. Every getter names
// the key and the file in its error (wrong type, missing required key).
class Config {
public:
    Config() = default;
    // Parses a file; ParseError with file:line:column on TOML syntax errors.
    static Config load(const std::string& path);
    static Config parse(const std::string& text, const std::string& source);

    // Applies "a.b=value" (value in TOML syntax; bare words are taken as strings), creating
    // tables as needed. ValueError on a malformed override.
    void set(const std::string& assignment);

    bool has(const std::string& key) const;
    std::string get_string(const std::string& key, const std::string& fallback) const;
    std::string require_string(const std::string& key) const;
    double get_double(const std::string& key, double fallback) const;
    int64_t get_int(const std::string& key, int64_t fallback) const;
    bool get_bool(const std::string& key, bool fallback) const;
    std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& fallback) const;
    std::vector<std::string> get_strings(const std::string& key, const std::vector<std::string>& fallback) const;

    const std::string& source() const { return source_; }
    // The whole configuration as TOML text (saved next to a run's outputs).
    std::string dump() const;

private:
    toml::node_view<const toml::node> node(const std::string& key) const;
    [[noreturn]] void wrong_type(const std::string& key, const char* expected) const;

    toml::table table_;
    std::string source_ = "<config>";
};

}  // namespace kaya::app
