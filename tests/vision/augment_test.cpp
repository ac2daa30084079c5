// SPDX-License-Identifier: MIT
// The [augment] config section: defaults off, every key range-checked by name, the transform.
#include <gtest/gtest.h>

#include "apps/vision/augment.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::vision {
namespace {

TEST(Augment, DefaultsAreOffAndTheIdentity) {
    app::Config cfg = app::Config::parse("", "empty.toml");
    AugmentOptions o = AugmentOptions::read(cfg);
    EXPECT_FALSE(o.any());
    EXPECT_EQ(o.describe(), "none");
    Generator g(1);
    Tensor x = rand({1, 6, 6});
    EXPECT_EQ(to_vector<float>(build_augmentation(o)(x, g)), to_vector<float>(x));
}

TEST(Augment, ReadsEveryKey) {
    app::Config cfg = app::Config::parse(
        "[augment]\nhflip = 0.5\nvflip = 0.1\nrotation = 15\nrotation_p = 0.8\nscale_min = 0.9\n"
        "scale_max = 1.1\ncrop_padding = 2\nbrightness = 0.2\ncontrast = 0.3\nnoise = 0.05\n",
        "aug.toml");
    AugmentOptions o = AugmentOptions::read(cfg);
    cfg.check_all_read();
    EXPECT_TRUE(o.any());
    EXPECT_EQ(o.describe(),
              "left-right flip p 0.5, up-down flip p 0.1, rotation up to 15 deg p 0.8, scale 0.9-1.1 p 1, "
              "shift up to 2 px, brightness 0.2, contrast 0.3, noise std 0.05 p 1");
    Generator g(2);
    EXPECT_EQ(build_augmentation(o)(rand({1, 8, 8}), g).shape(), (Shape{1, 8, 8}));
}

// A sweep sets the whole section as one value (kaya sweep --grid "augment={},{hflip=0.5}").
TEST(Augment, SectionSetAsOneTable) {
    app::Config cfg = app::Config::parse("[augment]\nrotation = 10\n", "aug.toml");
    cfg.set("augment={hflip=0.5,vflip=0.25}");
    AugmentOptions o = AugmentOptions::read(cfg);
    EXPECT_EQ(o.hflip, 0.5);
    EXPECT_EQ(o.vflip, 0.25);
    EXPECT_EQ(o.rotation, 0);  // Replaced, not merged.
    cfg.set("augment={}");
    EXPECT_FALSE(AugmentOptions::read(cfg).any());
}

TEST(Augment, OutOfRangeValuesNameTheKey) {
    auto err = [](const std::string& text) {
        return test::error_of([&] { AugmentOptions::read(app::Config::parse(text, "aug.toml")); });
    };
    EXPECT_NE(err("[augment]\nrotation = 270\n").find("augment.rotation"), std::string::npos);
    EXPECT_NE(err("[augment]\nhflip = 1.5\n").find("augment.hflip"), std::string::npos);
    EXPECT_NE(err("[augment]\nrotation_p = -0.1\n").find("augment.rotation_p"), std::string::npos);
    EXPECT_NE(err("[augment]\nscale_min = 1.2\nscale_max = 1.1\n").find("must not exceed augment.scale_max"),
              std::string::npos);
    EXPECT_NE(err("[augment]\nnoise = 'big'\n").find("augment.noise"), std::string::npos);
}

}  // namespace
}  // namespace kaya::vision
