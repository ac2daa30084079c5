// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace kaya::tts {

// Debian's espeak-ng (GPL-3), run as a separate program and never linked: the speaker of the
// corpus the models learn from.
struct EspeakOptions {
    std::string program = "espeak-ng";
    std::string voice = "en-us";
    int64_t words_per_minute = 175;  // espeak-ng's default rate.
    double timeout_seconds = 60;
};

// Speaks `text` into a WAV file (espeak-ng's own 22,050 Hz 16-bit mono), written under a
// temporary name and renamed, so a killed run leaves no torn file. IoError when espeak-ng is
// missing (naming the package to install), fails (with its message) or makes no audio.
void espeak_to_wav(const std::string& text, const std::string& wav_path, const EspeakOptions& options);

// "eSpeak NG text-to-speech: 1.51" (from --version); IoError when missing.
std::string espeak_version(const EspeakOptions& options);

}  // namespace kaya::tts
