// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::audio {

// A decoded recording: samples (channels, frames) float32 in [-1, 1] (integer PCM scaled by
// its full range, as torchaudio.load(normalize=True) does), and its sample rate in Hz.
struct Audio {
    Tensor samples;  // (C, T) float32
    int64_t sample_rate = 0;
    std::string format;  // e.g. "WAV PCM_16", "FLAC PCM_24", "WAV FLOAT"
};

// Reads any file libsndfile decodes (WAV of any PCM width or float, FLAC, Ogg, AIFF, ...).
// Throws IoError naming the file for a missing, empty, truncated or non-audio file, and
// ValueError for one without samples or with non-finite (NaN, infinite) samples.
Audio load_audio(const std::string& path);

// The same from bytes already in memory (e.g. a member of a tar archive); `name` is used in
// error messages in place of the path.
Audio load_audio_bytes(std::string_view bytes, const std::string& name);

// Sample encodings load_audio's counterpart can write.
enum class WavEncoding { Pcm16, Pcm24, Pcm32, Float32 };

// Writes samples (C, T) or (T) float as a WAV file at `sample_rate`, atomically (a temporary
// file in the same directory, then rename). Values outside [-1, 1] are clipped for PCM.
// Throws ValueError for non-finite samples or a bad rate, IoError if the file cannot be made.
void save_wav(const std::string& path, const Tensor& samples, int64_t sample_rate,
              WavEncoding encoding = WavEncoding::Pcm16);

// Mean over channels: (C, T) -> (T), as torch.mean(x, 0). A (T) input is returned as is.
Tensor to_mono(const Tensor& samples);

// Band-limited resampling through libsamplerate's best sinc converter: (..., T) float at
// `from` Hz -> (..., round(T * to / from)) at `to` Hz. Returns x itself when the rates agree.
// Not differentiable. Throws ValueError for non-positive rates or a ratio beyond 1:256.
Tensor resample(const Tensor& x, int64_t from, int64_t to);

}  // namespace kaya::audio
