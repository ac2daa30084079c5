// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::io {

// Reads an IDX file (the MNIST / Fashion-MNIST format: big-endian magic with the element
// type and rank, the sizes, then the data), gzip-compressed or not. Unsigned-byte data is
// returned as `dtype` (float32 keeps 0..255, int64 for labels). ParseError naming the file
// for a bad magic, an unsupported element type or truncated data.
Tensor load_idx(const std::string& path, DType dtype);
// The same from the file's (decompressed) bytes; `source` names them in errors.
Tensor decode_idx(std::string_view bytes, const std::string& source, DType dtype);

}  // namespace kaya::io
