// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::io {

// The safetensors format shared by the PyTorch ecosystem: an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}},
// then the raw little-endian tensor bytes. https://github.com/huggingface/safetensors
struct SafetensorsFile {
    NamedTensors tensors;                         // In header order.
    std::map<std::string, std::string> metadata;  // The optional "__metadata__" object.
};

// Writes tensors (any layout; stored dense) atomically (temp file, fsync, rename). Names must
// be unique and non-empty (ValueError). float32/float64/int64/bool are stored as
// F32/F64/I64/BOOL.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// The bytes save_safetensors would write.
std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata = {});

// Reads a file. F32, F64, I64 and BOOL load as such; F16 and BF16 widen to float32; I32,
// I16, I8 and U8 widen to int64. Everything is validated before use: header length against
// the file size and a 100 MB limit, JSON syntax, dtype names, shapes against byte ranges,
// ranges inside the data and covering it without gaps or overlaps. Any violation throws
// ParseError naming the file and the problem; nothing is read out of bounds.
SafetensorsFile load_safetensors(const std::string& path);
// The same on bytes in memory; `source` names them in errors.
SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& source);

}  // namespace kaya::io
