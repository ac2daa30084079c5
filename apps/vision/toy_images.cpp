// SPDX-License-Identifier: MIT
#include "apps/vision/toy_images.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "kaya/core/random.h"
#include "kaya/io/image.h"
#include "kaya/ops/ops.h"

namespace kaya::vision {

const std::vector<std::string>& toy_image_classes() {
    static const std::vector<std::string> names = {"bar_horizontal", "bar_vertical", "ring", "square"};
    return names;
}

Tensor draw_toy_image(int64_t cls, int64_t size, int64_t channels, uint64_t seed) {
    KAYA_CHECK(cls >= 0 && cls < 4 && size >= 8 && (channels == 1 || channels == 3), ValueError,
               "draw_toy_image: class 0-3, size >= 8 and 1 or 3 channels");
    Generator g(seed);
    auto u = [&](double lo, double hi) { return lo + (hi - lo) * g.uniform(g.reserve(1)); };
    const double n = static_cast<double>(size);
    const double cx = u(0.35, 0.65) * n, cy = u(0.35, 0.65) * n;  // Centre.
    const double half = u(0.18, 0.3) * n, thick = u(0.06, 0.12) * n;
    const double bright = u(0.6, 1.0);
    std::vector<float> tint = {static_cast<float>(u(0.5, 1)), static_cast<float>(u(0.5, 1)),
                               static_cast<float>(u(0.5, 1))};
    Tensor noise = mul(rand({channels, size, size}, DType::Float32, &g), 0.15);
    Tensor img = contiguous(noise);
    float* p = img.data<float>();
    for (int64_t y = 0; y < size; ++y) {
        for (int64_t x = 0; x < size; ++x) {
            const double dx = static_cast<double>(x) + 0.5 - cx, dy = static_cast<double>(y) + 0.5 - cy;
            bool on = false;
            if (cls == 0) on = std::abs(dx) <= half && std::abs(dy) <= thick;
            if (cls == 1) on = std::abs(dy) <= half && std::abs(dx) <= thick;
            if (cls == 2) on = std::abs(std::hypot(dx, dy) - half) <= thick;
            if (cls == 3) on = std::abs(dx) <= half * 0.8 && std::abs(dy) <= half * 0.8;
            if (!on) continue;
            for (int64_t c = 0; c < channels; ++c) {
                const float v = static_cast<float>(bright) * (channels == 3 ? tint[static_cast<size_t>(c)] : 1.0f);
                p[(c * size + y) * size + x] = std::min(1.0f, p[(c * size + y) * size + x] + v);
            }
        }
    }
    return img;
}

void write_toy_image_folder(const std::string& dir, int64_t per_class, int64_t size, int64_t channels,
                            uint64_t seed) {
    const auto& names = toy_image_classes();
    for (size_t c = 0; c < names.size(); ++c) {
        std::filesystem::create_directories(dir + "/" + names[c]);
        for (int64_t i = 0; i < per_class; ++i) {
            char file[32];
            std::snprintf(file, sizeof file, "/%03lld.png", static_cast<long long>(i));
            const uint64_t s = Generator::mix(seed * 1000003 + c * 100003 + static_cast<uint64_t>(i));
            io::write_png(dir + "/" + names[c] + file, draw_toy_image(static_cast<int64_t>(c), size, channels, s));
        }
    }
}

}  // namespace kaya::vision
