// SPDX-License-Identifier: MIT
#include "apps/vision/pictures.h"

#include <algorithm>

#include "kaya/ops/ops.h"

namespace kaya::vision {

Tensor tile_images(const std::vector<Tensor>& images, int64_t cols, int64_t scale, int64_t pad) {
    KAYA_CHECK(!images.empty() && cols > 0 && scale > 0 && pad >= 0, ValueError,
               "tile_images: needs images, cols > 0, scale > 0 and pad >= 0");
    const Shape& s = images[0].shape();
    KAYA_CHECK(s.size() == 3, ShapeError, "tile_images: images must be (C, H, W), got ", describe(images[0]));
    const int64_t C = s[0], H = s[1] * scale, W = s[2] * scale;
    const auto n = static_cast<int64_t>(images.size());
    const int64_t rows = (n + cols - 1) / cols, used_cols = std::min(cols, n);
    const int64_t OH = rows * (H + pad) + pad, OW = used_cols * (W + pad) + pad;
    Tensor out = full({C, OH, OW}, 1.0, DType::Float32);
    float* o = out.data<float>();
    for (int64_t k = 0; k < n; ++k) {
        KAYA_CHECK(images[static_cast<size_t>(k)].shape() == s, ShapeError,
                   "tile_images: image ", k, " is ", describe(images[static_cast<size_t>(k)]),
                   ", image 0 is ", describe(images[0]));
        Tensor img = contiguous(to(images[static_cast<size_t>(k)], DType::Float32));
        const float* in = img.data<float>();
        const int64_t top = pad + (k / cols) * (H + pad), left = pad + (k % cols) * (W + pad);
        for (int64_t c = 0; c < C; ++c)
            for (int64_t y = 0; y < H; ++y)
                for (int64_t x = 0; x < W; ++x)
                    o[(c * OH + top + y) * OW + left + x] =
                        std::clamp(in[(c * s[1] + y / scale) * s[2] + x / scale], 0.0f, 1.0f);
    }
    return out;
}

std::vector<Tensor> feature_map_images(const Tensor& maps, int64_t count) {
    KAYA_CHECK(maps.dim() == 3, ShapeError, "feature_map_images: expected (C, H, W), got ", describe(maps));
    std::vector<Tensor> out;
    for (int64_t c = 0; c < std::min(count, maps.shape()[0]); ++c) {
        Tensor m = to(select(maps, 0, c), DType::Float32);
        const double lo = min(m).item<double>(), hi = max(m).item<double>();
        Tensor img = hi > lo ? div(sub(m, lo), hi - lo) : full(m.shape(), 0.5, DType::Float32);
        out.push_back(contiguous(unsqueeze(img, 0)));
    }
    return out;
}

}  // namespace kaya::vision
