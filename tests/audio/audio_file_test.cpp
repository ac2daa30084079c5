// SPDX-License-Identifier: MIT
// Audio files: a WAV from an independent writer, round trips in every encoding, mono mixdown,
// resampling, and each kind of bad file answered with an error naming it.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "kaya/audio/audio_file.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::audio {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
    fs::path d = fs::temp_directory_path() / ("kaya_audio_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

void write_bytes(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary);
    f << s;
}

template <class E>
void expect_error(const fs::path& p, const std::string& fragment) {
    try {
        load_audio(p.string());
        ADD_FAILURE() << "no error for " << p;
    } catch (const E& e) {
        std::string m = e.what();
        EXPECT_NE(m.find(p.string()), std::string::npos) << m;
        EXPECT_NE(m.find(fragment), std::string::npos) << m;
    }
}

TEST(AudioFile, ReadsPythonWavExactly) {
    Audio a = load_audio(test::data_path("audio/pcm16.wav"));
    EXPECT_EQ(a.sample_rate, 8000);
    EXPECT_EQ(a.samples.shape(), (Shape{1, 1000}));
    EXPECT_EQ(a.format, "WAV (Microsoft) Signed 16 bit PCM");
    Tensor want = test::load_npy(test::data_path("audio/pcm16.npy"));
    EXPECT_EQ(to_vector<float>(a.samples), to_vector<float>(want));
}

TEST(AudioFile, ReadsFromMemoryAsFromAFile) {
    std::string bytes = read_bytes(test::data_path("audio/pcm16.wav"));
    Audio a = load_audio_bytes(bytes, "archive.tar.gz:pcm16.wav");
    Audio b = load_audio(test::data_path("audio/pcm16.wav"));
    EXPECT_EQ(a.sample_rate, b.sample_rate);
    EXPECT_EQ(to_vector<float>(a.samples), to_vector<float>(b.samples));
    try {
        load_audio_bytes(bytes.substr(0, 20), "archive.tar.gz:cut.wav");
        FAIL();
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("archive.tar.gz:cut.wav"), std::string::npos) << e.what();
    }
    EXPECT_THROW(load_audio_bytes("", "x.wav"), IoError);
}

TEST(AudioFile, RoundTripsEveryEncodingAndStereo) {
    fs::path d = temp_dir();
    Tensor x = mul(sin(mul(arange(0, 2000, 1, DType::Float32), 0.01)), 0.8);
    Tensor stereo = stack({x, mul(x, -0.5)});
    for (auto [enc, tol] : {std::pair{WavEncoding::Pcm16, 1.0 / 32768}, {WavEncoding::Pcm24, 1.0 / 8388608},
                            {WavEncoding::Pcm32, 1e-7}, {WavEncoding::Float32, 0.0}}) {
        fs::path p = d / "round.wav";
        save_wav(p.string(), stereo, 22050, enc);
        Audio a = load_audio(p.string());
        EXPECT_EQ(a.sample_rate, 22050);
        ASSERT_EQ(a.samples.shape(), (Shape{2, 2000}));
        auto got = to_vector<float>(a.samples), want = to_vector<float>(stereo);
        for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol + 1e-9) << a.format;
    }
    EXPECT_TRUE(fs::is_empty(d) || fs::directory_iterator(d)->path().filename() == "round.wav");
    Tensor m = to_mono(load_audio((d / "round.wav").string()).samples);
    EXPECT_NEAR(to_vector<float>(m)[100], 0.25f * to_vector<float>(x)[100], 1e-6);
    fs::remove_all(d);
}

