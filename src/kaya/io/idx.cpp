// SPDX-License-Identifier: MIT
#include "kaya/io/idx.h"

#include <cstring>

#include "kaya/io/file.h"
#include "kaya/ops/factory.h"

namespace kaya::io {

namespace {

uint32_t be32(std::string_view b, size_t at) {
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

}  // namespace

Tensor load_idx(const std::string& path, DType dtype) { return decode_idx(read_file_maybe_gzip(path), path, dtype); }

Tensor decode_idx(std::string_view b, const std::string& path, DType dtype) {
    KAYA_CHECK(b.size() >= 4 && b[0] == 0 && b[1] == 0, ParseError, path,
               ": not an IDX file (magic must start with two zero bytes)");
    KAYA_CHECK(uint8_t(b[2]) == 0x08, ParseError, path, ": IDX element type 0x", std::hex,
               int(uint8_t(b[2])), " is not supported (only unsigned bytes, 0x08)");
    const int rank = uint8_t(b[3]);
    KAYA_CHECK(rank >= 1 && rank <= 4 && b.size() >= 4 + 4 * size_t(rank), ParseError, path,
               ": bad IDX rank ", rank, " or truncated header");
    Shape shape;
    // Sizes are multiplied as doubles first: four 32-bit sizes can overflow an int64.
    double want = 1;
    for (int d = 0; d < rank; ++d) {
        shape.push_back(be32(b, 4 + 4 * d));
        want *= static_cast<double>(shape.back());
    }
    const size_t start = 4 + 4 * size_t(rank);
    KAYA_CHECK(want == static_cast<double>(b.size() - start), ParseError, path, ": IDX data has ", b.size() - start,
               " bytes, shape ", format_shape(shape), " needs ", want);
    const size_t n = b.size() - start;
    Tensor t = Tensor::empty(shape, dtype);
    visit_dtype(dtype, [&]<class T>() {
        T* p = t.data<T>();
        for (size_t i = 0; i < n; ++i) p[i] = static_cast<T>(uint8_t(b[start + i]));
    });
    return t;
}

}  // namespace kaya::io
