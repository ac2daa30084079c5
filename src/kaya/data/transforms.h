// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kaya/core/random.h"
#include "kaya/data/dataset.h"

namespace kaya::data {

// Random image augmentation (torchvision.transforms' semantics) on float images (C, H, W).
// Each transform draws its numbers from the Generator it is given, one fresh counter per
// draw, so an example's augmentation depends only on the generator's seed and state: the
// AugmentedDataset below seeds one per (seed, epoch, index), which makes the augmented images
// the same on any thread count and after a resume.
using Transform = std::function<Tensor(const Tensor& image, Generator& gen)>;

// Deterministic geometry on a float image (C, H, W), bilinear: rotation by `degrees`
// counter-clockwise about the centre (torchvision's rotate), zoom about the centre by `factor`
// keeping the size (< 1 shrinks and fills the border, > 1 enlarges and cuts the edges), and
// resize to (height, width): area averaging where it shrinks, bilinear where it enlarges.
Tensor rotate(const Tensor& image, double degrees, double fill = 0.0);
Tensor zoom(const Tensor& image, double factor, double fill = 0.0);
Tensor resize(const Tensor& image, int64_t height, int64_t width);

// Mirror left-right / up-down with probability p (RandomHorizontalFlip / RandomVerticalFlip).
Transform horizontal_flip(double p = 0.5);
Transform vertical_flip(double p = 0.5);
// Rotation by an angle uniform in [-degrees, degrees] about the centre, bilinear, outside
// filled with `fill` (RandomRotation with bilinear interpolation), applied with probability p.
Transform random_rotation(double degrees, double p = 1.0, double fill = 0.0);
// RandomResizedCrop: a crop of area fraction in `scale` and aspect ratio in `ratio` (log-
// uniform), 10 tries then the central crop, resized bilinearly to size (H, W).
Transform random_resized_crop(std::array<int64_t, 2> size, std::array<double, 2> scale = {0.08, 1.0},
                              std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0});
// Zoom by a factor uniform in [lo, hi] about the centre keeping the size (RandomAffine's
// scale): < 1 shrinks (border filled), > 1 enlarges (edges cut).
Transform random_scale(double lo, double hi, double p = 1.0, double fill = 0.0);
// RandomCrop with padding: pad every side by `padding` with `fill`, then crop the original
// size at a uniform offset (a translation by up to `padding` pixels).
Transform random_crop_padded(int64_t padding, double fill = 0.0);
// ColorJitter's brightness and contrast: x * b, then blend with the image mean by c, factors
// uniform in [1 - brightness, 1 + brightness] and [1 - contrast, 1 + contrast]; clamped to
// [0, 1] as for images in that range.
Transform color_jitter(double brightness, double contrast);
// Gaussian noise of standard deviation std added to every pixel, with probability p.
Transform gaussian_noise(double std, double p = 1.0);
// The transforms in order.
Transform compose(std::vector<Transform> transforms);

// A dataset whose field `field` (an image (C, H, W) float) passes through a transform, with a
// generator seeded by (seed, epoch, index). set_epoch (called before each epoch, as for
// PyTorch's DistributedSampler) changes the draws. Other fields pass through.
class AugmentedDataset : public Dataset {
public:
    AugmentedDataset(std::shared_ptr<const Dataset> base, Transform transform, uint64_t seed,
                     size_t field = 0);
    int64_t size() const override { return base_->size(); }
    Example get(int64_t index) const override;
    void set_epoch(int64_t epoch) { epoch_ = epoch; }

private:
    std::shared_ptr<const Dataset> base_;
    Transform transform_;
    uint64_t seed_;
    size_t field_;
    std::atomic<int64_t> epoch_{0};
};

}  // namespace kaya::data
