// SPDX-License-Identifier: MIT
#include "kaya/io/safetensors.h"

#include <algorithm>
#include <cmath>
#include <bit>
#include <cstring>
#include <set>

#include "kaya/io/file.h"
#include "kaya/io/json.h"
#include "kaya/ops/convert.h"

namespace kaya::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

namespace {

constexpr uint64_t kMaxHeader = 100u << 20;  // The reference implementation's limit.

const char* dtype_tag(DType d) {
    switch (d) {
        case DType::Float32: return "F32";
        case DType::Float64: return "F64";
        case DType::Int64: return "I64";
        case DType::Bool: return "BOOL";
    }
    return "?";
}

// A stored dtype: its element size and how it maps onto a Kaya dtype.
struct Stored {
    size_t size;
    DType as;
};

bool stored_dtype(const std::string& tag, Stored& out) {
    static const std::map<std::string, Stored> table = {
        {"F32", {4, DType::Float32}}, {"F64", {8, DType::Float64}}, {"I64", {8, DType::Int64}},
        {"BOOL", {1, DType::Bool}},   {"F16", {2, DType::Float32}}, {"BF16", {2, DType::Float32}},
        {"I32", {4, DType::Int64}},   {"I16", {2, DType::Int64}},   {"I8", {1, DType::Int64}},
        {"U8", {1, DType::Int64}},
    };
    auto it = table.find(tag);
    if (it == table.end()) return false;
    out = it->second;
    return true;
}

float half_to_float(uint16_t h) {
    uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    float v;
    if (exp == 0) {
        v = std::ldexp(static_cast<float>(mant), -24);
    } else if (exp == 31) {
        v = mant ? NAN : INFINITY;
    } else {
        v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
    }
    return sign ? -v : v;
}

// Copies n elements of the stored dtype at src into t (already of the mapped dtype).
void fill(const Tensor& t, const std::string& tag, const char* src, int64_t n) {
    if (tag == "F32" || tag == "F64" || tag == "I64") {
        std::memcpy(t.raw_data(), src, static_cast<size_t>(n) * dtype_size(t.dtype()));
        return;
    }
    if (tag == "BOOL") {
        // Any nonzero byte is true: a raw copy of other bytes into bool would be undefined.
        bool* out = t.data<bool>();
        for (int64_t i = 0; i < n; ++i) out[i] = src[i] != 0;
        return;
    }
    if (tag == "F16" || tag == "BF16") {
        float* out = t.data<float>();
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            if (tag == "F16") {
                out[i] = half_to_float(h);
            } else {
                uint32_t bits = static_cast<uint32_t>(h) << 16;
                std::memcpy(&out[i], &bits, 4);
            }
        }
        return;
    }
    int64_t* out = t.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
        if (tag == "I32") {
            int32_t v;
            std::memcpy(&v, src + 4 * i, 4);
            out[i] = v;
        } else if (tag == "I16") {
            int16_t v;
            std::memcpy(&v, src + 2 * i, 2);
            out[i] = v;
        } else if (tag == "I8") {
            out[i] = static_cast<int8_t>(src[i]);
        } else {
            out[i] = static_cast<uint8_t>(src[i]);
        }
    }
}

}  // namespace

std::string encode_safetensors(const NamedTensors& tensors,
                               const std::map<std::string, std::string>& metadata) {
    std::set<std::string> names;
    std::string header = "{";
    if (!metadata.empty()) {
        header += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [k, v] : metadata) {
            header += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
            first = false;
        }
        header += "}";
    }
    std::vector<Tensor> dense;
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        KAYA_CHECK(!name.empty() && name != "__metadata__", ValueError,
                   "save_safetensors: invalid tensor name '", name, "'");
        KAYA_CHECK(names.insert(name).second, ValueError, "save_safetensors: duplicate name '", name, "'");
        KAYA_CHECK(t.defined(), ValueError, "save_safetensors: tensor '", name, "' is undefined");
        Tensor c = contiguous(detach(t));
        uint64_t nbytes = static_cast<uint64_t>(c.numel()) * dtype_size(c.dtype());
        if (header.size() > 1) header += ",";
        header += json_quote(name) + ":{\"dtype\":\"" + dtype_tag(c.dtype()) + "\",\"shape\":[";
        for (size_t d = 0; d < c.shape().size(); ++d) header += (d ? "," : "") + std::to_string(c.shape()[d]);
        header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + nbytes) + "]}";
        offset += nbytes;
        dense.push_back(c);
    }
    header += "}";
    // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
    while ((header.size() + 8) % 8 != 0) header += ' ';
    std::string out(8, '\0');
    uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    out += header;
    out.reserve(out.size() + offset);
    for (const auto& c : dense) {
        out.append(static_cast<const char*>(c.raw_data()), c.numel() * dtype_size(c.dtype()));
    }
    return out;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
    write_file_atomic(path, encode_safetensors(tensors, metadata));
}

