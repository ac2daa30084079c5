// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <filesystem>

#include "kaya/io/csv.h"
#include "kaya/io/gzip.h"
#include "kaya/io/idx.h"
#include "kaya/io/json.h"
#include "kaya/io/npy.h"
#include "kaya/ops/ops.h"

namespace kaya::io {
namespace {

TEST(Csv, ParsesNumbersQuotesAndSelectsColumns) {
    auto t = parse_csv("id,\"x, a\",y\r\n1,2.5,-3\n\n2,1e3,4\n", "t.csv");
    EXPECT_EQ(t.columns, (std::vector<std::string>{"id", "x, a", "y"}));
    EXPECT_EQ(t.rows(), 2);
    EXPECT_EQ(to_vector<double>(t.values), (std::vector<double>{1, 2.5, -3, 2, 1000, 4}));
    Tensor sel = t.select({"y", "id"});
    EXPECT_EQ(sel.dtype(), DType::Float32);
    EXPECT_EQ(to_vector<float>(sel), (std::vector<float>{-3, 1, 4, 2}));
    EXPECT_EQ(parse_csv("a,b,a,a\n1,2,3,4\n", "d.csv").columns,
              (std::vector<std::string>{"a", "b", "a.1", "a.2"}));
    auto nh = parse_csv("1;2\n3;4\n", "n.csv", {.delimiter = ';', .header = false});
    EXPECT_EQ(nh.columns, (std::vector<std::string>{"0", "1"}));
}

TEST(Csv, BadInputNamesFileLineAndColumn) {
    try {
        parse_csv("a,b,c\n1,2,3\n4,oops,6\n", "data.csv");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_STREQ(e.what(), "data.csv:3:3: expected a number in column 'b', got 'oops'");
    }
    try {
        parse_csv("a,b\n1,2,3\n", "data.csv");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_STREQ(e.what(), "data.csv:2: expected 2 fields, got 3");
    }
    EXPECT_THROW(parse_csv("a,b\n\"1,2\n", "q.csv"), ParseError);
    EXPECT_THROW(parse_csv("", "empty.csv"), ParseError);
    EXPECT_THROW(parse_csv("a\n1\n", "x.csv").column("b"), ValueError);
    EXPECT_THROW(read_csv("/nonexistent.csv"), IoError);
}

TEST(Idx, ReadsFashionMnistWhenInstalled) {
    const std::string dir = "/usr/share/datasets/fashion-mnist/";
    if (!std::filesystem::exists(dir + "t10k-labels-idx1-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist not installed";
    Tensor labels = load_idx(dir + "t10k-labels-idx1-ubyte.gz", DType::Int64);
    EXPECT_EQ(labels.shape(), (Shape{10000}));
    EXPECT_EQ(max(labels).item<int64_t>(), 9);
    Tensor images = load_idx(dir + "t10k-images-idx3-ubyte.gz", DType::Float32);
    EXPECT_EQ(images.shape(), (Shape{10000, 28, 28}));
    EXPECT_EQ(max(images).item<float>(), 255.0f);
    EXPECT_THROW(load_idx(dir + "../fashion-mnist", DType::Int64), Error);
}

// In-memory gzip and IDX (what the fuzz targets feed): good data reads, bad data is a ParseError
// naming the source, never a crash.
TEST(Gzip, DecompressesMembersAndRefusesBadData) {
    // gzip -c of "kaya\n" then of "go\n", concatenated.
    const std::string a("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x4e\xac\x4c\xe4\x02\x00\x00\xc1\x49\x6c\x05\x00\x00\x00", 25);
    const std::string b("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\xcf\xe7\x02\x00\xc1\x9a\x69\xb0\x03\x00\x00\x00", 23);
    EXPECT_EQ(io::gunzip(a, "a.gz"), "kaya\n");
    EXPECT_EQ(io::gunzip(a + b, "ab.gz"), "kaya\ngo\n");
    EXPECT_THROW(io::gunzip("plain text", "p"), ParseError);
    try {
        io::gunzip(a.substr(0, 15), "cut.gz");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("cut.gz: gzip data corrupt or truncated", 0), 0u) << e.what();
    }
}

TEST(Idx, DecodesBytesAndRefusesBadHeaders) {
    const std::string ok("\0\0\x08\x01\0\0\0\x03\x01\x02\x09", 11);
    EXPECT_EQ(to_vector<int64_t>(io::decode_idx(ok, "l", DType::Int64)), (std::vector<int64_t>{1, 2, 9}));
    EXPECT_THROW(io::decode_idx(ok.substr(0, 10), "short", DType::Int64), ParseError);
    EXPECT_THROW(io::decode_idx(std::string("\0\0\x0d\x01\0\0\0\x01\x00", 9), "float", DType::Int64), ParseError);
    // Sizes whose product overflows an int64 are a ParseError, not a crash.
    const std::string huge("\0\0\x08\x02\xfd\xcc\xdd\x42\xff\x00\x00\xff\x01", 13);
    EXPECT_THROW(io::decode_idx(huge, "huge", DType::Float32), ParseError);
}

TEST(Npy, RoundTrip) {
    std::string path = (std::filesystem::temp_directory_path() / "kaya_npy_test.npy").string();
    for (const Tensor& t : {randn({2, 3}), to(randn({4}), DType::Float64), arange(5),
                            gt(randn({3}), 0), scalar_tensor(4.0)}) {
        save_npy(path, t);
        Tensor back = load_npy(path);
        EXPECT_EQ(back.shape(), t.shape());
        EXPECT_EQ(back.dtype(), t.dtype());
        EXPECT_EQ(to_vector<double>(back), to_vector<double>(t));
    }
    std::filesystem::remove(path);
    EXPECT_THROW(decode_npy("not numpy at all", "x.npy"), ParseError);
}

TEST(Json, ParsesAndRejects) {
    Json j = parse_json(R"({"a": [1, -2.5, "x\u00e9\n"], "b": {"c": true, "d": null}})", "j");
    EXPECT_EQ(j.find("a")->array()[0].integer(), 1);
    EXPECT_EQ(j.find("a")->array()[2].string(), "x\xc3\xa9\n");
    EXPECT_THROW(parse_json(R"({"a": 1,})", "j"), ParseError);
    EXPECT_THROW(parse_json(R"({"a": 1, "a": 2})", "j"), ParseError);
    EXPECT_THROW(parse_json(std::string(100, '['), "j"), ParseError);
    EXPECT_THROW(parse_json(R"("abc)", "j"), ParseError);
    EXPECT_THROW(parse_json("99999999999999999999", "j"), ParseError);
    EXPECT_EQ(json_quote("a\"b\n"), "\"a\\\"b\\n\"");
}

}  // namespace
}  // namespace kaya::io

namespace kaya::io {
namespace {

TEST(Csv, FieldsQuoteOnlyWhenNeededAndReadBack) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    auto fields =
        split_csv_line(csv_field("x") + "," + csv_field("[32,16]") + "," + csv_field("say \"hi\""),
                       ',', "t.csv", 1);
    EXPECT_EQ(fields, (std::vector<std::string>{"x", "[32,16]", "say \"hi\""}));
}

}  // namespace
}  // namespace kaya::io
