// SPDX-License-Identifier: MIT
// Fuzz targets for the file formats of src/kaya/io.
#include <cmath>
#include <string_view>

#include "fuzz/targets.h"
#include "kaya/audio/audio_file.h"
#include "kaya/audio/kaldi.h"
#include "kaya/io/csv.h"
#include "kaya/io/gzip.h"
#include "kaya/io/image.h"
#include "kaya/io/idx.h"
#include "kaya/io/json.h"
#include "kaya/io/npy.h"
#include "kaya/io/safetensors.h"
#include "kaya/io/tar.h"
#include "kaya/ops/ops.h"

namespace kaya::fuzz {

namespace {

std::string_view view(const uint8_t* d, size_t n) { return {reinterpret_cast<const char*>(d), n}; }

void check(bool ok) {
    if (!ok) __builtin_trap();  // A broken round trip is a finding.
}

}  // namespace

int fuzz_safetensors(const uint8_t* d, size_t n) {
    return guarded([&] {
        io::SafetensorsFile f = io::decode_safetensors(view(d, n), "fuzz");
        for (const auto& [name, t] : f.tensors) {
            if (t.numel() > 0 && is_floating(t.dtype())) sum(t).item<double>();
        }
    });
}

int fuzz_csv(const uint8_t* d, size_t n) {
    return guarded([&] {
        io::CsvTable t = io::parse_csv(view(d, n), "fuzz");
        if (!t.columns.empty()) t.select({t.columns.front()}, DType::Float64);
        io::parse_csv(view(d, n), "fuzz", {.header = false, .drop_nonfinite = true});
    });
}

int fuzz_json(const uint8_t* d, size_t n) {
    return guarded([&] { io::parse_json(view(d, n), "fuzz"); });
}

int fuzz_npy(const uint8_t* d, size_t n) {
    return guarded([&] {
        Tensor t = io::decode_npy(view(d, n), "fuzz");
        if (t.numel() > 0 && is_floating(t.dtype())) sum(t).item<double>();
    });
}

int fuzz_idx(const uint8_t* d, size_t n) {
    return guarded([&] { io::decode_idx(view(d, n), "fuzz", DType::Float32); });
}

int fuzz_tar(const uint8_t* d, size_t n) {
    return guarded([&] {
        const char* begin = reinterpret_cast<const char*>(d);
        for (const auto& e : io::read_tar(view(d, n), "fuzz")) {
            check(e.data.data() >= begin && e.data.data() + e.data.size() <= begin + n);
        }
    });
}

int fuzz_gzip(const uint8_t* d, size_t n) {
    return guarded([&] { io::gunzip(view(d, n), "fuzz"); });
}

int fuzz_image(const uint8_t* d, size_t n) {
    return guarded([&] {
        Tensor img = io::decode_image(view(d, n), "fuzz");
        // Decoded values are in [0, 1] and the shape is (C, H, W) with C 1 to 4.
        if (img.dim() != 3 || img.shape()[0] < 1 || img.shape()[0] > 4) __builtin_trap();
        for (float v : to_vector<float>(img)) {
            if (!(v >= 0.0f && v <= 1.0f)) __builtin_trap();
        }
    });
}

int fuzz_audio(const uint8_t* d, size_t n) {
    return guarded([&] {
        audio::Audio a = audio::load_audio_bytes(view(d, n), "fuzz");
        // Decoded: (C, T) finite samples at a positive rate (load_audio refuses the rest).
        if (a.samples.dim() != 2 || a.samples.shape()[0] < 1 || a.sample_rate < 1) __builtin_trap();
        for (float v : to_vector<float>(a.samples)) {
            if (!std::isfinite(v)) __builtin_trap();
        }
        // The features of a short clip, as kaya classify would take them.
        Tensor mono = audio::to_mono(a.samples);
        if (mono.numel() >= 400 && mono.numel() <= 16000) {
            audio::KaldiOptions k;
            k.sample_frequency = 16000;
            Tensor f = audio::kaldi_mfcc(mono, k);
            if (f.dim() != 2 || f.shape()[1] != 13) __builtin_trap();
        }
    });
}

}  // namespace kaya::fuzz
