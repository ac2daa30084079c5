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
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;
    // Objects are held through a pointer: a pair of the still incomplete Json cannot be an
    // alternative of the variant (clang refuses it; GCC let it pass).
    std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, std::shared_ptr<const Object>> value;

    bool is_object() const { return std::holds_alternative<std::shared_ptr<const Object>>(value); }
    bool is_array() const { return std::holds_alternative<Array>(value); }
    bool is_string() const { return std::holds_alternative<std::string>(value); }
    bool is_int() const { return std::holds_alternative<int64_t>(value); }
    const Object& object() const { return *std::get<std::shared_ptr<const Object>>(value); }
    const Array& array() const { return std::get<Array>(value); }
    const std::string& string() const { return std::get<std::string>(value); }
    int64_t integer() const { return std::get<int64_t>(value); }
    // Member by key, or nullptr.
    const Json* find(std::string_view key) const;
};


// Parses text as one JSON value (trailing whitespace allowed). Throws ParseError with
// `source` and the byte offset of the problem. Nesting deeper than 64 is refused.
Json parse_json(std::string_view text, const std::string& source);

// JSON string literal with escapes.
std::string json_quote(std::string_view s);

}  // namespace kaya::io
