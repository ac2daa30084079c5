// SPDX-License-Identifier: MIT
#include "kaya/audio/audio_file.h"

#include <sndfile.h>
#include <samplerate.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

#include "kaya/core/error.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/view.h"

namespace kaya::audio {
namespace {

struct SndfileCloser {
    void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string format_name(int format) {
    SF_FORMAT_INFO major{}, sub{};
    major.format = format & SF_FORMAT_TYPEMASK;
    sub.format = format & SF_FORMAT_SUBMASK;
    std::string out;
    out += sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof(major)) == 0 ? major.name : "unknown";
    out += " ";
    out += sf_command(nullptr, SFC_GET_FORMAT_INFO, &sub, sizeof(sub)) == 0 ? sub.name : "unknown";
    return out;
}

// Decodes an open file: checks the header, reads every frame, refuses non-finite samples.
Audio decode(SNDFILE* raw, const SF_INFO& info, const std::string& name) {
    SndfileHandle file(raw);
    // libsndfile's message says what is wrong with the header ("File contains data in an
    // unknown format", "Error in WAV file. No 'data' chunk marker.", ...).
    KAYA_CHECK(file, IoError, "load_audio: ", name, ": not a readable audio file (", sf_strerror(nullptr), ")");
    KAYA_CHECK(info.channels >= 1 && info.samplerate >= 1, IoError, "load_audio: ", name, ": bad header (",
               info.channels, " channels at ", info.samplerate, " Hz)");
    KAYA_CHECK(info.frames > 0, ValueError, "load_audio: ", name, ": the file holds no samples");
    const int64_t channels = info.channels, frames = info.frames;
    std::vector<float> interleaved(static_cast<size_t>(channels * frames));
    const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), frames);
    // A header that promises more frames than the file holds: say so rather than return zeros.
    KAYA_CHECK(got == frames, IoError, "load_audio: ", name, ": truncated: the header announces ", frames,
               " frames, the file holds ", got);
    Tensor samples = Tensor::empty({channels, frames}, DType::Float32);
    float* out = samples.data<float>();
    for (int64_t t = 0; t < frames; ++t) {
        for (int64_t c = 0; c < channels; ++c) {
            const float v = interleaved[t * channels + c];
            KAYA_CHECK(std::isfinite(v), ValueError, "load_audio: ", name, ": sample ", t, " of channel ", c,
                       " is not finite (", v, ")");
            out[c * frames + t] = v;
        }
    }
    return {samples, info.samplerate, format_name(info.format)};
}

// libsndfile's virtual I/O over a byte range in memory.
struct MemoryFile {
    std::string_view bytes;
    sf_count_t pos = 0;
};

SF_VIRTUAL_IO memory_io() {
    SF_VIRTUAL_IO io{};
    io.get_filelen = [](void* p) { return static_cast<sf_count_t>(static_cast<MemoryFile*>(p)->bytes.size()); };
    io.seek = [](sf_count_t offset, int whence, void* p) {
        auto* m = static_cast<MemoryFile*>(p);
        const sf_count_t size = static_cast<sf_count_t>(m->bytes.size());
        sf_count_t base = whence == SEEK_CUR ? m->pos : (whence == SEEK_END ? size : 0);
        m->pos = std::clamp<sf_count_t>(base + offset, 0, size);
        return m->pos;
    };
    io.read = [](void* dst, sf_count_t count, void* p) {
        auto* m = static_cast<MemoryFile*>(p);
        const sf_count_t n = std::min<sf_count_t>(count, static_cast<sf_count_t>(m->bytes.size()) - m->pos);
        std::memcpy(dst, m->bytes.data() + m->pos, static_cast<size_t>(n));
        m->pos += n;
        return n;
    };
    io.write = [](const void*, sf_count_t, void*) { return sf_count_t{0}; };
    io.tell = [](void* p) { return static_cast<MemoryFile*>(p)->pos; };
    return io;
}

}  // namespace

Audio load_audio(const std::string& path) {
    std::error_code ec;
    KAYA_CHECK(std::filesystem::is_regular_file(path, ec), IoError, "load_audio: ", path, ": no such file");
    const auto bytes = std::filesystem::file_size(path, ec);
    KAYA_CHECK(!ec && bytes > 0, IoError, "load_audio: ", path, ": empty file (0 bytes)");
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    return decode(file, info, path);
}

Audio load_audio_bytes(std::string_view bytes, const std::string& name) {
    KAYA_CHECK(!bytes.empty(), IoError, "load_audio: ", name, ": empty file (0 bytes)");
    MemoryFile mem{bytes, 0};
    SF_VIRTUAL_IO io = memory_io();
    SF_INFO info{};
    SNDFILE* file = sf_open_virtual(&io, SFM_READ, &info, &mem);
    return decode(file, info, name);
}

