// SPDX-License-Identifier: MIT
// Configs: overrides, typed and range-checked reads that name the key and its origin, unknown
// keys refused with the nearest known one, the effective config with every default; and plots.
#include "apps/train/config.h"

#include <gtest/gtest.h>

#include "apps/train/plot.h"
#include "kaya/core/error.h"

namespace kaya::app {
namespace {

TEST(Config, OverridesAndTypedErrors) {
    Config c = Config::parse("[train]\nlr = 0.1\nepochs = 3\nname = 'x'\n", "t.toml");
    c.set("train.lr=0.5");
    c.set("model.hidden=[4, 2]");
    c.set("data.path=/some/file.csv");
    EXPECT_EQ(c.get_double("train.lr", 0), 0.5);
    EXPECT_EQ(c.get_ints("model.hidden", {}), (std::vector<int64_t>{4, 2}));
    EXPECT_EQ(c.get_string("data.path", ""), "/some/file.csv");
    // A list of strings, or one string as a list of one; anything else is refused.
    c.set("data.extra=['a', 'b']");
    EXPECT_EQ(c.get_strings("data.extra", {}), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c.get_strings("data.path", {}), (std::vector<std::string>{"/some/file.csv"}));
    EXPECT_THROW(c.get_strings("model.hidden", {}), ValueError);
    EXPECT_THROW(c.get_strings("train.lr", {}), ValueError);
    EXPECT_EQ(c.get_int("train.missing", 7), 7);
    EXPECT_THROW(c.get_int("train.name", 0), ValueError);
    EXPECT_THROW(c.require_string("data.nothing"), ValueError);
    EXPECT_THROW(c.set("novalue"), ValueError);
    try {
        Config::parse("[train]\nlr = = 3\n", "bad.toml");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("bad.toml:2:", 0), 0u) << e.what();
    }
}

TEST(Config, UnknownKeysAreRefusedWithTheNearestKnownOne) {
    Config c = Config::parse("[train]\nepoch = 2\nlr = 0.1\n[output]\ndir = 'x'\n", "covid.toml");
    c.get_int("train.epochs", 10);
    c.get_double("train.lr", 0.01);
    c.get_string("output.dir", "");
    try {
        c.check_all_read();
        FAIL() << "train.epoch was accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()).substr(0, 69),
                  "unknown key train.epoch in covid.toml; did you mean train.epochs? (ka");
    }
    c.get_string("train.epoch_typo_read_anyway", "");
    c.get_int("train.epoch", 0);
    EXPECT_NO_THROW(c.check_all_read());
    // Far from every known key: no suggestion.
    Config d = Config::parse("[zzz]\nqqq = 1\n", "d.toml");
    d.get_int("train.epochs", 1);
    try {
        d.check_all_read();
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
    }
}

TEST(Config, CheckedReadsNameKeyOriginAndRange) {
    Config c = Config::parse("[train]\nepochs = -1\nlr = 2.0\nopt = 'lbfgs'\n", "run.toml");
    try {
        c.get_int("train.epochs", 10, 0);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(),
                     "run.toml: train.epochs must be at least 0, got -1 (train.epochs = -1)");
    }
    c.set("train.lr=5");
    try {
        c.get_double("train.lr", 0.1, 0, 1);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(),
                     "--set train.lr=5: train.lr must be in [0, 1], got 5 (train.lr = 5)");
    }
    EXPECT_THROW(c.get_choice("train.opt", "adam", {"sgd", "adam"}), ValueError);
    EXPECT_EQ(c.get_int("train.missing", 3, 1, 5), 3);
}

TEST(Config, EffectiveDumpAddsDefaultsOfReadKeys) {
    Config c = Config::parse("[train]\nlr = 0.5\n", "e.toml");
    c.get_double("train.lr", 0.1);
    c.get_int("train.epochs", 7);
    c.get_ints("model.hidden", {3, 2});
    const std::string eff = c.effective_dump();
    EXPECT_NE(eff.find("lr = 0.5"), std::string::npos) << eff;
    EXPECT_NE(eff.find("epochs = 7"), std::string::npos) << eff;
    EXPECT_NE(eff.find("hidden = [3, 2]"), std::string::npos) << eff;
    EXPECT_EQ(c.dump().find("epochs"), std::string::npos);  // The given config is unchanged.
}

TEST(Plot, SvgHasSeriesAndSurvivesOddData) {
    std::string svg = line_plot_svg({{"a", {1, 2, 3}, {1, 4, 9}}, {"b", {1, 2}, {NAN, 2}, true}},
                                    {.title = "t<1>", .xlabel = "x", .ylabel = "y", .log_y = true});
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("t&lt;1&gt;"), std::string::npos);
    EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
    EXPECT_NE(line_plot_svg({}, {}).find("</svg>"), std::string::npos);
    // A log x axis labels decades and skips non-positive x.
    std::string lx = line_plot_svg({{"lr", {1e-4, 1e-3, 1e-2, 0}, {3, 2, 1, 5}}},
                                   {.xlabel = "lr", .log_x = true});
    EXPECT_NE(lx.find(">0.001<"), std::string::npos);
    EXPECT_NE(lx.find("lr (log)"), std::string::npos);
    // Three epochs get ticks 1, 2, 3 and none between; fractional x keeps fractional ticks.
    std::string ep = line_plot_svg({{"loss", {1, 2, 3}, {0.7, 0.5, 0.4}}}, {.xlabel = "epoch"});
    EXPECT_NE(ep.find("'middle'>2<"), std::string::npos);
    EXPECT_EQ(ep.find("'middle'>1.5<"), std::string::npos);
    EXPECT_EQ(ep.find("'middle'>1.2<"), std::string::npos);
    std::string fr = line_plot_svg({{"loss", {1, 1.5, 3}, {0.7, 0.5, 0.4}}}, {.xlabel = "x"});
    EXPECT_NE(fr.find("'middle'>1.2<"), std::string::npos);
}

}  // namespace
}  // namespace kaya::app
