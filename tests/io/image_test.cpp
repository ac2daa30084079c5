// SPDX-License-Identifier: MIT
// Image files: decoding PNG (8/16-bit, grey/RGB/RGBA) and JPEG written by stb and by hand,
// channel conversion, and every kind of bad file giving a clear error.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <cmath>
#include <filesystem>

#include "kaya/io/file.h"
#include "kaya/io/image.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::io {
namespace {

std::string tmp(const std::string& name) { return testing::TempDir() + "/kaya_image_" + name; }

Tensor gradient_image(int64_t C, int64_t H, int64_t W) {
    std::vector<float> v;
    for (int64_t c = 0; c < C; ++c) {
        for (int64_t y = 0; y < H; ++y) {
            for (int64_t x = 0; x < W; ++x) v.push_back(static_cast<float>((c * 7 + y * 3 + x * 5) % 256) / 255.0f);
        }
    }
    return from_vector<float>(v, {C, H, W});
}

TEST(Image, PngRoundTripsExactlyForEveryChannelCount) {
    for (int64_t C : {1, 3, 4}) {
        Tensor img = gradient_image(C, 5, 7);
        write_png(tmp("rt.png"), img);
        Tensor back = read_image(tmp("rt.png"));
        ASSERT_EQ(back.shape(), (Shape{C, 5, 7}));
        EXPECT_EQ(to_vector<float>(back), to_vector<float>(img)) << C;
    }
}

TEST(Image, ChannelConversion) {
    write_png(tmp("rgb.png"), gradient_image(3, 4, 4));
    EXPECT_EQ(read_image(tmp("rgb.png"), 1).shape(), (Shape{1, 4, 4}));
    write_png(tmp("grey.png"), gradient_image(1, 4, 4));
    Tensor rgb = read_image(tmp("grey.png"), 3);
    ASSERT_EQ(rgb.shape(), (Shape{3, 4, 4}));
    EXPECT_EQ(to_vector<float>(select(rgb, 0, 0)), to_vector<float>(select(rgb, 0, 2)));
    EXPECT_NE(test::error_of([&] { read_image(tmp("grey.png"), 2); }).find("channels must be"), std::string::npos);
}

// A JPEG written by stb's encoder (libstb, which kaya_io links).
TEST(Image, JpegDecodes) {
    Tensor img = gradient_image(3, 16, 16);
    const std::string path = tmp("img.jpg");
    std::vector<unsigned char> px(16 * 16 * 3);
    auto v = to_vector<float>(img);
    for (int c = 0; c < 3; ++c) {
        for (int p = 0; p < 256; ++p) px[p * 3 + c] = static_cast<unsigned char>(std::lround(v[c * 256 + p] * 255));
    }
    ASSERT_NE(stbi_write_jpg(path.c_str(), 16, 16, 3, px.data(), 95), 0);
    Tensor back = read_image(path);
    ASSERT_EQ(back.shape(), (Shape{3, 16, 16}));
    auto b = to_vector<float>(back);
    double err = 0;
    for (size_t i = 0; i < b.size(); ++i) err = std::max(err, std::abs(double(b[i]) - v[i]));
    EXPECT_LT(err, 0.2);  // Lossy, but the picture is there.
}

TEST(Image, BadFilesGiveClearErrors) {
    write_png(tmp("ok.png"), gradient_image(3, 8, 8));
    const std::string bytes = read_file(tmp("ok.png"));
    auto err = [](const std::string& data) { return test::error_of([&] { decode_image(data, "pic.png"); }); };
    EXPECT_EQ(err(""), "pic.png: empty file, not an image");
    EXPECT_NE(err("hello, world").find("pic.png: not a readable image"), std::string::npos);
    EXPECT_NE(err(bytes.substr(0, bytes.size() / 2)).find("pic.png: cannot decode the image"), std::string::npos);
    EXPECT_NE(err(bytes.substr(0, 20)).find("pic.png: "), std::string::npos);
    // A PNG header claiming 16384 x 16385 pixels is refused before decoding (stb alone would
    // allocate 800 MB for it).
    std::string huge = bytes;
    const unsigned char dims[8] = {0, 0, 0x40, 0x00, 0, 0, 0x40, 0x01};
    huge.replace(16, 8, reinterpret_cast<const char*>(dims), 8);
    EXPECT_NE(err(huge).find("larger than the 2^28 pixels"), std::string::npos);
    std::string zero = bytes;
    const unsigned char none[8] = {0, 0, 0, 0, 0, 0, 0, 8};
    zero.replace(16, 8, reinterpret_cast<const char*>(none), 8);
    EXPECT_NE(err(zero).find("pic.png: "), std::string::npos);
    EXPECT_NE(test::error_of([] { read_image("/nonexistent.png"); }).find("/nonexistent.png"), std::string::npos);
    EXPECT_NE(test::error_of([] { write_png(tmp("x.png"), zeros({2, 4, 4})); }).find("C 1, 3 or 4"), std::string::npos);
}

}  // namespace
}  // namespace kaya::io