void save_wav(const std::string& path, const Tensor& samples, int64_t sample_rate, WavEncoding encoding) {
    KAYA_CHECK(samples.dim() == 1 || samples.dim() == 2, ShapeError,
               "save_wav: expected samples (T) or (channels, T), got ", describe(samples));
    KAYA_CHECK(sample_rate >= 1 && sample_rate <= 1'000'000, ValueError, "save_wav: ", path,
               ": bad sample rate ", sample_rate);
    Tensor x = contiguous(to(samples.dim() == 1 ? reshape(samples, {1, -1}) : samples, DType::Float32));
    const int64_t channels = x.shape()[0], frames = x.shape()[1];
    KAYA_CHECK(channels >= 1 && channels <= 256, ShapeError, "save_wav: ", path, ": bad channel count in ",
               describe(samples));
    const float* in = x.data<float>();
    std::vector<float> interleaved(static_cast<size_t>(channels * frames));
    for (int64_t c = 0; c < channels; ++c) {
        for (int64_t t = 0; t < frames; ++t) {
            const float v = in[c * frames + t];
            KAYA_CHECK(std::isfinite(v), ValueError, "save_wav: ", path, ": sample ", t, " of channel ",
                       c, " is not finite");
            interleaved[t * channels + c] = v;
        }
    }
    int sub = SF_FORMAT_PCM_16;
    if (encoding == WavEncoding::Pcm24) sub = SF_FORMAT_PCM_24;
    if (encoding == WavEncoding::Pcm32) sub = SF_FORMAT_PCM_32;
    if (encoding == WavEncoding::Float32) sub = SF_FORMAT_FLOAT;
    SF_INFO info{};
    info.samplerate = static_cast<int>(sample_rate);
    info.channels = static_cast<int>(channels);
    info.format = SF_FORMAT_WAV | sub;
    // Written next to the target and renamed over it, so a reader never sees half a file.
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    {
        SndfileHandle file(sf_open(tmp.c_str(), SFM_WRITE, &info));
        KAYA_CHECK(file, IoError, "save_wav: cannot create ", tmp, " (", sf_strerror(nullptr), ")");
        // Float to PCM conversion clips instead of wrapping around.
        sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
        const sf_count_t wrote = sf_writef_float(file.get(), interleaved.data(), frames);
        if (wrote != frames) {
            std::string why = sf_strerror(file.get());
            file.reset();
            std::filesystem::remove(tmp);
            throw IoError(detail::concat("save_wav: ", path, ": short write (", why, ")"));
        }
        sf_write_sync(file.get());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw IoError(detail::concat("save_wav: cannot rename ", tmp, " to ", path, ": ", ec.message()));
    }
}

Tensor to_mono(const Tensor& samples) {
    KAYA_CHECK(samples.dim() == 1 || samples.dim() == 2, ShapeError,
               "to_mono: expected samples (T) or (channels, T), got ", describe(samples));
    if (samples.dim() == 1) return samples;
    return mean(samples, {0});
}

Tensor resample(const Tensor& x, int64_t from, int64_t to_rate) {
    KAYA_CHECK(from >= 1 && to_rate >= 1, ValueError, "resample: sample rates must be positive, got ",
               from, " and ", to_rate);
    const double ratio = static_cast<double>(to_rate) / static_cast<double>(from);
    KAYA_CHECK(src_is_valid_ratio(ratio), ValueError, "resample: ratio ", to_rate, "/", from,
               " is beyond libsamplerate's 1:256");
    KAYA_CHECK(x.dim() >= 1 && x.shape().back() > 0, ShapeError,
               "resample: expected (..., T) with T > 0, got ", describe(x));
    if (from == to_rate) return x;
    Tensor xc = contiguous(to(x, DType::Float32));
    const int64_t len = xc.shape().back(), rows = xc.numel() / len;
    const int64_t out_len = std::max<int64_t>(1, std::llround(static_cast<double>(len) * ratio));
    Shape shape = x.shape();
    shape.back() = out_len;
    Tensor out = Tensor::empty(shape, DType::Float32);
    for (int64_t r = 0; r < rows; ++r) {
        SRC_DATA data{};
        data.data_in = xc.data<float>() + r * len;
        data.input_frames = len;
        data.data_out = out.data<float>() + r * out_len;
        data.output_frames = out_len;
        data.src_ratio = ratio;
        const int err = src_simple(&data, SRC_SINC_BEST_QUALITY, 1);
        KAYA_CHECK(err == 0, ValueError, "resample: ", src_strerror(err));
        // The converter may hold back a few frames at the very end: pad with the last one.
        for (int64_t t = data.output_frames_gen; t < out_len; ++t) {
            data.data_out[t] = data.output_frames_gen > 0 ? data.data_out[data.output_frames_gen - 1] : 0.f;
        }
    }
    return x.dtype() == DType::Float32 ? out : to(out, x.dtype());
}

}  // namespace kaya::audio
