// SPDX-License-Identifier: MIT
#include "kaya/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kaya/ops/ops.h"

namespace kaya::data {

namespace {

// One uniform draw in [lo, hi) from the generator's next counter.
double draw(Generator& g, double lo = 0.0, double hi = 1.0) {
    return lo + (hi - lo) * g.uniform(g.reserve(1));
}

Tensor checked(const char* who, const Tensor& image) {
    KAYA_CHECK(image.dim() == 3 && is_floating(image.dtype()), ShapeError, who,
               ": expected a floating-point image (C, H, W), got ", describe(image));
    return contiguous(to(image, DType::Float32));
}

// out(y, x) = in at the source point src(x, y) (pixel centres), bilinear, `fill` outside.
template <class Map>
Tensor resample(const Tensor& image, int64_t HO, int64_t WO, double fill, Map src) {
    const int64_t C = image.shape()[0], H = image.shape()[1], W = image.shape()[2];
    Tensor out = Tensor::empty({C, HO, WO}, DType::Float32);
    const float* in = image.data<float>();
    float* o = out.data<float>();
    for (int64_t y = 0; y < HO; ++y) {
        for (int64_t x = 0; x < WO; ++x) {
            auto [sx, sy] = src(static_cast<double>(x), static_cast<double>(y));
            const double fx = std::floor(sx), fy = std::floor(sy);
            const double ax = sx - fx, ay = sy - fy;
            const auto x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
            for (int64_t c = 0; c < C; ++c) {
                auto at = [&](int64_t yy, int64_t xx) {
                    return yy < 0 || yy >= H || xx < 0 || xx >= W ? fill : in[(c * H + yy) * W + xx];
                };
                const double v = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1)) +
                                 ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1));
                o[(c * HO + y) * WO + x] = static_cast<float>(v);
            }
        }
    }
    return out;
}

void check_probability(const char* who, double p) {
    KAYA_CHECK(p >= 0 && p <= 1, ValueError, who, ": probability must be in [0, 1], got ", p);
}

}  // namespace

namespace {

// Mirror along dim (1: up-down, 2: left-right) with probability p.
Transform flip(const char* who, int64_t dim, double p) {
    check_probability(who, p);
    return [who, dim, p](const Tensor& image, Generator& g) {
        Tensor x = checked(who, image);
        if (draw(g) >= p) return x;
        const int64_t n = x.shape()[dim];
        return contiguous(index_select(x, dim, arange(n - 1, -1, -1)));
    };
}

}  // namespace

Transform horizontal_flip(double p) { return flip("horizontal_flip", 2, p); }

Transform vertical_flip(double p) { return flip("vertical_flip", 1, p); }

Tensor rotate(const Tensor& image, double degrees, double fill) {
    Tensor x = checked("rotate", image);
    const double a = degrees * std::numbers::pi / 180, ca = std::cos(a), sa = std::sin(a);
    const double cx = (static_cast<double>(x.shape()[2]) - 1) / 2, cy = (static_cast<double>(x.shape()[1]) - 1) / 2;
    // Counter-clockwise on screen (as torchvision): the source of (x, y) is rotated back.
    return resample(x, x.shape()[1], x.shape()[2], fill, [&](double px, double py) {
        const double dx = px - cx, dy = py - cy;
        return std::pair{cx + ca * dx - sa * dy, cy + sa * dx + ca * dy};
    });
}

Tensor zoom(const Tensor& image, double factor, double fill) {
    KAYA_CHECK(factor > 0, ValueError, "zoom: factor must be positive, got ", factor);
    Tensor x = checked("zoom", image);
    const double cx = (static_cast<double>(x.shape()[2]) - 1) / 2, cy = (static_cast<double>(x.shape()[1]) - 1) / 2;
    return resample(x, x.shape()[1], x.shape()[2], fill, [&](double px, double py) {
        return std::pair{cx + (px - cx) / factor, cy + (py - cy) / factor};
    });
}