// FLAC (and any other container libsndfile knows) decodes like WAV: a stereo 16-bit FLAC
// written by libsndfile's own encoder reads back sample for sample.
TEST(AudioFile, ReadsFlac) {
    fs::path d = temp_dir();
    const std::string path = (d / "stereo.flac").string();
    SF_INFO info{};
    info.samplerate = 44100;
    info.channels = 2;
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    std::vector<short> pcm(2 * 3000);
    for (size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<short>((static_cast<int>(i) * 37) % 20000 - 10000);
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
    ASSERT_EQ(sf_writef_short(f, pcm.data(), 3000), 3000);
    sf_close(f);
    Audio a = load_audio(path);
    EXPECT_EQ(a.sample_rate, 44100);
    ASSERT_EQ(a.samples.shape(), (Shape{2, 3000}));
    EXPECT_NE(a.format.find("FLAC"), std::string::npos) << a.format;
    auto v = to_vector<float>(a.samples);
    for (int64_t t = 0; t < 3000; t += 7) {
        for (int64_t c = 0; c < 2; ++c) ASSERT_EQ(v[c * 3000 + t], pcm[t * 2 + c] / 32768.0f);
    }
    fs::remove_all(d);
}

TEST(AudioFile, ResamplesASineToASine) {
    // 440 Hz at 8 kHz to 16 kHz: the middle of the output is the same sine at the new rate.
    const int64_t n = 8000;
    Tensor t = arange(0, static_cast<double>(n), 1, DType::Float32);
    Tensor x = sin(mul(t, 2 * std::numbers::pi * 440.0 / 8000.0));
    Tensor y = resample(x, 8000, 16000);
    ASSERT_EQ(y.shape(), (Shape{16000}));
    auto v = to_vector<float>(y);
    for (int64_t i = 4000; i < 12000; i += 37) {
        ASSERT_NEAR(v[i], std::sin(2 * std::numbers::pi * 440.0 * i / 16000.0), 2e-3) << i;
    }
    EXPECT_EQ(resample(x, 8000, 8000).shape(), x.shape());
    EXPECT_THROW(resample(x, 0, 8000), ValueError);
    EXPECT_THROW(resample(x, 8000, 8000 * 300), ValueError);
}

TEST(AudioFile, BadFilesGetErrorsNamingThem) {
    fs::path d = temp_dir();
    expect_error<IoError>(d / "missing.wav", "no such file");
    write_bytes(d / "empty.wav", "");
    expect_error<IoError>(d / "empty.wav", "empty file");
    write_bytes(d / "text.wav", "this is not audio at all, just some text in a file\n");
    expect_error<IoError>(d / "text.wav", "not a readable audio file");

    std::string good = read_bytes(test::data_path("audio/pcm16.wav"));
    // Cut inside the header, then inside the data.
    write_bytes(d / "header_cut.wav", good.substr(0, 30));
    expect_error<IoError>(d / "header_cut.wav", "not a readable audio file");
    // A header whose data chunk claims far more bytes than follow.
    std::string liar = good;
    const size_t data = liar.find("data");
    ASSERT_NE(data, std::string::npos);
    uint32_t huge = 0x7ffffff0;
    std::memcpy(&liar[data + 4], &huge, 4);
    write_bytes(d / "liar.wav", liar);
    Audio a = load_audio((d / "liar.wav").string());  // libsndfile trusts the file length: all real samples.
    EXPECT_EQ(a.samples.shape()[1], 1000);
    // A WAV with a header and no samples.
    std::string no_samples = good.substr(0, data + 8);
    uint32_t zero = 0;
    std::memcpy(&no_samples[data + 4], &zero, 4);
    write_bytes(d / "no_samples.wav", no_samples);
    EXPECT_THROW(load_audio((d / "no_samples.wav").string()), Error);

    // NaN in a float WAV.
    Tensor x = full({100}, 0.5, DType::Float32);
    save_wav((d / "float.wav").string(), x, 8000, WavEncoding::Float32);
    std::string f = read_bytes(d / "float.wav");
    const size_t fd = f.find("data");
    const float nan = std::nanf("");
    std::memcpy(&f[fd + 8 + 4 * 10], &nan, 4);
    write_bytes(d / "nan.wav", f);
    expect_error<ValueError>(d / "nan.wav", "sample 10 of channel 0 is not finite");

    EXPECT_THROW(save_wav((d / "bad.wav").string(), full({10}, std::nan(""), DType::Float32), 8000), ValueError);
    EXPECT_THROW(save_wav((d / "no_dir" / "x.wav").string(), x, 8000), IoError);
    EXPECT_FALSE(fs::exists(d / "bad.wav"));
    fs::remove_all(d);
}

}  // namespace
}  // namespace kaya::audio
