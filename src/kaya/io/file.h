// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace kaya::io {

// Reads a whole file; IoError naming the path when it cannot.
std::string read_file(const std::string& path);

// Reads a whole file, decompressing it if it is gzip (.gz); IoError when it cannot be opened,
// ParseError naming the path when the compressed data is corrupt or truncated.
std::string read_file_maybe_gzip(const std::string& path);

// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename
// over the target, fsync of the directory. A crash leaves either the old file or the new one,
// never a torn one. IoError with the path and errno text on failure.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace kaya::io