namespace {

// A tensor's bytes in the data section, for the coverage check.
struct ByteRange {
    uint64_t begin, end;
    std::string name;
};

// One header entry: its dtype, shape and data_offsets checked against the data section's
// data_size bytes at data, the values converted into a new tensor.
Tensor decode_entry(const std::string& name, const Json& entry, const char* data,
                    uint64_t data_size, const std::string& src, ByteRange& range) {
    auto bad = [&](const std::string& what) {
        return ParseError(src + ": tensor '" + name + "': " + what);
    };
    if (!entry.is_object()) throw bad("entry must be an object");
    const Json* dt = entry.find("dtype");
    const Json* shape = entry.find("shape");
    const Json* offs = entry.find("data_offsets");
    if (!dt || !dt->is_string()) throw bad("missing or non-string \"dtype\"");
    if (!shape || !shape->is_array()) throw bad("missing or non-array \"shape\"");
    if (!offs || !offs->is_array() || offs->array().size() != 2)
        throw bad("\"data_offsets\" must be [begin, end]");
    Stored st;
    if (!stored_dtype(dt->string(), st)) throw bad("unsupported dtype \"" + dt->string() + "\"");
    Shape s;
    uint64_t count = 1;
    for (const auto& d : shape->array()) {
        if (!d.is_int() || d.integer() < 0)
            throw bad("shape entries must be non-negative integers");
        uint64_t v = static_cast<uint64_t>(d.integer());
        // Guard the element count against overflow before multiplying.
        if (v != 0 && count > (uint64_t{1} << 50) / v) throw bad("shape is too large");
        count *= v;
        s.push_back(d.integer());
    }
    for (const auto& o : offs->array()) {
        if (!o.is_int() || o.integer() < 0) throw bad("data_offsets must be non-negative integers");
    }
    uint64_t b = static_cast<uint64_t>(offs->array()[0].integer());
    uint64_t e = static_cast<uint64_t>(offs->array()[1].integer());
    if (b > e || e > data_size) {
        throw bad("data_offsets [" + std::to_string(b) + ", " + std::to_string(e) +
                  "] outside the " + std::to_string(data_size) + "-byte data section");
    }
    if (e - b != count * st.size) {
        throw bad("shape " + format_shape(s) + " of " + dt->string() + " needs " +
                  std::to_string(count * st.size) + " bytes but data_offsets span " +
                  std::to_string(e - b));
    }
    Tensor t = Tensor::empty(s, st.as);
    fill(t, dt->string(), data + b, static_cast<int64_t>(count));
    range = {b, e, name};
    return t;
}

// The data must be covered exactly: no gaps, no overlaps (the format's own rule).
void check_coverage(std::vector<ByteRange> ranges, uint64_t data_size, const std::string& src) {
    std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t expect = 0;
    for (const auto& r : ranges) {
        KAYA_CHECK(r.begin == expect, ParseError, src, ": tensor '", r.name, "' starts at byte ",
                   r.begin, " of the data but the previous tensor ends at ", expect,
                   " (gap or overlap)");
        expect = r.end;
    }
    KAYA_CHECK(expect == data_size, ParseError, src, ": tensors cover ", expect, " of ", data_size,
               " data bytes (trailing garbage?)");
}

}  // namespace

SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& src) {
    KAYA_CHECK(bytes.size() >= 8, ParseError, src, ": file is ", bytes.size(),
               " bytes, shorter than the 8-byte header length (not a safetensors file?)");
    uint64_t n;
    std::memcpy(&n, bytes.data(), 8);
    KAYA_CHECK(n <= kMaxHeader, ParseError, src, ": header length ", n,
               " exceeds the 100 MB limit (corrupt file or not safetensors)");
    KAYA_CHECK(n <= bytes.size() - 8, ParseError, src, ": header length ", n, " exceeds the ",
               bytes.size() - 8, " bytes after the length field (truncated file?)");
    std::string_view header = bytes.substr(8, n);
    KAYA_CHECK(!header.empty() && header[0] == '{', ParseError, src,
               ": header must start with '{'");
    Json root = parse_json(header, src + " header");
    KAYA_CHECK(root.is_object(), ParseError, src, ": header is not a JSON object");
    const uint64_t data_size = bytes.size() - 8 - n;
    const char* data = bytes.data() + 8 + n;

    SafetensorsFile file;
    std::vector<ByteRange> ranges;
    for (const auto& [name, entry] : root.object()) {
        if (name == "__metadata__") {
            KAYA_CHECK(entry.is_object(), ParseError, src, ": __metadata__ must be an object");
            for (const auto& [k, v] : entry.object()) {
                KAYA_CHECK(v.is_string(), ParseError, src, ": __metadata__[\"", k, "\"] must be a string");
                file.metadata[k] = v.string();
            }
            continue;
        }
        ByteRange range;
        file.tensors.emplace_back(name, decode_entry(name, entry, data, data_size, src, range));
        ranges.push_back(std::move(range));
    }
    check_coverage(std::move(ranges), data_size, src);
    return file;
}

SafetensorsFile load_safetensors(const std::string& path) {
    return decode_safetensors(read_file(path), path);
}

}  // namespace kaya::io
