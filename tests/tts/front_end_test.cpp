// SPDX-License-Identifier: MIT
// What the speech models read and hear: the text front-end, the espeak-ng corpus, log-mel
// features and their way back to sound.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "apps/tts/corpus.h"
#include "apps/tts/features.h"
#include "apps/tts/text.h"
#include "kaya/audio/audio_file.h"
#include "kaya/core/error.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::tts {
namespace {

namespace fs = std::filesystem;

std::string temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / (name + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d.string();
}

TEST(TtsText, NumbersInWords) {
    EXPECT_EQ(number_to_words(0), "zero");
    EXPECT_EQ(number_to_words(42), "forty-two");
    EXPECT_EQ(number_to_words(100), "one hundred");
    EXPECT_EQ(number_to_words(1215), "one thousand two hundred fifteen");
    EXPECT_EQ(number_to_words(-7), "minus seven");
    EXPECT_EQ(number_to_words(3000000), "three million");
    EXPECT_EQ(number_to_words(999999999999999), std::string("nine hundred ninety-nine trillion nine hundred "
                                                           "ninety-nine billion nine hundred ninety-nine million "
                                                           "nine hundred ninety-nine thousand nine hundred "
                                                           "ninety-nine"));
    EXPECT_NE(test::error_of([] { number_to_words(1000000000000000); }).find("out of range"), std::string::npos);
}

TEST(TtsText, NormalisesWhatPeopleWrite) {
    EXPECT_EQ(normalize_text("Hello,   World!").text, "hello, world!");
    EXPECT_EQ(normalize_text("In 1865 they paid 12,500 dollars; 3.5% more.").text,
              "in eighteen sixty-five they paid twelve thousand five hundred dollars; three point five percent more.");
    EXPECT_EQ(normalize_text("The 21st and the 3rd, 1905.").text, "the twenty-first and the third, nineteen oh five.");
    EXPECT_EQ(normalize_text("Mr. Smith & Dr. Jones").text, "mister smith and doctor jones");
    EXPECT_EQ(normalize_text("\u201CCaf\u00E9\u201D \u2014 it\u2019s fine\u2026").text, "\"cafe\" - it's fine...");
    EXPECT_EQ(normalize_text("2,000 and 2000").text, "two thousand and two thousand");
    const NormalizedText t = normalize_text("a\u4F60b#c\u4F60");
    EXPECT_EQ(t.text, "abc");
    EXPECT_EQ(t.dropped, "\u4F60#");
    EXPECT_NE(test::error_of([] { normalize_text("ab\xff"); }).find("invalid UTF-8 at byte 3"), std::string::npos);
}

TEST(TtsText, SymbolsRoundTrip) {
    const auto ids = Symbols::encode("hi, you!");
    EXPECT_EQ(ids.back(), Symbols::kEnd);
    EXPECT_EQ(Symbols::decode(ids), "hi, you!");
    EXPECT_EQ(Symbols::count(), 40);
    EXPECT_NE(test::error_of([] { Symbols::encode("h#"); }).find("character '#' at position 2"), std::string::npos);
}

TEST(TtsCorpus, ToySentencesAndSelection) {
    const auto toy = toy_sentences(50, 1);
    ASSERT_EQ(toy.size(), 50u);
    for (const auto& u : toy) EXPECT_EQ(normalize_text(u.text).text, u.text) << u.text;
    EXPECT_EQ(toy_sentences(50, 1)[7].text, toy[7].text);
    EXPECT_NE(toy_sentences(50, 2)[7].text, toy[7].text);
    const std::vector<Utterance> all = {{"a", "Short."},
                                        {"b", "A sentence of a good length for speaking."},
                                        {"c", "Another good sentence, with a comma."},
                                        {"d", "One with a \u4F60 character that cannot be spoken."}};
    const auto picked = select_sentences(all, {.count = 10, .min_chars = 20, .max_chars = 60});
    ASSERT_EQ(picked.size(), 2u);
    EXPECT_EQ(picked[0].id, "b");
    EXPECT_EQ(picked[0].text, "a sentence of a good length for speaking.");
    EXPECT_EQ(select_sentences(all, {.count = 1, .min_chars = 20, .max_chars = 60}).size(), 1u);
}

TEST(TtsCorpus, LjSpeechMetadataAndItsErrors) {
    const std::string dir = temp_dir("kaya_lj");
    io::write_file_atomic(dir + "/m.csv", "LJ001-0001|Printing, in 1450|Printing, in fourteen fifty\nbad line\n");
    EXPECT_NE(test::error_of([&] { read_lj_metadata(dir + "/m.csv"); }).find("m.csv:2: expected 'id|text|normalised"),
              std::string::npos);
    // An id names a file: no path out of wavs/, no hidden file, no bytes a file system mangles.
    for (const char* id : {"../x", "a/b", ".hidden", "", "caf\xc3\xa9"}) {
        const std::string line = std::string(id) + "|t|t\n";
        EXPECT_NE(test::error_of([&] { parse_lj_metadata(line, "m.csv"); })
                      .find(std::string(id).empty() ? "expected 'id|text|normalised" : "cannot name a WAV file"),
                  std::string::npos)
            << id;
        EXPECT_NE(test::error_of([&] { parse_corpus_metadata(std::string(id) + "\tt\n", "metadata.tsv"); })
                      .find(std::string(id).empty() ? "expected 'id<TAB>text'" : "cannot name a WAV file"),
                  std::string::npos)
            << id;
    }
    EXPECT_NE(test::error_of([&] { parse_lj_metadata("a|b|c\n\xff|b|c\n", "m.csv"); }).find("m.csv:2:1: invalid UTF-8"),
              std::string::npos);
    io::write_file_atomic(dir + "/m.csv", "LJ001-0001|Printing, in 1450|Printing, in fourteen fifty\n");
    const auto u = read_lj_metadata(dir + "/m.csv");
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].text, "Printing, in fourteen fifty");
    const std::string lj = std::string(KAYA_SOURCE_DIR) + "/../shared/data/tts/ljspeech_lj001/metadata_all_13100.csv.gz";
    if (fs::exists(lj)) {
        const auto all = read_lj_metadata(lj);
        EXPECT_EQ(all.size(), 13100u);
        EXPECT_GT(select_sentences(all, {.count = 100000}).size(), 5000u);
    }
    fs::remove_all(dir);
}

