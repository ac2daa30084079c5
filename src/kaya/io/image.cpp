// SPDX-License-Identifier: MIT
#include "kaya/io/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::io {

namespace {

constexpr int64_t kMaxPixels = int64_t{1} << 28;

}  // namespace

Tensor decode_image(std::string_view bytes, const std::string& source, int channels) {
    KAYA_CHECK(channels == 0 || channels == 1 || channels == 3, ValueError, source,
               ": channels must be 0 (as stored), 1 or 3, got ", channels);
    KAYA_CHECK(!bytes.empty(), ParseError, source, ": empty file, not an image");
    KAYA_CHECK(bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()), ParseError, source,
               ": file too large for the image decoder (", bytes.size(), " bytes)");
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int w = 0, h = 0, stored = 0;
    // The header first: refuse absurd sizes before any allocation.
    if (!stbi_info_from_memory(data, len, &w, &h, &stored)) {
        throw ParseError(source + ": not a readable image (" + stbi_failure_reason() +
                         "; PNG, JPEG, BMP, GIF, TGA, PNM, PSD and HDR are supported)");
    }
    KAYA_CHECK(w > 0 && h > 0, ParseError, source, ": image of zero size (", w, " x ", h, ")");
    KAYA_CHECK(static_cast<int64_t>(w) * h <= kMaxPixels, ParseError, source, ": image of ", w, " x ", h,
               " pixels is larger than the 2^28 pixels Kaya decodes");
    const bool sixteen = stbi_is_16_bit_from_memory(data, len) != 0;
    int got = 0;
    const int want = channels;
    std::unique_ptr<void, void (*)(void*)> pixels(
        sixteen ? static_cast<void*>(stbi_load_16_from_memory(data, len, &w, &h, &got, want))
                : static_cast<void*>(stbi_load_from_memory(data, len, &w, &h, &got, want)),
        stbi_image_free);
    if (!pixels) throw ParseError(source + ": cannot decode the image (" + stbi_failure_reason() + ")");
    const int C = want ? want : got;
    const int64_t plane = static_cast<int64_t>(w) * h;
    Tensor out = Tensor::empty({C, h, w}, DType::Float32);
    float* o = out.data<float>();
    // stb gives interleaved HWC; the model wants planar CHW.
    const double scale = sixteen ? 1.0 / 65535.0 : 1.0 / 255.0;
    for (int64_t p = 0; p < plane; ++p) {
        for (int c = 0; c < C; ++c) {
            const double v = sixteen ? static_cast<const uint16_t*>(pixels.get())[p * C + c]
                                     : static_cast<const stbi_uc*>(pixels.get())[p * C + c];
            o[c * plane + p] = static_cast<float>(v * scale);
        }
    }
    return out;
}

Tensor read_image(const std::string& path, int channels) {
    return decode_image(read_file(path), path, channels);
}

void write_png(const std::string& path, const Tensor& image) {
    KAYA_CHECK(image.dim() == 3 && (image.shape()[0] == 1 || image.shape()[0] == 3 || image.shape()[0] == 4) &&
                   image.shape()[1] > 0 && image.shape()[2] > 0,
               ShapeError, "write_png: expected an image (C, H, W) with C 1, 3 or 4, got ", describe(image));
    const int C = static_cast<int>(image.shape()[0]), H = static_cast<int>(image.shape()[1]),
              W = static_cast<int>(image.shape()[2]);
    auto v = to_vector<float>(to(image, DType::Float32));
    std::vector<unsigned char> px(static_cast<size_t>(C) * H * W);
    for (int c = 0; c < C; ++c) {
        for (int p = 0; p < H * W; ++p) {
            const float x = std::clamp(v[static_cast<size_t>(c) * H * W + p], 0.0f, 1.0f);
            px[static_cast<size_t>(p) * C + c] = static_cast<unsigned char>(std::lround(x * 255.0f));
        }
    }
    std::string bytes;
    auto sink = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size));
    };
    KAYA_CHECK(stbi_write_png_to_func(sink, &bytes, W, H, C, px.data(), W * C) != 0, IoError,
               "write_png: cannot encode ", path);
    write_file_atomic(path, bytes);
}

}  // namespace kaya::io
