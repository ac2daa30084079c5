// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kaya::io {

// A small strict JSON value, enough for file headers (safetensors) and metadata. Numbers are
// kept as int64 when integral, else double. Object keys keep insertion order.
struct Json {
    // A key and its value; a pair (first, second), declared after Json is complete (a pair of
    // an incomplete type is ill-formed, and clang says so).
    struct Member;
    using Array = std::vector<Json>;
    using Object = std::vector<Member>;
    std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> value;

    bool is_object() const { return std::holds_alternative<Object>(value); }
    bool is_array() const { return std::holds_alternative<Array>(value); }
    bool is_string() const { return std::holds_alternative<std::string>(value); }
    bool is_int() const { return std::holds_alternative<int64_t>(value); }
    const Object& object() const { return std::get<Object>(value); }
    const Array& array() const { return std::get<Array>(value); }
    const std::string& string() const { return std::get<std::string>(value); }
    int64_t integer() const { return std::get<int64_t>(value); }
    // Member by key, or nullptr.
    const Json* find(std::string_view key) const;
};

struct Json::Member : std::pair<std::string, Json> {
    using std::pair<std::string, Json>::pair;
};

// Parses text as one JSON value (trailing whitespace allowed). Throws ParseError with
// `source` and the byte offset of the problem. Nesting deeper than 64 is refused.
Json parse_json(std::string_view text, const std::string& source);

// JSON string literal with escapes.
std::string json_quote(std::string_view s);

}  // namespace kaya::io
