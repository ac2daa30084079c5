// SPDX-License-Identifier: MIT
#include "apps/vision/augment.h"

#include <sstream>
#include <vector>

namespace kaya::vision {

AugmentOptions AugmentOptions::read(const app::Config& cfg) {
    AugmentOptions o;
    o.hflip = cfg.get_double("augment.hflip", o.hflip, 0, 1);
    o.vflip = cfg.get_double("augment.vflip", o.vflip, 0, 1);
    o.rotation = cfg.get_double("augment.rotation", o.rotation, 0, 180);
    o.rotation_p = cfg.get_double("augment.rotation_p", o.rotation_p, 0, 1);
    o.scale_min = cfg.get_double("augment.scale_min", o.scale_min, 0.25, 4);
    o.scale_max = cfg.get_double("augment.scale_max", o.scale_max, 0.25, 4);
    if (o.scale_min > o.scale_max) {
        cfg.fail("augment.scale_min", "augment.scale_min (" + std::to_string(o.scale_min) +
                                          ") must not exceed augment.scale_max (" +
                                          std::to_string(o.scale_max) + ")");
    }
    o.scale_p = cfg.get_double("augment.scale_p", o.scale_p, 0, 1);
    o.crop_padding = cfg.get_int("augment.crop_padding", o.crop_padding, 0, 64);
    o.brightness = cfg.get_double("augment.brightness", o.brightness, 0, 0.99);
    o.contrast = cfg.get_double("augment.contrast", o.contrast, 0, 0.99);
    o.noise = cfg.get_double("augment.noise", o.noise, 0, 1);
    o.noise_p = cfg.get_double("augment.noise_p", o.noise_p, 0, 1);
    return o;
}

bool AugmentOptions::any() const {
    return hflip > 0 || vflip > 0 || (rotation > 0 && rotation_p > 0) ||
           ((scale_min != 1 || scale_max != 1) && scale_p > 0) || crop_padding > 0 ||
           brightness > 0 || contrast > 0 || (noise > 0 && noise_p > 0);
}

std::string AugmentOptions::describe() const {
    std::ostringstream os;
    auto item = [&](const std::string& s) { os << (os.tellp() > 0 ? ", " : "") << s; };
    auto num = [](double v) {
        std::ostringstream n;
        n << v;
        return n.str();
    };
    if (hflip > 0) item("left-right flip p " + num(hflip));
    if (vflip > 0) item("up-down flip p " + num(vflip));
    if (rotation > 0 && rotation_p > 0) item("rotation up to " + num(rotation) + " deg p " + num(rotation_p));
    if ((scale_min != 1 || scale_max != 1) && scale_p > 0) {
        item("scale " + num(scale_min) + "-" + num(scale_max) + " p " + num(scale_p));
    }
    if (crop_padding > 0) item("shift up to " + std::to_string(crop_padding) + " px");
    if (brightness > 0 || contrast > 0) item("brightness " + num(brightness) + ", contrast " + num(contrast));
    if (noise > 0 && noise_p > 0) item("noise std " + num(noise) + " p " + num(noise_p));
    return os.tellp() > 0 ? os.str() : "none";
}

data::Transform build_augmentation(const AugmentOptions& o) {
    std::vector<data::Transform> ts;
    if (o.crop_padding > 0) ts.push_back(data::random_crop_padded(o.crop_padding));
    if (o.hflip > 0) ts.push_back(data::horizontal_flip(o.hflip));
    if (o.vflip > 0) ts.push_back(data::vertical_flip(o.vflip));
    if (o.rotation > 0 && o.rotation_p > 0) ts.push_back(data::random_rotation(o.rotation, o.rotation_p));
    if ((o.scale_min != 1 || o.scale_max != 1) && o.scale_p > 0) {
        ts.push_back(data::random_scale(o.scale_min, o.scale_max, o.scale_p));
    }
    if (o.brightness > 0 || o.contrast > 0) ts.push_back(data::color_jitter(o.brightness, o.contrast));
    if (o.noise > 0 && o.noise_p > 0) ts.push_back(data::gaussian_noise(o.noise, o.noise_p));
    return data::compose(std::move(ts));
}

}  // namespace kaya::vision