Tensor resize(const Tensor& image, int64_t height, int64_t width) {
    KAYA_CHECK(height > 0 && width > 0, ValueError, "resize: size must be positive, got ", height,
               "x", width);
    Tensor x = checked("resize", image);
    const int64_t H = x.shape()[1], W = x.shape()[2];
    KAYA_CHECK(H > 0 && W > 0, ShapeError, "resize: the image is empty (", describe(image), ")");
    if (H == height && W == width) return x;
    // Shrinking averages each output pixel's whole source box (no aliasing); what remains to
    // enlarge is bilinear (pixel centres aligned, align_corners=False).
    if (H >= height && W >= width) return contiguous(adaptive_avg_pool2d(x, {height, width}));
    if (H > height || W > width)
        x = contiguous(adaptive_avg_pool2d(x, {std::min(H, height), std::min(W, width)}));
    const double sy = static_cast<double>(x.shape()[1]) / static_cast<double>(height),
                 sx = static_cast<double>(x.shape()[2]) / static_cast<double>(width);
    const double last_y = static_cast<double>(x.shape()[1] - 1), last_x = static_cast<double>(x.shape()[2] - 1);
    return resample(x, height, width, 0.0, [&](double px, double py) {
        // Clamped to the image: the border pixel extends (no fill comes in).
        return std::pair{std::clamp((px + 0.5) * sx - 0.5, 0.0, last_x),
                         std::clamp((py + 0.5) * sy - 0.5, 0.0, last_y)};
    });
}

Transform random_rotation(double degrees, double p, double fill) {
    KAYA_CHECK(degrees >= 0 && degrees <= 180, ValueError,
               "random_rotation: degrees must be in [0, 180], got ", degrees);
    check_probability("random_rotation", p);
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("random_rotation", image);
        const double angle = draw(g, -degrees, degrees);  // Drawn always: fixed counter use.
        if (draw(g) >= p) return x;
        return rotate(x, angle, fill);
    };
}

Transform random_resized_crop(std::array<int64_t, 2> size, std::array<double, 2> scale,
                              std::array<double, 2> ratio) {
    KAYA_CHECK(size[0] > 0 && size[1] > 0, ValueError, "random_resized_crop: size must be positive");
    KAYA_CHECK(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1, ValueError,
               "random_resized_crop: scale must satisfy 0 < lo <= hi <= 1, got (", scale[0], ", ", scale[1], ")");
    KAYA_CHECK(ratio[0] > 0 && ratio[0] <= ratio[1], ValueError,
               "random_resized_crop: ratio must satisfy 0 < lo <= hi, got (", ratio[0], ", ", ratio[1], ")");
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("random_resized_crop", image);
        const double H = static_cast<double>(x.shape()[1]), W = static_cast<double>(x.shape()[2]);
        double ch = H, cw = W, top = 0, left = 0;
        for (int attempt = 0; attempt < 10; ++attempt) {
            const double area = H * W * draw(g, scale[0], scale[1]);
            const double r = std::exp(draw(g, std::log(ratio[0]), std::log(ratio[1])));
            const double w = std::round(std::sqrt(area * r)), h = std::round(std::sqrt(area / r));
            const double u = draw(g), v = draw(g);
            if (w > 0 && h > 0 && w <= W && h <= H) {
                ch = h, cw = w;
                top = std::floor(u * (H - h + 1)), left = std::floor(v * (W - w + 1));
                break;
            }
        }
        const double sy = ch / static_cast<double>(size[0]), sx = cw / static_cast<double>(size[1]);
        return resample(x, size[0], size[1], 0.0, [&](double px, double py) {
            return std::pair{left + (px + 0.5) * sx - 0.5, top + (py + 0.5) * sy - 0.5};
        });
    };
}

