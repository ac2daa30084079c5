// SPDX-License-Identifier: MIT
#pragma once

#include <toml++/toml.h>

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

namespace kaya::app {

// A TOML configuration with dotted-key access, command-line overrides and strict checking.
// Every read names the key and where its value came from (the file, or `--set`) in its error.
// Reads are recorded: a key's default is filled in when it is absent (effective_dump shows the
// whole effective config), and check_all_read refuses any key that nothing read, with the
// nearest key that was read ("did you mean train.epochs?"). Each task reads its keys once, into
// an options struct, so that check is complete when the task has been built.
class Config {
public:
    Config() = default;
    // Parses a file; ParseError with file:line:column on TOML syntax errors.
    static Config load(const std::string& path);
    static Config parse(const std::string& text, const std::string& source);

    // Applies "a.b=value" (value in TOML syntax; bare words are taken as strings), creating
    // tables as needed. ValueError on a malformed override.
    void set(const std::string& assignment);

    // Whether the key is present (does not count as a read).
    bool has(const std::string& key) const;
    std::string get_string(const std::string& key, const std::string& fallback) const;
    std::string require_string(const std::string& key) const;
    double get_double(const std::string& key, double fallback) const;
    int64_t get_int(const std::string& key, int64_t fallback) const;
    bool get_bool(const std::string& key, bool fallback) const;
    std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& fallback) const;
    // An array of strings; a lone string reads as a list of one.
    std::vector<std::string> get_strings(const std::string& key, const std::vector<std::string>& fallback) const;

    // Checked reads: ValueError naming the key, its origin, the allowed range and the value.
    int64_t get_int(const std::string& key, int64_t fallback, int64_t min,
                    int64_t max = INT64_MAX) const;
    double get_double(const std::string& key, double fallback, double min, double max) const;
    std::string get_choice(const std::string& key, const std::string& fallback,
                           std::initializer_list<const char*> choices) const;

    // Throws ValueError for the first key present that no read asked for:
    // "unknown key train.epoch in covid.toml; did you mean train.epochs?".
    void check_all_read() const;
    // Where a key's value comes from: "covid.toml" or "--set train.lr=0.1".
    std::string origin(const std::string& key) const;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

    const std::string& source() const { return source_; }
    // The configuration as given (file plus overrides), as TOML text.
    std::string dump() const;
    // As given plus the default of every key read so far: what the run actually used.
    std::string effective_dump() const;

private:
    toml::node_view<const toml::node> node(const std::string& key) const;
    // Marks the key read; records the default when the key is absent.
    template <typename T>
    void note(const std::string& key, const T& fallback) const;
    [[noreturn]] void wrong_type(const std::string& key, const char* expected) const;

    toml::table table_;
    std::string source_ = "<config>";
    std::vector<std::string> overrides_;  // "--set" assignments, in order.
    mutable std::set<std::string> read_;  // Keys any reader asked for.
    mutable toml::table defaults_;        // Defaults of absent keys that were read.
};

}  // namespace kaya::app
