// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "apps/speech/speech_data.h"

namespace kaya::speech {

// Ten synthetic "words" for the tour and the tests, made without any recording: each word is
// a sequence of two or three vowel-like segments (a harmonic source at a pitch f0 shaped by
// two formant resonances), spoken by one of four "speakers" that differ in pitch, formant
// scale and speed, with a random onset, jitter and background noise. A frame classifier must
// learn the formant patterns, not the pitch or the length. Recording k of a word has
// index = k and speaker "toy<k % 4>"; deterministic in `seed`.
std::vector<Recording> toy_recordings(int64_t per_class, int64_t sample_rate, uint64_t seed);

// The words' names ("ah-ee", ...), in label order.
const std::vector<std::string>& toy_words();

}  // namespace kaya::speech