Transform random_scale(double lo, double hi, double p, double fill) {
    KAYA_CHECK(lo > 0 && lo <= hi, ValueError, "random_scale: need 0 < lo <= hi, got (", lo, ", ", hi, ")");
    check_probability("random_scale", p);
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("random_scale", image);
        const double s = draw(g, lo, hi);
        if (draw(g) >= p) return x;
        return zoom(x, s, fill);
    };
}

Transform random_crop_padded(int64_t padding, double fill) {
    KAYA_CHECK(padding >= 0, ValueError, "random_crop_padded: padding must be non-negative, got ", padding);
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("random_crop_padded", image);
        const auto span = static_cast<double>(2 * padding + 1);
        const auto dy = static_cast<int64_t>(std::floor(draw(g) * span)) - padding;
        const auto dx = static_cast<int64_t>(std::floor(draw(g) * span)) - padding;
        // Reading the crop at offset (dy, dx) of the padded image is a shift of the original.
        return resample(x, x.shape()[1], x.shape()[2], fill, [&](double px, double py) {
            return std::pair{px + static_cast<double>(dx), py + static_cast<double>(dy)};
        });
    };
}

Transform color_jitter(double brightness, double contrast) {
    KAYA_CHECK(brightness >= 0 && brightness < 1 && contrast >= 0 && contrast < 1, ValueError,
               "color_jitter: brightness and contrast must be in [0, 1), got ", brightness, " and ", contrast);
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("color_jitter", image);
        const double b = draw(g, 1 - brightness, 1 + brightness);
        const double c = draw(g, 1 - contrast, 1 + contrast);
        Tensor y = clamp(mul(x, b), 0.0, 1.0);
        // torchvision blends with the mean of the greyscale image; for one channel that is the mean.
        Tensor m = mean(x.shape()[0] == 3 ? add(add(mul(select(y, 0, 0), 0.299), mul(select(y, 0, 1), 0.587)),
                                                mul(select(y, 0, 2), 0.114))
                                          : y);
        return contiguous(clamp(add(mul(y, c), mul(m, 1 - c)), 0.0, 1.0));
    };
}

Transform gaussian_noise(double std, double p) {
    KAYA_CHECK(std >= 0, ValueError, "gaussian_noise: std must be non-negative, got ", std);
    check_probability("gaussian_noise", p);
    return [=](const Tensor& image, Generator& g) {
        Tensor x = checked("gaussian_noise", image);
        const bool apply = draw(g) < p;
        Tensor noise = randn(x.shape(), DType::Float32, &g);
        return apply ? contiguous(add(x, mul(noise, std))) : x;
    };
}

Transform compose(std::vector<Transform> transforms) {
    return [ts = std::move(transforms)](const Tensor& image, Generator& g) {
        Tensor x = image;
        for (const auto& t : ts) x = t(x, g);
        return x;
    };
}

AugmentedDataset::AugmentedDataset(std::shared_ptr<const Dataset> base, Transform transform,
                                   uint64_t seed, size_t field)
    : base_(std::move(base)), transform_(std::move(transform)), seed_(seed), field_(field) {
    KAYA_CHECK(base_ != nullptr && transform_ != nullptr, ValueError,
               "AugmentedDataset: needs a dataset and a transform");
}

Example AugmentedDataset::get(int64_t index) const {
    Example e = base_->get(index);
    KAYA_CHECK(field_ < e.size(), IndexError, "AugmentedDataset: example has ", e.size(),
               " fields, no field ", field_);
    // A stream of its own per (seed, epoch, example): any thread, any order, same draws.
    // 2^24 counters per example (a 3 x 224 x 224 noise image takes 150,528).
    Generator g(Generator::mix(seed_ + Generator::mix(static_cast<uint64_t>(epoch_.load()))));
    g.set_state(g.seed(), static_cast<uint64_t>(index) << 24);
    e[field_] = transform_(e[field_], g);
    return e;
}

}  // namespace kaya::data
