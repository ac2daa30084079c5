// SPDX-License-Identifier: MIT
#include "support/npy.h"

#include <cstring>
#include <fstream>
#include <regex>

namespace kaya::test {

std::string data_path(const std::string& name) { return std::string(KAYA_TEST_DATA) + "/" + name; }

Tensor load_npy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    KAYA_CHECK(in.good(), IoError, path, ": cannot open (run tools/gen_reference.py?)");
    char magic[8];
    in.read(magic, 8);
    KAYA_CHECK(in.good() && std::memcmp(magic, "\x93NUMPY", 6) == 0, ParseError, path,
               ": not a .npy file");
    uint32_t header_len = 0;
    if (magic[6] == 1) {
        uint16_t h;
        in.read(reinterpret_cast<char*>(&h), 2);
        header_len = h;
    } else {
        in.read(reinterpret_cast<char*>(&header_len), 4);
    }
    std::string header(header_len, '\0');
    in.read(header.data(), header_len);
    std::smatch m;
    KAYA_CHECK(std::regex_search(header, m, std::regex("'descr': *'([<|]\\w+)'")), ParseError, path,
               ": no descr in header");
    std::string descr = m[1];
    KAYA_CHECK(header.find("'fortran_order': False") != std::string::npos, ParseError, path,
               ": Fortran order not supported");
    KAYA_CHECK(std::regex_search(header, m, std::regex("'shape': *\\(([^)]*)\\)")), ParseError, path,
               ": no shape in header");
    Shape shape;
    std::string dims = m[1];
    std::regex num("\\d+");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it) {
        shape.push_back(std::stoll(it->str()));
    }
    DType dt = descr == "<f4" ? DType::Float32 : descr == "<f8" ? DType::Float64
             : descr == "<i8" ? DType::Int64 : descr == "|b1" ? DType::Bool : DType::Float32;
    KAYA_CHECK(descr == "<f4" || descr == "<f8" || descr == "<i8" || descr == "|b1", ParseError,
               path, ": unsupported dtype ", descr);
    Tensor t = Tensor::empty(shape, dt);
    in.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(t.numel() * dtype_size(dt)));
    KAYA_CHECK(in.gcount() == static_cast<std::streamsize>(t.numel() * dtype_size(dt)), ParseError,
               path, ": truncated data");
    return t;
}

}  // namespace kaya::test
