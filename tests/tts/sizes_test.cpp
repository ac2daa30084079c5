// SPDX-License-Identifier: MIT
// A model's sizes listed once: read from a config (range, odd kernels), written to the weights'
// metadata and read back; damaged metadata named with its key.
#include <gtest/gtest.h>

#include "apps/tts/fastspeech_task.h"
#include "apps/tts/sizes.h"
#include "apps/tts/tacotron_task.h"
#include "support/errors.h"

namespace kaya::tts {
namespace {

TEST(TtsSizes, ConfigToMetadataAndBack) {
    const app::Config cfg = app::Config::parse("[model]\nembedding = 24\npostnet_kernel = 7\n", "t.toml");
    const TacotronOptions o = read_tacotron_options(cfg);
    EXPECT_EQ(o.embedding, 24);
    EXPECT_EQ(o.postnet_kernel, 7);
    std::map<std::string, std::string> meta;
    for (const auto& [k, v] : sizes_of(tacotron_sizes(), o)) meta["model." + k] = std::to_string(v);
    EXPECT_EQ(meta.size(), tacotron_sizes().size());
    TacotronOptions back;
    sizes_from_metadata(meta, "w.safetensors", tacotron_sizes(), back);
    for (const auto& f : tacotron_sizes()) EXPECT_EQ(back.*f.member, o.*f.member) << f.name;

    meta["model.reduction"] = "3x";
    EXPECT_NE(test::error_of([&] { sizes_from_metadata(meta, "w.safetensors", tacotron_sizes(), back); })
                  .find("w.safetensors: metadata 'model.reduction' = '3x' is not a whole number"),
              std::string::npos);
    meta.erase("model.reduction");
    EXPECT_NE(test::error_of([&] { sizes_from_metadata(meta, "w.safetensors", tacotron_sizes(), back); })
                  .find("no 'model.reduction'"),
              std::string::npos);
}

TEST(TtsSizes, ConfigErrorsNameTheKey) {
    EXPECT_NE(test::error_of([] { read_tacotron_options(app::Config::parse("[model]\nlocation_kernel = 30\n", "t.toml")); })
                  .find("model.location_kernel must be odd"),
              std::string::npos);
    EXPECT_NE(test::error_of([] { read_fastspeech_options(app::Config::parse("[model]\nheads = 0\n", "t.toml")); })
                  .find("model.heads"),
              std::string::npos);
    EXPECT_NE(test::error_of([] { read_fastspeech_options(app::Config::parse("[model]\nd_model = 130\nheads = 4\n", "t.toml")); })
                  .find("model.heads must divide model.d_model"),
              std::string::npos);
}

}  // namespace
}  // namespace kaya::tts