TEST(TtsCorpus, EspeakSpeaksACorpusThatReadsBack) {
    const std::string dir = temp_dir("kaya_tts_corpus");
    const auto sentences = toy_sentences(3, 0);
    make_espeak_corpus(sentences, dir, {}, false);
    const auto back = read_corpus(dir);
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[2].text, sentences[2].text);
    const audio::Audio a = audio::load_audio(dir + "/wavs/" + back[0].id + ".wav");
    EXPECT_EQ(a.sample_rate, 22050);
    EXPECT_GT(a.samples.shape()[1], 22050 / 2);  // Half a second at least.
    // Resumable: a WAV removed is spoken again, the others stay.
    const auto before = fs::last_write_time(dir + "/wavs/" + back[0].id + ".wav");
    fs::remove(dir + "/wavs/" + back[1].id + ".wav");
    EXPECT_NE(test::error_of([&] { read_corpus(dir); }).find(".wav is missing"), std::string::npos);
    make_espeak_corpus(sentences, dir, {}, false);
    EXPECT_EQ(fs::last_write_time(dir + "/wavs/" + back[0].id + ".wav"), before);
    EXPECT_EQ(read_corpus(dir).size(), 3u);
    // Damaged metadata is named with its line.
    io::write_file_atomic(dir + "/metadata.tsv", back[0].id + "\t" + back[0].text + "\n" + back[0].id + "\tagain\n");
    EXPECT_NE(test::error_of([&] { read_corpus(dir); }).find("metadata.tsv:2: id"), std::string::npos);
    io::write_file_atomic(dir + "/metadata.tsv", back[0].id + "\tNot Normalised\n");
    EXPECT_NE(test::error_of([&] { read_corpus(dir); }).find("metadata.tsv:1: text 'Not Normalised' is not normalised"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { make_espeak_corpus(sentences, dir, {.program = "kaya-no-espeak"}, false); })
                  .find("apt-get install espeak-ng"),
              std::string::npos);
    fs::remove_all(dir);
}

TEST(TtsFeatures, LogMelAndBackToSound) {
    // A 440 Hz tone for half a second: its energy lands in the band around 440 Hz, and the
    // rendered sound's spectrum puts it back there.
    const MelConfig c;
    const int64_t n = c.sample_rate / 2;
    Tensor t = mul(arange(n, DType::Float32), 2 * M_PI * 440.0 / static_cast<double>(c.sample_rate));
    Tensor tone = mul(sin(t), 0.5);
    const Tensor m = log_mel(tone, c);
    ASSERT_EQ(m.shape(), Shape({n / c.hop + 1, c.n_mels}));
    const Tensor profile = mean(m, {0});
    const auto peak_band = argmax(profile).item<int64_t>();
    const Tensor audio = mel_to_audio(m, c, {.griffin_lim_iters = 16});
    EXPECT_EQ(audio.shape()[0], (m.shape()[0] - 1) * c.hop);
    EXPECT_NEAR(max(abs(audio)).item<double>(), 0.9, 1e-5);
    const Tensor again = log_mel(audio, c);
    EXPECT_EQ(argmax(mean(again, {0})).item<int64_t>(), peak_band);
    // Settings travel in the model's metadata and come back.
    const MelConfig back = MelConfig::from_metadata(c.metadata(), "x");
    EXPECT_EQ(back.hop, c.hop);
    EXPECT_DOUBLE_EQ(back.floor, c.floor);
    auto meta = c.metadata();
    meta.erase("mel.hop");
    EXPECT_NE(test::error_of([&] { MelConfig::from_metadata(meta, "w.safetensors"); })
                  .find("w.safetensors: no 'mel.hop'"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { mel_to_audio(zeros({3, 7}), c); }).find("expected (frames, 80)"), std::string::npos);
}

}  // namespace
}  // namespace kaya::tts
