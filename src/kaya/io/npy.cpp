// SPDX-License-Identifier: MIT
#include "kaya/io/npy.h"

#include <cstring>

#include "kaya/io/file.h"
#include "kaya/ops/convert.h"

namespace kaya::io {

namespace {

// The value after 'key': in the header dict, up to the next ',' at depth 0 or the dict end.
std::string_view field(std::string_view header, std::string_view key, const std::string& src) {
    std::string quoted = "'" + std::string(key) + "'";
    size_t at = header.find(quoted);
    KAYA_CHECK(at != std::string_view::npos, ParseError, src, ": .npy header has no ", quoted);
    size_t colon = header.find(':', at + quoted.size());
    KAYA_CHECK(colon != std::string_view::npos, ParseError, src, ": .npy header: no value for ", quoted);
    size_t start = colon + 1, depth = 0, i = start;
    for (; i < header.size(); ++i) {
        char c = header[i];
        if (c == '(') ++depth;
        if (c == ')') {
            if (depth == 0) break;
            --depth;
        }
        if ((c == ',' || c == '}') && depth == 0) break;
    }
    std::string_view v = header.substr(start, i - start + (i < header.size() && header[i] == ')' ? 1 : 0));
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
}

}  // namespace

Tensor decode_npy(std::string_view b, const std::string& src) {
    KAYA_CHECK(b.size() >= 10 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0, ParseError, src,
               ": not a .npy file (bad magic)");
    const int major = static_cast<unsigned char>(b[6]);
    KAYA_CHECK(major == 1 || major == 2, ParseError, src, ": unsupported .npy version ", major);
    size_t header_len, start;
    if (major == 1) {
        uint16_t h;
        std::memcpy(&h, b.data() + 8, 2);
        header_len = h;
        start = 10;
    } else {
        KAYA_CHECK(b.size() >= 12, ParseError, src, ": truncated .npy header");
        uint32_t h;
        std::memcpy(&h, b.data() + 8, 4);
        header_len = h;
        start = 12;
    }
    KAYA_CHECK(start + header_len <= b.size(), ParseError, src, ": .npy header length ",
               header_len, " exceeds the file");
    std::string_view header = b.substr(start, header_len);
    std::string_view descr = field(header, "descr", src);
    std::string_view order = field(header, "fortran_order", src);
    std::string_view shape_text = field(header, "shape", src);
    KAYA_CHECK(order == "False", ParseError, src, ": Fortran-order arrays are not supported");
    DType dt;
    if (descr == "'<f4'") dt = DType::Float32;
    else if (descr == "'<f8'") dt = DType::Float64;
    else if (descr == "'<i8'") dt = DType::Int64;
    else if (descr == "'|b1'") dt = DType::Bool;
    else throw ParseError(src + ": unsupported .npy dtype " + std::string(descr) +
                          " (expected <f4, <f8, <i8 or |b1)");
    Shape shape;
    int64_t cur = -1;
    for (char c : shape_text) {
        if (c >= '0' && c <= '9') {
            cur = (cur < 0 ? 0 : cur) * 10 + (c - '0');
            KAYA_CHECK(cur < (int64_t{1} << 40), ParseError, src, ": .npy shape too large");
        } else if (c == ',' || c == ')') {
            if (cur >= 0) shape.push_back(cur);
            cur = -1;
        } else if (c != '(' && c != ' ') {
            throw ParseError(src + ": bad .npy shape " + std::string(shape_text));
        }
    }
    size_t nbytes = static_cast<size_t>(numel(shape)) * dtype_size(dt);
    size_t data = start + header_len;
    KAYA_CHECK(b.size() - data >= nbytes, ParseError, src, ": .npy data truncated: ",
               format_shape(shape), " ", dtype_name(dt), " needs ", nbytes, " bytes, file has ",
               b.size() - data);
    Tensor t = Tensor::empty(shape, dt);
    if (dt == DType::Bool) {
        for (size_t i = 0; i < nbytes; ++i) t.data<bool>()[i] = b[data + i] != 0;
    } else {
        std::memcpy(t.raw_data(), b.data() + data, nbytes);
    }
    return t;
}

Tensor load_npy(const std::string& path) { return decode_npy(read_file(path), path); }

void save_npy(const std::string& path, const Tensor& t) {
    Tensor c = contiguous(detach(t));
    const char* descr = c.dtype() == DType::Float32 ? "<f4" : c.dtype() == DType::Float64 ? "<f8"
                      : c.dtype() == DType::Int64 ? "<i8" : "|b1";
    std::string shape = "(";
    for (size_t i = 0; i < c.shape().size(); ++i) shape += std::to_string(c.shape()[i]) + ",";
    if (c.shape().size() > 1) shape.pop_back();
    shape += ")";
    std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    uint16_t len = static_cast<uint16_t>(header.size());
    out.append(reinterpret_cast<const char*>(&len), 2);
    out += header;
    out.append(static_cast<const char*>(c.raw_data()), c.numel() * dtype_size(c.dtype()));
    write_file_atomic(path, out);
}

}  // namespace kaya::io
