// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "kaya/core/random.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::io {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
    return (fs::temp_directory_path() / ("kaya_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

const Tensor& get(const SafetensorsFile& f, const std::string& name) {
    for (const auto& [n, t] : f.tensors) {
        if (n == name) return t;
    }
    throw std::runtime_error("no tensor " + name);
}

TEST(Safetensors, RoundTripsEveryDtypeAndLayout) {
    NamedTensors in = {
        {"w", randn({3, 4})},
        {"w_t", transpose(randn({4, 3}), 0, 1)},  // Non-contiguous: stored dense.
        {"d", randn({2}, DType::Float64)},
        {"i", from_vector<int64_t>({5, -6, 7}, {3})},
        {"m", gt(randn({5}), 0)},
        {"s", scalar_tensor(3.0)},
        {"e", zeros({0, 2})},
    };
    std::string path = temp_path("rt.safetensors");
    save_safetensors(path, in, {{"epoch", "7"}});
    EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid()))) << "temp file renamed away";
    auto f = load_safetensors(path);
    ASSERT_EQ(f.tensors.size(), in.size());
    EXPECT_EQ(f.metadata.at("epoch"), "7");
    for (size_t k = 0; k < in.size(); ++k) {
        EXPECT_EQ(f.tensors[k].first, in[k].first);
        EXPECT_EQ(f.tensors[k].second.dtype(), in[k].second.dtype());
        EXPECT_EQ(f.tensors[k].second.shape(), in[k].second.shape());
        EXPECT_EQ(to_vector<double>(f.tensors[k].second), to_vector<double>(in[k].second)) << in[k].first;
    }
    // Data starts 8-byte aligned, as the reference writer does.
    std::string bytes = read_file(path);
    uint64_t n;
    std::memcpy(&n, bytes.data(), 8);
    EXPECT_EQ((8 + n) % 8, 0u);
    fs::remove(path);
}

TEST(Safetensors, ReadsAFileWrittenByNumpy) {
    auto f = load_safetensors(test::data_path("safetensors/numpy_written.safetensors"));
    EXPECT_EQ(f.metadata.at("format"), "pt");
    auto expect = [&](const std::string& name) {
        Tensor want = test::load_npy(test::data_path("safetensors/expected." + name + ".npy"));
        const Tensor& got = get(f, name);
        EXPECT_EQ(got.shape(), want.shape()) << name;
        EXPECT_EQ(to_vector<double>(got), to_vector<double>(want)) << name;
    };
    for (auto name : {"linear.weight", "half", "bf", "small", "bytes"}) expect(name);
    EXPECT_EQ(get(f, "half").dtype(), DType::Float32) << "F16 widens to float32";
    EXPECT_EQ(get(f, "small").dtype(), DType::Int64) << "I32 widens to int64";
    EXPECT_EQ(to_vector<int64_t>(get(f, "counts"))[3], int64_t{1} << 40);
    EXPECT_EQ(to_vector<bool>(get(f, "mask")), (std::vector<bool>{true, false, false, true}));
    EXPECT_EQ(get(f, "scalar").dim(), 0);
    EXPECT_EQ(get(f, "empty").shape(), (Shape{0, 3}));
}

std::string valid_bytes() {
    return encode_safetensors({{"a", randn({2, 3})}, {"b", from_vector<int64_t>({1, 2}, {2})},
                               {"c", gt(randn({3}), 0)}},
                              {{"k", "v"}});
}

void expect_parse_error(const std::string& bytes, const std::string& fragment) {
    try {
        decode_safetensors(bytes, "bad.safetensors");
        FAIL() << "expected ParseError containing '" << fragment << "'";
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind("bad.safetensors", 0), 0u) << e.what();
    }
}

std::string with_header(const std::string& json, size_t data_bytes) {
    std::string out(8, '\0');
    uint64_t n = json.size();
    std::memcpy(out.data(), &n, 8);
    return out + json + std::string(data_bytes, '\0');
}

TEST(Safetensors, RefusesBrokenFilesWithClearErrors) {
    std::string ok = valid_bytes();
    expect_parse_error(ok.substr(0, 5), "shorter than the 8-byte header length");
    expect_parse_error(ok.substr(0, 30), "exceeds the");
    std::string huge = ok;
    uint64_t big = uint64_t{1} << 40;
    std::memcpy(huge.data(), &big, 8);
    expect_parse_error(huge, "100 MB limit");
    expect_parse_error(ok.substr(0, ok.size() - 1), "");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4), "needs 8 bytes");
    expect_parse_error(with_header(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", 4), "unsupported dtype");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", 4), "outside");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "non-negative");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                   R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4), "gap or overlap");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8), "trailing");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", 4), "JSON");
    expect_parse_error(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4), "too large");
    expect_parse_error(with_header(R"([1])", 0), "must start with '{'");
    expect_parse_error(with_header(R"({"__metadata__":{"k":1}})", 0), "must be a string");
    EXPECT_THROW(load_safetensors("/nonexistent/dir/x.safetensors"), IoError);
}

// Hundreds of mutated files: each must load or throw a kaya::Error, never crash or read out
// of bounds (the sanitizer build runs this too).
TEST(Safetensors, SurvivesFuzzedFiles) {
    const std::string ok = valid_bytes();
    Generator g(99);
    uint64_t c = 0;
    auto rnd = [&](uint64_t n) { return static_cast<size_t>(g.bits(c++) % n); };
    int loaded = 0, refused = 0;
    for (int i = 0; i < 600; ++i) {
        std::string b = ok;
        switch (i % 6) {
            case 0:  // Flip bits anywhere.
                for (int k = 0; k < 1 + static_cast<int>(rnd(4)); ++k) b[rnd(b.size())] ^= static_cast<char>(1 << rnd(8));
                break;
            case 1:  // Truncate.
                b.resize(rnd(b.size()));
                break;
            case 2: {  // Overwrite a header byte with a structural JSON character.
                const char* chars = "{}[]\",:0123456789-\\ ";
                b[8 + rnd(std::min<size_t>(b.size() - 8, 200))] = chars[rnd(21)];
                break;
            }
            case 3: {  // Random header length.
                uint64_t n = g.bits(c++) % (b.size() + 64);
                std::memcpy(b.data(), &n, 8);
                break;
            }
            case 4:  // Append junk.
                b += std::string(1 + rnd(16), static_cast<char>(rnd(256)));
                break;
            case 5: {  // Replace a digit run in the header by a large number.
                size_t at = b.find_first_of("0123456789", 8 + rnd(100));
                if (at != std::string::npos && at < 8 + 200) b.insert(at, std::to_string(g.bits(c++)));
                break;
            }
        }
        try {
            decode_safetensors(b, "fuzz");
            ++loaded;
        } catch (const Error&) {
            ++refused;
        }
    }
    EXPECT_EQ(loaded + refused, 600);
    EXPECT_GT(refused, 300);
}

TEST(AtomicFile, ReplacesContentAndReportsErrors) {
    std::string path = temp_path("atomic.txt");
    write_file_atomic(path, "first");
    write_file_atomic(path, "second");
    EXPECT_EQ(read_file(path), "second");
    fs::remove(path);
    EXPECT_THROW(write_file_atomic("/nonexistent/dir/file", "x"), IoError);
}

}  // namespace
}  // namespace kaya::io
