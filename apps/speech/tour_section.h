// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::speech {

// Row 14 in the tour: one recording's waveform with its 25 ms / 10 ms frames marked, its
// spectrogram, log-mel and MFCC pictures; the frame MLP (MFCC + context) and the CNN over
// log-mel images trained on spoken words (the project's synthetic words by default; FSDD when
// --data holds speech/fsdd_recordings.tar.gz), frame and recording accuracy, the confusion
// matrix, and a speaker-independent split (each speaker held out in turn).
void demo_speech(const tour::TourOptions& options, tour::Report& report);
void add_tour_sections();

}  // namespace kaya::speech
